#include "alerting/config/decoder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace alerting::config::detail {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

bool IsPlain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

bool OneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool BoolValue(std::string_view s, bool* out) {
  if (OneOf(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    *out = true;
    return true;
  }
  if (OneOf(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    *out = false;
    return true;
  }
  return false;
}

// Go's strconv.ParseInt(s, 0, 64) / ParseUint, after yaml.v2 removed underscores.
bool ParseGoInt(std::string_view s, uint64_t* mag, bool* neg_out) {
  bool neg = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x')
      base = 16, s.remove_prefix(2);
    else if (p == 'o')
      base = 8, s.remove_prefix(2);
    else if (p == 'b')
      base = 2, s.remove_prefix(2);
    else
      base = 8, s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return false;
    if (digit >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / base) return false;
    v = v * base + digit;
  }
  if (neg && v > (uint64_t{1} << 63)) return false;
  *mag = v;
  *neg_out = neg;
  return true;
}

bool IsYamlFloat(std::string_view s) {
  // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digits = [&] {
    size_t st = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i - st;
  };
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::string WithoutUnderscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

// Resolves a plain scalar as yaml.v2's resolve(): the tag and, for numbers, the value.
struct Resolved {
  std::string tag;
  uint64_t int_mag = 0;
  bool int_neg = false;
  double float_value = 0;
  bool bool_value = false;
};

Resolved ResolvePlain(const std::string& s);

Resolved Resolve(const YAML::Node& n) {
  if (!IsPlain(n)) {
    Resolved r;
    const std::string& t = n.Tag();
    if (t == "!") {
      r.tag = "!!str";
    } else if (t.rfind(kTagPrefix, 0) == 0) {
      r.tag = "!!" + t.substr(kTagPrefix.size());
      // An explicit !!bool, !!int, !!float or !!null applies to the text as if it were plain.
      if (r.tag != "!!str" && n.IsScalar()) {
        Resolved plain = ResolvePlain(n.Scalar());
        if (plain.tag == r.tag || (r.tag == "!!float" && plain.tag == "!!int")) {
          if (r.tag == "!!float" && plain.tag == "!!int") {
            plain.tag = "!!float";
            plain.float_value = std::strtod(WithoutUnderscores(n.Scalar()).c_str(), nullptr);
          }
          return plain;
        }
      }
    } else {
      r.tag = t;
    }
    return r;
  }
  return ResolvePlain(n.Scalar());
}

Resolved ResolvePlain(const std::string& s) {
  Resolved r;
  if (OneOf(s, {"", "~", "null", "Null", "NULL"})) {
    r.tag = "!!null";
    return r;
  }
  if (BoolValue(s, &r.bool_value)) {
    r.tag = "!!bool";
    return r;
  }
  if (OneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN"})) {
    r.tag = "!!float";
    r.float_value = s.find("nan") != std::string::npos || s.find("NaN") != std::string::npos ||
                            s.find("NAN") != std::string::npos
                        ? std::nan("")
                        : (s[0] == '-' ? -INFINITY : INFINITY);
    return r;
  }
  char c = s[0];
  if (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) {
    std::string plain = WithoutUnderscores(s);
    if (ParseGoInt(plain, &r.int_mag, &r.int_neg)) {
      r.tag = "!!int";
      return r;
    }
    if (IsYamlFloat(plain)) {
      r.tag = "!!float";
      r.float_value = std::strtod(plain.c_str(), nullptr);
      return r;
    }
  }
  r.tag = "!!str";
  return r;
}

}  // namespace

int Line(const YAML::Node& n) { return n.Mark().line + 1; }

