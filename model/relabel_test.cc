// Unit tests of relabeling. The table checked against the real Prometheus (every action on the
// same input, compared with what /api/v1/targets shows) is config/relabel_config_test.cc.
#include "model/relabel.h"

#include <catch2/catch.hpp>
#include <cstdio>

using model::Labels;
using model::RelabelAction;
using model::RelabelConfig;
using model::RelabelRegex;

namespace {

std::string Hex(const std::array<uint8_t, 16>& d) {
  std::string s;
  char buf[3];
  for (uint8_t b : d) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    s += buf;
  }
  return s;
}

RelabelRegex Re(std::string_view s) {
  auto r = RelabelRegex::Compile(s);
  REQUIRE(r.has_value());
  return *r;
}

std::string Expand(std::string_view re, std::string_view src, std::string_view tmpl) {
  RelabelRegex r = Re(re);
  std::vector<std::string_view> groups;
  REQUIRE(r.Match(src, &groups));
  std::string out;
  r.Expand(tmpl, groups, &out);
  return out;
}

std::string Run(const Labels& in, const std::vector<RelabelConfig>& cfgs) {
  for (const auto& c : cfgs) REQUIRE(c.Validate().ok());
  auto out = model::Process(in, cfgs);
  return out ? out->ToString() : "dropped";
}

RelabelConfig Cfg(RelabelAction action, std::vector<std::string> sources, std::string target = "",
                  std::string regex = "", std::string replacement = "$1") {
  RelabelConfig c;
  c.action = action;
  c.source_labels = std::move(sources);
  c.target_label = std::move(target);
  if (!regex.empty()) c.regex = Re(regex);
  c.replacement = std::move(replacement);
  return c;
}

}  // namespace

