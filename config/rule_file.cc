#include "config/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "base/duration.h"
#include "base/quote.h"
#include "model/labels.h"

namespace config {
namespace {

// yaml.v3's resolved tag of a node, for "cannot unmarshal !!str `x` into int" messages.
std::string Tag(const YAML::Node& n) {
  if (n.IsSequence()) return "!!seq";
  if (n.IsMap()) return "!!map";
  if (n.IsNull()) return "!!null";
  if (n.Tag() != "?") return "!!str";  // quoted, or explicitly tagged
  static const std::regex kInt("[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|"
      "\\.(nan|NaN|NAN)");
  const std::string& s = n.Scalar();
  if (s == "true" || s == "false" || s == "True" || s == "False" || s == "TRUE" || s == "FALSE")
    return "!!bool";
  if (std::regex_match(s, kInt)) return "!!int";
  if (std::regex_match(s, kFloat)) return "!!float";
  return "!!str";
}

int Line(const YAML::Node& n) { return n.Mark().line + 1; }
YamlPos Pos(const YAML::Node& n) { return {n.Mark().line + 1, n.Mark().column + 1}; }

// Decodes the YAML tree into RuleFile, collecting errors as yaml.v3's Decoder with
// KnownFields(true) does: "line N: ..." in document order.
class Decoder {
 public:
  std::vector<std::string> errors;

  void TypeError(const YAML::Node& n, std::string_view into) {
    std::string tag = Tag(n);
    std::string msg = "line " + std::to_string(Line(n)) + ": cannot unmarshal " + tag;
    if (n.IsScalar()) msg += " `" + n.Scalar() + "`";
    errors.push_back(msg + " into " + std::string(into));
  }

