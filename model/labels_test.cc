#include <catch2/catch.hpp>

#include "model/labels.h"

using model::Labels;

TEST_CASE("Labels are sorted, drop empty values and hash stably", "[model][labels]") {
  Labels a{{"job", "x"}, {"__name__", "up"}, {"empty", ""}};
  CHECK(a.size() == 2);
  CHECK(a.ToString() == "{__name__=\"up\", job=\"x\"}");
  CHECK(a.metric_name() == "up");
  CHECK(a.Get("empty").empty());
  Labels b{{"__name__", "up"}, {"job", "x"}};
  CHECK(a == b);
  CHECK(a.hash() == b.hash());
  CHECK(a.hash() == model::HashPairs({{"__name__", "up"}, {"job", "x"}}));
  CHECK(Labels{{"a", "1"}} < Labels{{"a", "2"}});
  CHECK(Labels() == Labels::FromSorted({}));
  CHECK(Labels().hash() == model::HashPairs({}));
  CHECK(Labels{{"a", "1"}} < Labels{{"a", "1"}, {"b", "1"}});
}

TEST_CASE("xxHash64 matches the reference vectors", "[model][labels]") {
  CHECK(model::XXHash64("") == 0xef46db3751d8e999ULL);
  CHECK(model::XXHash64("a") == 0xd24ec4f1a98c6e5bULL);
  CHECK(model::XXHash64("abc") == 0x44bc2cf5ad770999ULL);
  CHECK(model::XXHash64("Nobody inspects the spammish repetition") == 0xfbcea83c8a378bf1ULL);
}

TEST_CASE("Labels validation names the offending label", "[model][labels]") {
  CHECK(Labels{{"__name__", "a:b_c"}, {"x1", "v"}}.Validate().ok());
  CHECK(Labels{{"__name__", "1abc"}}.Validate().message() == "invalid metric name \"1abc\"");
  CHECK(Labels{{"a-b", "v"}}.Validate().message() == "invalid label name \"a-b\"");
  CHECK(Labels{{"a", "v"}, {"a", "w"}}.Validate().message() == "duplicate label name \"a\"");
  CHECK_FALSE(Labels{{"a", "\xff"}}.Validate().ok());
  CHECK(Labels{{"a", "h\xc3\xa9llo"}}.Validate().ok());
}

TEST_CASE("LabelsBuilder sets, deletes and rebuilds", "[model][labels]") {
  model::LabelsBuilder b(Labels{{"a", "1"}, {"b", "2"}});
  b.Set("c", "3").Del("a").Set("b", "");
  CHECK(b.Build() == Labels{{"c", "3"}});
}