bool NeedsQuotes(std::string_view s) {
  if (ResolvePlain(std::string(s)).tag != "!!str") return true;
  // yaml.v2 isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 2) ++i;
    size_t len = i - start;
    if (len == 0 || (len == 2 && s[start] > '5')) return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

std::string ResolvedTag(const YAML::Node& n) {
  if (n.IsMap()) return "!!map";
  if (n.IsSequence()) return "!!seq";
  if (!n.IsDefined() || n.IsNull()) return "!!null";
  return Resolve(n).tag;
}

bool IsNullNode(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return true;
  return n.IsScalar() && IsPlain(n) && OneOf(n.Scalar(), {"", "~", "null", "Null", "NULL"});
}

void Decoder::TypeError(const YAML::Node& n, std::string_view go_type) {
  std::string tag = ResolvedTag(n);
  std::string value;
  if (n.IsScalar()) {
    const std::string& v = n.Scalar();
    value = v.size() > 10 ? " `" + v.substr(0, 7) + "...`" : " `" + v + "`";
  }
  terrors_.push_back("line " + std::to_string(Line(n)) + ": cannot unmarshal " + tag + value +
                     " into " + std::string(go_type));
}

void Decoder::Hint(std::string hint) {
  if (std::find(hints_.begin(), hints_.end(), hint) == hints_.end()) {
    hints_.push_back(std::move(hint));
  }
}

base::Status Decoder::Finish() const {
  if (terrors_.empty()) return base::Status::Ok();
  std::string msg = "yaml: unmarshal errors:";
  for (const std::string& e : terrors_) msg += "\n  " + e;
  return WithHints(base::InvalidArgument(std::move(msg)));
}

base::Status Decoder::WithHints(base::Status s) const {
  if (s.ok() || hints_.empty()) return s;
  std::string msg = s.message();
  for (const std::string& h : hints_) msg += "\n  hint: " + h;
  return base::Status(s.code(), std::move(msg));
}

void DecodeString(Decoder& d, const YAML::Node& n, std::string* out, std::string_view go_type) {
  if (IsNullNode(n)) {
    out->clear();
  } else if (n.IsScalar()) {
    *out = n.Scalar();
  } else {
    d.TypeError(n, go_type);
  }
}

void DecodeBool(Decoder& d, const YAML::Node& n, bool* out) {
  if (IsNullNode(n)) {
    *out = false;
    return;
  }
  if (n.IsScalar()) {
    Resolved r = Resolve(n);
    if (r.tag == "!!bool") {
      *out = r.bool_value;
      return;
    }
  }
  d.TypeError(n, "bool");
}

void DecodeInt64(Decoder& d, const YAML::Node& n, int64_t* out, std::string_view go_type) {
  if (IsNullNode(n)) {
    *out = 0;
    return;
  }
  if (n.IsScalar()) {
    Resolved r = Resolve(n);
    if (r.tag == "!!int" && (r.int_neg || r.int_mag <= uint64_t{INT64_MAX})) {
      *out = r.int_neg ? static_cast<int64_t>(0 - r.int_mag) : static_cast<int64_t>(r.int_mag);
      return;
    }
    if (r.tag == "!!float" && std::isfinite(r.float_value) && r.float_value <= 9.2e18 &&
        r.float_value >= -9.2e18) {
      *out = static_cast<int64_t>(r.float_value);
      return;
    }
  }
  d.TypeError(n, go_type);
}

void DecodeUint64(Decoder& d, const YAML::Node& n, uint64_t* out, std::string_view go_type) {
  if (IsNullNode(n)) {
    *out = 0;
    return;
  }
  if (n.IsScalar()) {
    Resolved r = Resolve(n);
    if (r.tag == "!!int" && (!r.int_neg || r.int_mag == 0)) {
      *out = r.int_mag;
      return;
    }
    if (r.tag == "!!float" && std::isfinite(r.float_value) && r.float_value >= 0 &&
        r.float_value <= 1.8e19) {
      *out = static_cast<uint64_t>(r.float_value);
      return;
    }
  }
  d.TypeError(n, go_type);
}

void DecodeStringList(Decoder& d, const YAML::Node& n, std::vector<std::string>* out,
                      std::string_view go_type, bool* present) {
  if (present != nullptr) *present = false;
  if (IsNullNode(n)) {
    out->clear();
    return;
  }
  if (!n.IsSequence()) {
    d.TypeError(n, go_type);
    return;
  }
  if (present != nullptr) *present = true;
  out->clear();
  for (const YAML::Node& e : n) {
    std::string s;
    size_t mark = d.mark();
    DecodeString(d, e, &s);
    if (!d.ErrorsSince(mark)) out->push_back(std::move(s));
  }
}

base::Status ForEachEntry(
    Decoder& d, const YAML::Node& n, std::string_view go_type,
    const std::function<base::Status(const std::string&, const YAML::Node&)>& fn) {
  if (IsNullNode(n)) return base::Status::Ok();
  if (!n.IsMap()) {
    d.TypeError(n, go_type);
    return base::Status::Ok();
  }
  std::vector<std::string> seen;
  for (const auto& kv : n) {
    std::string key;
    size_t mark = d.mark();
    DecodeString(d, kv.first, &key);
    if (d.ErrorsSince(mark)) continue;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      d.Error("line " + std::to_string(Line(kv.second)) + ": key \"" + key +
              "\" already set in map");
      continue;
    }
    seen.push_back(key);
    RETURN_IF_ERROR(fn(key, kv.second));
  }
  return base::Status::Ok();
}