  // Fields of mapping `n`, each once; unknown and repeated keys are reported.
  std::vector<std::pair<std::string, YAML::Node>> Fields(const YAML::Node& n,
                                                          std::initializer_list<std::string_view> known,
                                                          std::string_view type) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (auto it = seen.find(key); it != seen.end()) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": mapping key " +
                         base::GoQuote(key) + " already defined at line " +
                         std::to_string(it->second));
        continue;
      }
      seen[key] = Line(kv.first);
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": field " + key +
                         " not found in type " + std::string(type));
        continue;
      }
      out.emplace_back(key, kv.second);
    }
    return out;
  }

  std::string String(const YAML::Node& n) {
    if (n.IsNull()) return "";
    if (!n.IsScalar()) {
      TypeError(n, "string");
      return "";
    }
    return n.Scalar();
  }

  std::chrono::milliseconds Duration(const YAML::Node& n) {
    if (n.IsNull()) return std::chrono::milliseconds(0);
    if (!n.IsScalar()) {
      TypeError(n, "string");
      return std::chrono::milliseconds(0);
    }
    auto d = base::ParseDuration(n.Scalar());
    if (!d) {
      errors.push_back("line " + std::to_string(Line(n)) + ": " + d.error().message());
      return std::chrono::milliseconds(0);
    }
    return *d;
  }

  int64_t Int(const YAML::Node& n) {
    if (n.IsNull()) return 0;
    if (Tag(n) == "!!int") {
      std::string s;
      for (char c : n.Scalar())
        if (c != '_') s.push_back(c);
      try {
        size_t used = 0;
        long long v = std::stoll(s, &used, 0);
        if (used == s.size()) return v;
      } catch (const std::exception&) {
        // out of range: reported below as yaml.v3 does
      }
    }
    TypeError(n, "int");
    return 0;
  }

  StringPairs Map(const YAML::Node& n) {
    StringPairs out;
    if (n.IsNull()) return out;
    if (!n.IsMap()) {
      TypeError(n, "map[string]string");
      return out;
    }
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (!kv.first.IsScalar() && !kv.first.IsNull()) TypeError(kv.first, "string");
      if (auto it = seen.find(key); it != seen.end()) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": mapping key " +
                         base::GoQuote(key) + " already defined at line " +
                         std::to_string(it->second));
        continue;
      }
      seen[key] = Line(kv.first);
      out.emplace_back(key, String(kv.second));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  RuleConfig Rule(const YAML::Node& n) {
    RuleConfig r;
    if (n.IsNull()) return r;
    if (!n.IsMap()) {
      TypeError(n, "rulefmt.RuleNode");
      return r;
    }
    auto fields = Fields(n, {"record", "alert", "expr", "for", "keep_firing_for", "labels",
                             "annotations"},
                         "rulefmt.RuleNode");
    // record, alert and expr are yaml.Node fields in rulefmt: any kind is accepted, and only a
    // scalar has a value.
    auto node_value = [](const YAML::Node& v) { return v.IsScalar() ? v.Scalar() : ""; };
    for (const auto& [key, v] : fields) {
      if (key == "record") {
        r.record = node_value(v);
        r.record_pos = Pos(v);
      } else if (key == "alert") {
        r.alert = node_value(v);
        r.alert_pos = Pos(v);
      } else if (key == "expr") {
        r.expr = node_value(v);
        r.expr_pos = Pos(v);
      } else if (key == "for") {
        r.for_duration = Duration(v);
      } else if (key == "keep_firing_for") {
        r.keep_firing_for = Duration(v);
      } else if (key == "labels") {
        r.labels = Map(v);
      } else {
        r.annotations = Map(v);
      }
    }
    return r;
  }

  RuleGroupConfig Group(const YAML::Node& n) {
    RuleGroupConfig g;
    g.pos = Pos(n);
    if (n.IsNull()) return g;
    if (!n.IsMap()) {
      TypeError(n, "rulefmt.RuleGroup");
      return g;
    }
    auto fields = Fields(n, {"name", "interval", "query_offset", "limit", "rules", "labels"},
                         "rulefmt.RuleGroup");
    for (const auto& [key, v] : fields) {
      if (key == "name") {
        g.name = String(v);
      } else if (key == "interval") {
        g.interval = Duration(v);
      } else if (key == "query_offset") {
        if (!v.IsNull()) g.query_offset = Duration(v);
      } else if (key == "limit") {
        g.limit = Int(v);
      } else if (key == "labels") {
        g.labels = Map(v);
      } else if (!v.IsNull()) {
        if (!v.IsSequence()) {
          TypeError(v, "[]rulefmt.RuleNode");
          continue;
        }
        for (const auto& r : v) g.rules.push_back(Rule(r));
      }
    }
    return g;
  }

  RuleFile File(const YAML::Node& root) {
    RuleFile f;
    if (!root.IsDefined() || root.IsNull()) return f;
    if (!root.IsMap()) {
      TypeError(root, "rulefmt.RuleGroups");
      return f;
    }
    for (const auto& [key, v] : Fields(root, {"groups"}, "rulefmt.RuleGroups")) {
      if (v.IsNull()) continue;
      if (!v.IsSequence()) {
        TypeError(v, "[]rulefmt.RuleGroup");
        continue;
      }
      for (const auto& g : v) f.groups.push_back(Group(g));
    }
    return f;
  }
};

std::string At(YamlPos p) { return std::to_string(p.line) + ":" + std::to_string(p.column) + ": "; }

// rulefmt.Error.Error(): positions, then the group, rule index and rule name.
std::string RuleError(const RuleGroupConfig& g, size_t i, const RuleConfig& r,
                      std::string_view msg, const YamlPos* node = nullptr,
                      const YamlPos* node_alt = nullptr) {
  std::string out;
  if (node != nullptr) out += At(*node);
  if (node_alt != nullptr) out += At(*node_alt);
  out += "group " + base::GoQuote(g.name) + ", rule " + std::to_string(i + 1) + ", " +
         base::GoQuote(r.name()) + ": ";
  out += msg;
  return out;
}