TEST_CASE("MD5 matches the RFC 1321 test suite", "[model][relabel]") {
  CHECK(Hex(model::Md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Hex(model::Md5("a")) == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(Hex(model::Md5("abc")) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Hex(model::Md5("message digest")) == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(Hex(model::Md5("abcdefghijklmnopqrstuvwxyz")) == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(Hex(model::Md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")) ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(Hex(model::Md5("1234567890123456789012345678901234567890123456789012345678901234567890"
                       "1234567890")) == "57edf4a22be3c955ac49da2e2107b67a");
  // 55, 56 and 64 bytes: the padding boundaries.
  CHECK(Hex(model::Md5(std::string(55, 'a'))) == "ef1772b6dff9a122358552954ad0df65");
  CHECK(Hex(model::Md5(std::string(56, 'a'))) == "3b0c8ac703f828b04c6c197006d17218");
  CHECK(Hex(model::Md5(std::string(64, 'a'))) == "014842d480b571495a4a0363793f7367");
}

TEST_CASE("Expand follows Go regexp.Expand", "[model][relabel]") {
  const std::string re = "(?P<n>a)(b)?";
  CHECK(Expand(re, "a", "$1x") == "");  // the name is "1x"
  CHECK(Expand(re, "a", "${1}x") == "ax");
  CHECK(Expand(re, "a", "$n") == "a");
  CHECK(Expand(re, "a", "${n}") == "a");
  CHECK(Expand(re, "a", "$$") == "$");
  CHECK(Expand(re, "a", "$$1") == "$1");
  CHECK(Expand(re, "a", "$2") == "");    // unset group
  CHECK(Expand(re, "a", "$01") == "");   // leading zero: a name, unknown
  CHECK(Expand(re, "a", "$9") == "");    // out of range
  CHECK(Expand(re, "a", "${") == "${");  // malformed: literal
  CHECK(Expand(re, "a", "$") == "$");
  CHECK(Expand(re, "a", "${1") == "${1");
  CHECK(Expand(re, "a", "x$") == "x$");
  CHECK(Expand(re, "a", "$é") == "");  // letters beyond ASCII belong to the name
  CHECK(Expand(re, "a", "$0-$1-${unknown}-") == "a-a--");
  CHECK(Expand("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk", "$11-${1}1") == "k-a1");
}

TEST_CASE("Regexes are fully anchored and report Go's error text", "[model][relabel]") {
  RelabelRegex r = Re("b|c");
  CHECK(r.Matches("b"));
  CHECK_FALSE(r.Matches("abc"));
  CHECK_FALSE(r.Matches("bc"));
  CHECK(Re("a.c").Matches("abc"));
  CHECK_FALSE(Re("a.c").Matches("a\nc"));  // 2.42: no (?s)
  CHECK(RelabelRegex().is_default());
  CHECK_FALSE(Re("(.*)").is_default());
  CHECK(RelabelRegex().source() == "(.*)");

  auto bad = RelabelRegex::Compile("(a");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message() == "error parsing regexp: missing closing ): `^(?:(a)$`");
  CHECK(RelabelRegex::Compile("a)b").error().message() ==
        "error parsing regexp: unexpected ): `^(?:a)b)$`");
  CHECK(RelabelRegex::Compile("a**").error().message() ==
        "error parsing regexp: invalid nested repetition operator: `**`");
  CHECK(RelabelRegex::Compile("[z-a]").error().message() ==
        "error parsing regexp: invalid character class range: `z-a`");
  CHECK(RelabelRegex::Compile("x{1001}").error().message() ==
        "error parsing regexp: invalid repeat count: `{1001}`");
  CHECK(RelabelRegex::Compile("\\8").error().message() ==
        "error parsing regexp: invalid escape sequence: `\\8`");
}

TEST_CASE("Action names parse case-insensitively", "[model][relabel]") {
  CHECK(model::ParseRelabelAction("Replace") == RelabelAction::kReplace);
  CHECK(model::ParseRelabelAction("KEEPEQUAL") == RelabelAction::kKeepEqual);
  CHECK(model::ParseRelabelAction("hashmod") == RelabelAction::kHashMod);
  CHECK_FALSE(model::ParseRelabelAction("keep_equal").has_value());
  CHECK_FALSE(model::ParseRelabelAction("").has_value());
  CHECK(model::RelabelActionName(RelabelAction::kLabelKeep) == "labelkeep");
}

TEST_CASE("Every relabel action", "[model][relabel]") {
  const Labels in{{"__address__", "127.0.0.1:9100"}, {"a", "foo"}, {"b", "bar"}, {"c", "Baz"}};
  using A = RelabelAction;

  SECTION("replace with the default regex copies the joined values") {
    CHECK(Run(in, {Cfg(A::kReplace, {"a", "b"}, "d")}) ==
          R"({__address__="127.0.0.1:9100", a="foo", b="bar", c="Baz", d="foo;bar"})");
  }
  SECTION("replace without a match changes nothing") {
    CHECK(Run(in, {Cfg(A::kReplace, {"a"}, "d", "x(.*)")}) == in.ToString());
  }
  SECTION("replace with an empty result deletes the target") {
    CHECK(Run(in, {Cfg(A::kReplace, {"missing"}, "a")}) ==
          R"({__address__="127.0.0.1:9100", b="bar", c="Baz"})");
  }
  SECTION("replace with a templated target, and an invalid target after expansion is skipped") {
    CHECK(Run(in, {Cfg(A::kReplace, {"a"}, "x_${1}", "(f)oo", "v")}) ==
          R"({__address__="127.0.0.1:9100", a="foo", b="bar", c="Baz", x_f="v"})");
    CHECK(Run(in, {Cfg(A::kReplace, {"__address__"}, "$1", "([0-9]+)\\..*", "v")}) ==
          in.ToString());
  }
  SECTION("replace with a templated target and an empty result deletes the expanded target") {
    // Prometheus 3.x; 2.42 deleted the unexpanded name instead (a no-op).
    CHECK(Run(in, {Cfg(A::kReplace, {"a"}, "${1}", "(.*)", "$2")}) == in.ToString());
    CHECK(Run(in, {Cfg(A::kReplace, {"b"}, "a", "(x)?bar", "$1")}) ==
          R"({__address__="127.0.0.1:9100", b="bar", c="Baz"})");
  }
  SECTION("keep and drop") {
    CHECK(Run(in, {Cfg(A::kKeep, {"a"}, "", "fo+")}) == in.ToString());
    CHECK(Run(in, {Cfg(A::kKeep, {"a"}, "", "fo")}) == "dropped");
    CHECK(Run(in, {Cfg(A::kDrop, {"a", "b"}, "", "foo;bar")}) == "dropped");
    CHECK(Run(in, {Cfg(A::kDrop, {"a"}, "", "bar")}) == in.ToString());
    // An absent source label is the empty string.
    CHECK(Run(in, {Cfg(A::kDrop, {"missing"}, "", "")}) == "dropped");
  }
  SECTION("keepequal and dropequal compare with the target label") {
    const Labels eq{{"a", "x"}, {"b", "x"}, {"c", "y"}};
    CHECK(Run(eq, {Cfg(A::kKeepEqual, {"a"}, "b")}) == eq.ToString());
    CHECK(Run(eq, {Cfg(A::kKeepEqual, {"a"}, "c")}) == "dropped");
    CHECK(Run(eq, {Cfg(A::kDropEqual, {"a"}, "b")}) == "dropped");
    CHECK(Run(eq, {Cfg(A::kDropEqual, {"a"}, "c")}) == eq.ToString());
    CHECK(Run(eq, {Cfg(A::kKeepEqual, {"missing"}, "other")}) == eq.ToString());
  }
  SECTION("hashmod: the last 8 bytes of the MD5, big-endian, modulo") {
    RelabelConfig c = Cfg(A::kHashMod, {"__address__"}, "shard");
    c.modulus = 1000;
    CHECK(model::Process(in, std::span(&c, 1))->Get("shard") == "150");
    c.source_labels = {"a"};
    c.modulus = 10;
    CHECK(model::Process(in, std::span(&c, 1))->Get("shard") == "6");
    c.source_labels = {"missing"};
    c.modulus = 1000;
    CHECK(model::Process(in, std::span(&c, 1))->Get("shard") == "958");
  }
  SECTION("labelmap, labeldrop, labelkeep") {
    const Labels meta{{"__meta_x", "1"}, {"__meta_y_z", "2"}, {"keep", "3"}};
    CHECK(Run(meta, {Cfg(A::kLabelMap, {}, "", "__meta_(.+)")}) ==
          R"({__meta_x="1", __meta_y_z="2", keep="3", x="1", y_z="2"})");
    CHECK(Run(meta, {Cfg(A::kLabelMap, {}, "", "__meta_(y)_(.+)", "n_${2}_$1")}) ==
          R"({__meta_x="1", __meta_y_z="2", keep="3", n_z_y="2"})");
    CHECK(Run(meta, {Cfg(A::kLabelDrop, {}, "", "__meta_.*")}) == R"({keep="3"})");
    CHECK(Run(meta, {Cfg(A::kLabelKeep, {}, "", "__meta_.*")}) ==
          R"({__meta_x="1", __meta_y_z="2"})");
  }
  SECTION("lowercase and uppercase map Unicode as Go's strings package") {
    const Labels u{{"a", "ÄbC İ Straße"}};
    CHECK(Run(u, {Cfg(A::kLowercase, {"a"}, "l")}) == R"({a="ÄbC İ Straße", l="äbc i straße"})");
    CHECK(Run(u, {Cfg(A::kUppercase, {"a"}, "u")}) == R"({a="ÄbC İ Straße", u="ÄBC İ STRAßE"})");
  }
  SECTION("rules apply in order and a drop stops the chain") {
    CHECK(
        Run(in, {Cfg(A::kReplace, {"a"}, "a", "f(.*)", "g$1"), Cfg(A::kKeep, {"a"}, "", "goo")}) ==
        R"({__address__="127.0.0.1:9100", a="goo", b="bar", c="Baz"})");
    CHECK(Run(in, {Cfg(A::kDrop, {"a"}, "", "foo"), Cfg(A::kReplace, {"a"}, "z")}) == "dropped");
  }
}

TEST_CASE("Validate reports Prometheus's messages", "[model][relabel]") {
  using A = RelabelAction;
  auto msg = [](RelabelAction action, std::string target, std::string replacement = "$1",
                std::vector<std::string> sources = {}, uint64_t modulus = 0) {
    RelabelConfig c =
        Cfg(action, std::move(sources), std::move(target), "", std::move(replacement));
    c.modulus = modulus;
    return c.Validate().message();
  };
  CHECK(msg(A::kReplace, "") ==
        "relabel configuration for replace action requires 'target_label' value");
  CHECK(msg(A::kReplace, "1abc") == "\"1abc\" is invalid 'target_label' for replace action");
  CHECK(msg(A::kReplace, "a-${1}") == "\"a-${1}\" is invalid 'target_label' for replace action");
  CHECK(msg(A::kReplace, "a_${1}").empty());
  CHECK(msg(A::kReplace, "a", "$1", {"a-b"}) == "\"a-b\" is not a valid label name");

  CHECK(msg(A::kHashMod, "t") == "relabel configuration for hashmod requires non-zero modulus");
  CHECK(msg(A::kHashMod, "t", "$1", {}, 2).empty());
  CHECK(msg(A::kHashMod, "${1}", "$1", {}, 2) ==
        "\"${1}\" is invalid 'target_label' for hashmod action");

  CHECK(msg(A::kLowercase, "t", "x") == "'replacement' can not be set for lowercase action");
  CHECK(msg(A::kUppercase, "${1}") == "\"${1}\" is invalid 'target_label' for uppercase action");
  CHECK(msg(A::kDropEqual, "") ==
        "relabel configuration for dropequal action requires 'target_label' value");

  CHECK(msg(A::kKeepEqual, "t").empty());
  RelabelConfig eq = Cfg(A::kKeepEqual, {}, "t", "(.*)");  // explicitly configured default text
  CHECK(eq.Validate().message() ==
        "keepequal action requires only 'source_labels' and `target_label`, and no other fields");
  RelabelConfig eq2 = Cfg(A::kKeepEqual, {}, "t");
  eq2.separator.push_back(',');
  CHECK(eq2.Validate().message() ==
        "keepequal action requires only 'source_labels' and `target_label`, and no other fields");

  CHECK(msg(A::kLabelDrop, "").empty());
  CHECK(msg(A::kLabelDrop, "", "$1", {"a"}) ==
        "labeldrop action requires only 'regex', and no other fields");
  CHECK(msg(A::kLabelKeep, "x") == "labelkeep action requires only 'regex', and no other fields");

  CHECK(msg(A::kLabelMap, "", "a-$1") == "\"a-$1\" is invalid 'replacement' for labelmap action");
  CHECK(msg(A::kLabelMap, "", "x_${1}").empty());
}
