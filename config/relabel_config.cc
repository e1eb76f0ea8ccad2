#include "config/relabel_config.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "model/labels.h"
#include "model/matcher.h"

namespace config {
namespace {

// Errors as "FILE:LINE: message", the line taken from the node (1-based).
class Errors {
 public:
  explicit Errors(std::string_view source) : source_(source) {}
  base::Status At(const YAML::Node& n, std::string_view msg) const {
    std::string out = source_;
    if (n.IsDefined() && n.Mark().line >= 0) {
      out.push_back(':');
      out.append(std::to_string(n.Mark().line + 1));
    }
    out.append(": ");
    out.append(msg);
    return base::InvalidArgument(std::move(out));
  }

 private:
  std::string source_;
};

// The YAML tag Go's yaml.v2 names in "cannot unmarshal" errors.
std::string Tag(const YAML::Node& n) {
  if (n.IsSequence()) return "!!seq";
  if (n.IsMap()) return "!!map";
  return "!!str `" + n.Scalar() + "`";
}

// A string field: a scalar, or null for "".
base::Result<std::string> String(const Errors& err, const YAML::Node& n, std::string_view field) {
  if (n.IsNull()) return std::string();
  if (!n.IsScalar())
    return err.At(n, std::string(field) + ": cannot unmarshal " + Tag(n) + " into string");
  return n.Scalar();
}

// yaml.v2's uint64: decimal, or 0x / 0o / 0b prefixed.
base::Result<uint64_t> Uint64(const Errors& err, const YAML::Node& n, std::string_view field) {
  if (n.IsNull()) return uint64_t{0};
  auto fail = [&] {
    return err.At(n, std::string(field) + ": cannot unmarshal " + Tag(n) + " into uint64");
  };
  if (!n.IsScalar()) return fail();
  std::string_view s = n.Scalar();
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
    base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
    s.remove_prefix(2);
  }
  if (s.empty()) return fail();
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else if (c == '_') {
      continue;  // YAML 1.1 digit separator
    } else {
      return fail();
    }
    if (d >= base) return fail();
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return fail();
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

base::Result<model::RelabelConfig> ParseOne(const Errors& err, const YAML::Node& n) {
  if (n.IsNull()) return err.At(n, "empty or null relabeling rule");
  if (!n.IsMap()) return err.At(n, "cannot unmarshal " + Tag(n) + " into relabel.plain");
  model::RelabelConfig c;
  bool sources_set = false;
  bool action_null = false;
  std::set<std::string> seen;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (!seen.insert(key).second)
      return err.At(kv.first, "field " + key + " already set in type relabel.plain");
    if (key == "source_labels") {
      if (v.IsNull()) continue;
      if (!v.IsSequence())
        return err.At(v, "source_labels: cannot unmarshal " + Tag(v) + " into model.LabelNames");
      sources_set = true;
      for (const auto& l : v) {
        if (!l.IsScalar())
          return err.At(l, "source_labels: cannot unmarshal " + Tag(l) + " into model.LabelName");
        if (!model::IsValidLabelName(l.Scalar()))
          return err.At(
              l, "source_labels: " + model::GoQuote(l.Scalar()) + " is not a valid label name");
        c.source_labels.push_back(l.Scalar());
      }
    } else if (key == "separator") {
      ASSIGN_OR_RETURN(c.separator, String(err, v, key));
    } else if (key == "regex") {
      // A null regex is the empty regex, as relabel.Config.UnmarshalYAML.
      ASSIGN_OR_RETURN(std::string re, String(err, v, key));
      auto compiled = model::RelabelRegex::Compile(re);
      if (!compiled) return err.At(v, "regex: " + compiled.error().message());
      c.regex = *std::move(compiled);
    } else if (key == "modulus") {
      ASSIGN_OR_RETURN(c.modulus, Uint64(err, v, key));
    } else if (key == "target_label") {
      ASSIGN_OR_RETURN(c.target_label, String(err, v, key));
    } else if (key == "replacement") {
      ASSIGN_OR_RETURN(c.replacement, String(err, v, key));
    } else if (key == "action") {
      if (v.IsNull()) {
        action_null = true;
        continue;
      }
      ASSIGN_OR_RETURN(std::string name, String(err, v, key));
      auto a = model::ParseRelabelAction(name);
      if (!a) return err.At(v, "action: unknown relabel action " + model::GoQuote(name));
      c.action = *a;
      action_null = false;
    } else {
      return err.At(kv.first, "field " + key + " not found in type relabel.plain");
    }
  }
  if (action_null) return err.At(n, "relabel action cannot be empty");
  if (sources_set && c.source_labels.empty() &&
      (c.action == model::RelabelAction::kLabelDrop ||
       c.action == model::RelabelAction::kLabelKeep)) {
    // Go tells an explicit `source_labels: []` from an absent one.
    return err.At(n, std::string(model::RelabelActionName(c.action)) +
                         " action requires only 'regex', and no other fields");
  }
  if (auto st = c.Validate(); !st.ok()) return err.At(n, st.message());
  return c;
}

}  // namespace

base::Result<std::vector<model::RelabelConfig>> ParseRelabelConfigs(const YAML::Node& node,
                                                                    std::string_view source) {
  Errors err(source);
  std::vector<model::RelabelConfig> out;
  try {
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence())
      return err.At(node, "cannot unmarshal " + Tag(node) + " into []*relabel.Config");
    for (const auto& item : node) {
      ASSIGN_OR_RETURN(model::RelabelConfig c, ParseOne(err, item));
      out.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) +
                                 ": yaml: " + e.msg);
  }
  return out;
}

}  // namespace config