void DecodeStringMap(Decoder& d, const YAML::Node& n, std::map<std::string, std::string>* out,
                     std::string_view go_type) {
  out->clear();
  ForEachEntry(d, n, go_type, [&](const std::string& k, const YAML::Node& v) {
    std::string s;
    size_t mark = d.mark();
    DecodeString(d, v, &s);
    if (!d.ErrorsSince(mark)) (*out)[k] = std::move(s);
    return base::Status::Ok();
  }).IgnoreError();  // the callback never fails
}

base::Status ForEachElement(Decoder& d, const YAML::Node& n, std::string_view go_type,
                            const std::function<base::Status(const YAML::Node&)>& fn) {
  if (IsNullNode(n)) return base::Status::Ok();
  if (!n.IsSequence()) {
    d.TypeError(n, go_type);
    return base::Status::Ok();
  }
  for (const YAML::Node& e : n) RETURN_IF_ERROR(fn(e));
  return base::Status::Ok();
}

StructDecoder& StructDecoder::Field(std::string name, Handler h) {
  fields_.emplace_back(std::move(name), std::move(h));
  return *this;
}

base::Status StructDecoder::Decode(const YAML::Node& n) { return DecodeMapping(n, 0); }

base::Status StructDecoder::DecodeMapping(const YAML::Node& n, int depth) {
  if (!n.IsMap()) {
    d_.TypeError(n, go_type_);
    return base::Status::Ok();
  }
  std::vector<bool> done(fields_.size(), false);
  for (const auto& kv : n) {
    const YAML::Node& key = kv.first;
    if (key.IsScalar() && IsPlain(key) && key.Scalar() == "<<" && depth < 32) {
      // yaml.v2 merge: a mapping, or a sequence of mappings merged last to first.
      const YAML::Node& v = kv.second;
      if (v.IsMap()) {
        RETURN_IF_ERROR(DecodeMapping(v, depth + 1));
      } else if (v.IsSequence()) {
        for (size_t i = v.size(); i-- > 0;) {
          if (!v[i].IsMap()) {
            return base::InvalidArgument(
                "yaml: map merge requires map or sequence of maps as the value");
          }
          RETURN_IF_ERROR(DecodeMapping(v[i], depth + 1));
        }
      } else {
        return base::InvalidArgument(
            "yaml: map merge requires map or sequence of maps as the value");
      }
      continue;
    }
    std::string name;
    size_t mark = d_.mark();
    DecodeString(d_, key, &name);
    if (d_.ErrorsSince(mark)) continue;
    size_t i = 0;
    while (i < fields_.size() && fields_[i].first != name) ++i;
    if (i == fields_.size()) {
      d_.Error("line " + std::to_string(Line(key)) + ": field " + name + " not found in type " +
               go_type_);
      if (on_unknown_) on_unknown_(name, key);
      continue;
    }
    if (done[i]) {
      d_.Error("line " + std::to_string(Line(key)) + ": field " + name + " already set in type " +
               go_type_);
      continue;
    }
    done[i] = true;
    RETURN_IF_ERROR(fields_[i].second(kv.second));
  }
  return base::Status::Ok();
}

}  // namespace alerting::config::detail
