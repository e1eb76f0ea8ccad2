// INVARIANT(cond): aborts in every build when a violation would corrupt data (STYLE.md section 4).
#pragma once

#include <cstdio>
#include <cstdlib>

#define INVARIANT(cond)                                                              \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "invariant violated at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