// rulefmt's RuleNode.Validate, in its order; label maps are visited in name order.
void ValidateRule(const RuleGroupConfig& g, size_t i, const RuleConfig& r,
                  const RuleFileChecks& checks, std::vector<std::string>* errs) {
  auto add = [&](std::string_view msg, const YamlPos* node = nullptr,
                 const YamlPos* alt = nullptr) { errs->push_back(RuleError(g, i, r, msg, node, alt)); };
  if (!r.record.empty() && !r.alert.empty())
    add("only one of 'record' and 'alert' must be set", &r.record_pos, &r.alert_pos);
  if (r.record.empty() && r.alert.empty()) add("one of 'record' or 'alert' must be set", &r.record_pos);
  if (r.expr.empty()) {
    add("field 'expr' must be set in rule", &r.expr_pos);
  } else if (checks.expr) {
    if (base::Status st = checks.expr(r.expr); !st.ok())
      add("could not parse expression: " + st.message(), &r.expr_pos);
  }
  if (!r.record.empty()) {
    if (!r.annotations.empty()) add("invalid field 'annotations' in recording rule", &r.record_pos);
    if (r.for_duration.count() != 0) add("invalid field 'for' in recording rule", &r.record_pos);
    if (r.keep_firing_for.count() != 0)
      add("invalid field 'keep_firing_for' in recording rule", &r.record_pos);
    if (!model::IsValidMetricName(r.record))
      add("invalid recording rule name: " + r.record, &r.record_pos);
  }
  for (const auto& [k, v] : r.labels) {
    if (!model::IsValidLabelName(k) || k == model::kMetricName) add("invalid label name: " + k);
    if (!model::IsValidUtf8(v)) add("invalid label value: " + v);
  }
  for (const auto& [k, v] : r.annotations)
    if (!model::IsValidLabelName(k)) add("invalid annotation name: " + k);
  if (!r.alert.empty() && checks.alert_template) {
    for (const auto& [k, v] : r.labels)
      if (base::Status st = checks.alert_template(r.alert, v); !st.ok())
        add("label " + base::GoQuote(k) + ": " + st.message());
    for (const auto& [k, v] : r.annotations)
      if (base::Status st = checks.alert_template(r.alert, v); !st.ok())
        add("annotation " + base::GoQuote(k) + ": " + st.message());
  }
}

// rulefmt's RuleGroups.Validate.
std::vector<std::string> Validate(const RuleFile& f, const RuleFileChecks& checks) {
  std::vector<std::string> errs;
  std::set<std::string> names;
  for (const RuleGroupConfig& g : f.groups) {
    if (g.name.empty()) errs.push_back(At(g.pos) + "Groupname must not be empty");
    if (!names.insert(g.name).second)
      errs.push_back(At(g.pos) + "groupname: \"" + g.name + "\" is repeated in the same file");
    for (const auto& [k, v] : g.labels) {
      if (!model::IsValidLabelName(k) || k == model::kMetricName)
        errs.push_back("group " + base::GoQuote(g.name) + ": invalid label name: " + k);
      if (!model::IsValidUtf8(v))
        errs.push_back("group " + base::GoQuote(g.name) + ": invalid label value: " + v);
    }
    for (size_t i = 0; i < g.rules.size(); ++i) ValidateRule(g, i, g.rules[i], checks, &errs);
  }
  return errs;
}

base::Status Errors(std::string_view source, const std::vector<std::string>& errs) {
  std::string msg;
  for (const std::string& e : errs) {
    if (!msg.empty()) msg.push_back('\n');
    msg.append(source);
    msg.append(": ");
    msg.append(e);
  }
  return base::InvalidArgument(std::move(msg));
}

}  // namespace

size_t RuleFile::NumRules() const {
  size_t n = 0;
  for (const RuleGroupConfig& g : groups) n += g.rules.size();
  return n;
}

base::Result<RuleFile> ParseRuleFile(std::string_view yaml, std::string_view source,
                                     const RuleFileChecks& checks) {
  YAML::Node root;
  Decoder dec;
  RuleFile file;
  // yaml-cpp reports syntax errors, and misuse, by throwing: caught here, once.
  try {
    root = YAML::Load(std::string(yaml));
    file = dec.File(root);
  } catch (const YAML::Exception& e) {
    return Errors(source, {"yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg});
  }
  if (!dec.errors.empty()) {
    std::string msg = "yaml: unmarshal errors:";
    for (const std::string& e : dec.errors) msg += "\n  " + e;
    return Errors(source, {msg});
  }
  file.source = source;
  if (auto errs = Validate(file, checks); !errs.empty()) return Errors(source, errs);
  return file;
}

base::Result<RuleFile> LoadRuleFile(const std::string& path, const RuleFileChecks& checks) {
  std::ifstream in(path);
  if (!in) {
    int err = errno;
    std::string reason = std::strerror(err);
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
    std::string msg = path + ": open " + path + ": " + reason;
    return base::Status(err == ENOENT ? base::StatusCode::kNotFound : base::StatusCode::kIOError,
                        std::move(msg));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseRuleFile(ss.str(), path, checks);
}

}  // namespace config
