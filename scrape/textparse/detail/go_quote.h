// Go's strconv.Quote, which Prometheus's parser errors use (%q) for tokens and lines.
#pragma once

#include <string>
#include <string_view>

namespace scrape::textparse::detail {

// "a\"b\n": \a \b \f \n \r \t \v \\ \" escaped, other control bytes and bytes that are not valid
// UTF-8 as \xNN, valid non-printable runes as \uNNNN (C1 controls, U+00AD, U+2028, U+2029,
// U+FEFF, noncharacters); everything else as it is.
std::string GoQuote(std::string_view s);

}  // namespace scrape::textparse::detail
