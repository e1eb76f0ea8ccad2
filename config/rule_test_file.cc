#include "config/rule_test_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>

#include "base/duration.h"

namespace config {
namespace {

// yaml.v2's resolved tag of a plain scalar (YAML 1.1 booleans included), for its
// "cannot unmarshal !!str `x` into float64" messages.
std::string Tag(const YAML::Node& n) {
  if (n.IsSequence()) return "!!seq";
  if (n.IsMap()) return "!!map";
  if (n.IsNull()) return "!!null";
  if (n.Tag() != "?") return "!!str";  // quoted, or explicitly tagged
  static const std::regex kBool(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::regex kInt("[-+]?(0b[01_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|"
      "\\.(nan|NaN|NAN)");
  const std::string& s = n.Scalar();
  if (std::regex_match(s, kBool)) return "!!bool";
  if (std::regex_match(s, kInt)) return "!!int";
  if (std::regex_match(s, kFloat)) return "!!float";
  return "!!str";
}

int Line(const YAML::Node& n) { return n.Mark().line + 1; }

// Decodes the tree into RuleTestFile, collecting type errors as yaml.v2's strict decoder does.
class Decoder {
 public:
  std::vector<std::string> errors;
  // The first error at which yaml.v2 stops decoding: a custom unmarshaler's (a bad
  // model.Duration). When set, it is the only error reported.
  std::optional<std::string> abort;

  void TypeError(const YAML::Node& n, std::string_view into) {
    std::string msg = "line " + std::to_string(Line(n)) + ": cannot unmarshal " + Tag(n);
    if (n.IsScalar()) msg += " `" + n.Scalar() + "`";
    errors.push_back(msg + " into " + std::string(into));
  }

  // The known fields of mapping `n`; unknown and repeated fields are reported. False (after
  // reporting) when `n` is not a mapping; true with no fields for null.
  bool Fields(const YAML::Node& n, std::initializer_list<std::string_view> known,
              std::string_view type, std::vector<std::pair<std::string, YAML::Node>>* out) {
    if (n.IsNull()) return true;
    if (!n.IsMap()) {
      TypeError(n, type);
      return false;
    }
    std::map<std::string, bool> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": field " + key +
                         " not found in type " + std::string(type));
        continue;
      }
      if (seen[key]) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": field " + key +
                         " already set in type " + std::string(type));
        continue;
      }
      seen[key] = true;
      out->emplace_back(key, kv.second);
    }
    return true;
  }

  std::string String(const YAML::Node& n) {
    if (n.IsNull()) return "";
    if (!n.IsScalar()) {
      TypeError(n, "string");
      return "";
    }
    return n.Scalar();
  }

  std::vector<std::string> Strings(const YAML::Node& n) {
    std::vector<std::string> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence()) {
      TypeError(n, "[]string");
      return out;
    }
    for (const auto& e : n) out.push_back(String(e));
    return out;
  }

  // model.Duration's UnmarshalYAML: a string, then model.ParseDuration; its error ends decoding.
  std::chrono::milliseconds Duration(const YAML::Node& n) {
    if (n.IsNull()) return std::chrono::milliseconds(0);
    if (!n.IsScalar()) {
      TypeError(n, "string");
      return std::chrono::milliseconds(0);
    }
    auto d = base::ParseDuration(n.Scalar());
    if (!d) {
      if (!abort) abort = d.error().message();
      return std::chrono::milliseconds(0);
    }
    return *d;
  }

  double Float(const YAML::Node& n) {
    if (n.IsNull()) return 0;
    std::string tag = Tag(n);
    if (tag == "!!int" || tag == "!!float") {
      std::string s;
      for (char c : n.Scalar())
        if (c != '_') s.push_back(c);
      if (s.find(".inf") != std::string::npos || s.find(".Inf") != std::string::npos ||
          s.find(".INF") != std::string::npos)
        return s[0] == '-' ? -INFINITY : INFINITY;
      if (s.find(".nan") != std::string::npos || s.find(".NaN") != std::string::npos ||
          s.find(".NAN") != std::string::npos)
        return std::nan("");
      if (tag == "!!int") {
        // YAML 1.1 integers: 0b binary, 0x hex, leading 0 octal.
        bool neg = s[0] == '-';
        std::string digits = (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
        int base = 10;
        if (digits.starts_with("0b"))
          base = 2, digits = digits.substr(2);
        else if (digits.starts_with("0x"))
          base = 16, digits = digits.substr(2);
        else if (digits.size() > 1 && digits[0] == '0')
          base = 8, digits = digits.substr(1);
        double v = static_cast<double>(std::strtoull(digits.c_str(), nullptr, base));
        return neg ? -v : v;
      }
      return std::strtod(s.c_str(), nullptr);
    }
    TypeError(n, "float64");
    return 0;
  }

  StringPairs Map(const YAML::Node& n) {
    StringPairs out;
    if (n.IsNull()) return out;
    if (!n.IsMap()) {
      TypeError(n, "map[string]string");
      return out;
    }
    std::map<std::string, bool> seen;
    for (const auto& kv : n) {
      std::string key = String(kv.first);
      if (seen[key]) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": key \"" + key +
                         "\" already set in map");
        continue;
      }
      seen[key] = true;
      out.emplace_back(key, String(kv.second));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // A list whose elements are decoded by `elem`.
  template <typename T, typename F>
  std::vector<T> List(const YAML::Node& n, std::string_view type, F elem) {
    std::vector<T> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence()) {
      TypeError(n, type);
      return out;
    }
    for (const auto& e : n) out.push_back(elem(e));
    return out;
  }

  RuleTestSeries Series(const YAML::Node& n) {
    RuleTestSeries s;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(n, {"series", "values"}, "main.series", &fields);
    for (const auto& [key, v] : fields) (key == "series" ? s.series : s.values) = String(v);
    return s;
  }

  RuleTestAlert Alert(const YAML::Node& n) {
    RuleTestAlert a;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(n, {"exp_labels", "exp_annotations"}, "main.alert", &fields);
    for (const auto& [key, v] : fields)
      (key == "exp_labels" ? a.exp_labels : a.exp_annotations) = Map(v);
    return a;
  }

  AlertRuleTest AlertTest(const YAML::Node& n) {
    AlertRuleTest t;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(n, {"eval_time", "alertname", "exp_alerts"}, "main.alertTestCase", &fields);
    for (const auto& [key, v] : fields) {
      if (key == "eval_time")
        t.eval_time = Duration(v);
      else if (key == "alertname")
        t.alertname = String(v);
      else
        t.exp_alerts =
            List<RuleTestAlert>(v, "[]main.alert", [&](const YAML::Node& e) { return Alert(e); });
    }
    return t;
  }

  RuleTestSample Sample(const YAML::Node& n) {
    RuleTestSample s;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(n, {"labels", "value"}, "main.sample", &fields);
    for (const auto& [key, v] : fields) {
      if (key == "labels")
        s.labels = String(v);
      else
        s.value = Float(v);
    }
    return s;
  }

  PromqlExprTest ExprTest(const YAML::Node& n) {
    PromqlExprTest t;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(n, {"expr", "eval_time", "exp_samples"}, "main.promqlTestCase", &fields);
    for (const auto& [key, v] : fields) {
      if (key == "expr")
        t.expr = String(v);
      else if (key == "eval_time")
        t.eval_time = Duration(v);
      else
        t.exp_samples = List<RuleTestSample>(v, "[]main.sample",
                                             [&](const YAML::Node& e) { return Sample(e); });
    }
    return t;
  }

  RuleTestGroup Group(const YAML::Node& n) {
    RuleTestGroup g;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(n,
           {"interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels",
            "external_url", "name"},
           "main.testGroup", &fields);
    for (const auto& [key, v] : fields) {
      if (key == "interval") {
        g.interval = Duration(v);
      } else if (key == "input_series") {
        g.input_series = List<RuleTestSeries>(v, "[]main.series",
                                              [&](const YAML::Node& e) { return Series(e); });
      } else if (key == "alert_rule_test") {
        g.alert_rule_tests = List<AlertRuleTest>(v, "[]main.alertTestCase",
                                                 [&](const YAML::Node& e) { return AlertTest(e); });
      } else if (key == "promql_expr_test") {
        g.promql_expr_tests = List<PromqlExprTest>(
            v, "[]main.promqlTestCase", [&](const YAML::Node& e) { return ExprTest(e); });
      } else if (key == "external_labels") {
        g.external_labels = Map(v);
      } else if (key == "external_url") {
        g.external_url = String(v);
      } else {
        g.name = String(v);
      }
    }
    return g;
  }

  RuleTestFile File(const YAML::Node& root) {
    RuleTestFile f;
    if (!root.IsDefined()) return f;
    std::vector<std::pair<std::string, YAML::Node>> fields;
    Fields(root, {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
           "main.unitTestFile", &fields);
    for (const auto& [key, v] : fields) {
      if (key == "rule_files") {
        f.rule_files = Strings(v);
      } else if (key == "evaluation_interval") {
        f.evaluation_interval = Duration(v);
      } else if (key == "group_eval_order") {
        f.group_eval_order = Strings(v);
      } else {
        f.tests = List<RuleTestGroup>(v, "[]main.testGroup",
                                      [&](const YAML::Node& e) { return Group(e); });
      }
    }
    return f;
  }
};

}  // namespace

base::Result<RuleTestFile> ParseRuleTestFile(std::string_view yaml) {
  Decoder dec;
  RuleTestFile file;
  // yaml-cpp reports syntax errors, and misuse, by throwing: caught here, once.
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    file = dec.File(root);
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (dec.abort) return base::InvalidArgument(*dec.abort);
  if (!dec.errors.empty()) {
    std::string msg = "yaml: unmarshal errors:";
    for (const std::string& e : dec.errors) msg += "\n  " + e;
    return base::InvalidArgument(std::move(msg));
  }
  return file;
}

}  // namespace config
