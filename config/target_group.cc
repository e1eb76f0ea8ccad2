#include "config/target_group.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "base/json_reader.h"
#include "config/detail/yaml.h"

namespace config {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The extension of the last path element, with its dot ("" when there is none).
std::string_view Extension(std::string_view path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return path.substr(dot);
}

base::Status InvalidLabelName(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return base::InvalidArgument(quoted + "\" is not a valid label name");
}

// Builds a group's labels from name/value pairs (the last of a repeated name wins) and the
// file path label.
base::Result<model::Labels> GroupLabels(const std::map<std::string, std::string>& pairs,
                                        std::string_view path) {
  model::LabelsBuilder b;
  for (const auto& [name, value] : pairs) {
    if (!model::IsValidLabelName(name)) return InvalidLabelName(name);
    b.Set(name, value);
  }
  b.Set(kFileSdFilepathLabel, path);
  return b.Build();
}

base::Status CannotUnmarshal(const base::JsonValue& v, std::string_view into) {
  return base::InvalidArgument("json: cannot unmarshal " + std::string(v.KindName()) +
                               " into Go " + std::string(into));
}

// One element of a JSON file: targetgroup.Group.UnmarshalJSON (unknown fields refused; Go
// matches field names case-insensitively; null leaves a field empty).
base::Result<StaticConfig> JsonGroup(const base::JsonValue& v, std::string_view path) {
  using Kind = base::JsonValue::Kind;
  if (v.kind != Kind::kObject) return CannotUnmarshal(v, "value of type targetgroup.Group");
  StaticConfig g;
  std::map<std::string, std::string> labels;
  for (const auto& [key, value] : v.object) {
    std::string field = Lower(key);
    if (field == "targets") {
      g.targets.clear();
      if (value.kind == Kind::kNull) continue;
      if (value.kind != Kind::kArray)
        return CannotUnmarshal(value, "struct field .targets of type []string");
      for (const auto& t : value.array) {
        if (t.kind == Kind::kNull) {
          g.targets.emplace_back();
          continue;
        }
        if (t.kind != Kind::kString) return CannotUnmarshal(t, "struct field .targets of type string");
        g.targets.push_back(t.text);
      }
    } else if (field == "labels") {
      labels.clear();
      if (value.kind == Kind::kNull) continue;
      if (value.kind != Kind::kObject)
        return CannotUnmarshal(value, "value of type map[model.LabelName]model.LabelValue");
      for (const auto& [name, lv] : value.object) {
        if (lv.kind == Kind::kNull) {
          labels[name] = "";
          continue;
        }
        if (lv.kind != Kind::kString) return CannotUnmarshal(lv, "value of type model.LabelValue");
        labels[name] = lv.text;
      }
    } else {
      return base::InvalidArgument("json: unknown field \"" + key + "\"");
    }
  }
  ASSIGN_OR_RETURN(g.labels, GroupLabels(labels, path));
  return g;
}

base::Result<std::vector<StaticConfig>> ParseJsonGroups(std::string_view content,
                                                        std::string_view path) {
  using Kind = base::JsonValue::Kind;
  ASSIGN_OR_RETURN(base::JsonValue doc, base::ParseJson(content));
  std::vector<StaticConfig> groups;
  if (doc.kind == Kind::kNull) return groups;
  if (doc.kind != Kind::kArray) return CannotUnmarshal(doc, "value of type []*targetgroup.Group");
  for (const auto& e : doc.array) {
    if (e.kind == Kind::kNull) return base::InvalidArgument("nil target group item found");
    ASSIGN_OR_RETURN(StaticConfig g, JsonGroup(e, path));
    groups.push_back(std::move(g));
  }
  return groups;
}

// YAML as Prometheus's yaml.UnmarshalStrict: unknown and repeated keys are errors; scalars of
// any type are strings.
base::Result<std::vector<StaticConfig>> ParseYamlGroups(std::string_view content,
                                                        std::string_view path) {
  detail::Errors err(path);
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(content));
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(std::string(path) + ":" + std::to_string(e.mark.line + 1) +
                                 ": yaml: " + e.msg);
  }
  std::vector<StaticConfig> groups;
  if (!doc || doc.IsNull()) return groups;
  if (!doc.IsSequence()) return err.At(doc, "expected a list of target groups");
  for (const auto& n : doc) {
    if (n.IsNull()) return err.At(n, "nil target group item found");
    if (!n.IsMap()) return err.At(n, "expected a target group: a mapping with targets and labels");
    StaticConfig g;
    std::map<std::string, std::string> labels;
    std::set<std::string> seen;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (!seen.insert(key).second) return err.At(kv.first, "key \"" + key + "\" already set in map");
      const YAML::Node& v = kv.second;
      if (key == "targets") {
        if (v.IsNull()) continue;
        if (!v.IsSequence()) return err.At(v, "targets: expected a list of strings");
        for (const auto& t : v) {
          if (t.IsNull()) {
            g.targets.emplace_back();
            continue;
          }
          if (!t.IsScalar()) return err.At(t, "targets: expected a string");
          g.targets.push_back(t.Scalar());
        }
      } else if (key == "labels") {
        if (v.IsNull()) continue;
        if (!v.IsMap()) return err.At(v, "labels: expected a mapping");
        for (const auto& l : v) {
          const std::string name = l.first.Scalar();
          if (labels.contains(name)) return err.At(l.first, "key \"" + name + "\" already set in map");
          if (!model::IsValidLabelName(name)) return err.At(l.first, InvalidLabelName(name).message());
          if (!l.second.IsNull() && !l.second.IsScalar())
            return err.At(l.second, "labels: expected a string value for \"" + name + "\"");
          labels[name] = l.second.IsNull() ? "" : l.second.Scalar();
        }
      } else {
        return err.At(kv.first, "field " + key + " not found in target group");
      }
    }
    ASSIGN_OR_RETURN(g.labels, GroupLabels(labels, path));
    groups.push_back(std::move(g));
  }
  return groups;
}

}  // namespace

bool IsValidFileSdPath(std::string_view path) {
  static const std::set<std::string_view> kExtensions = {".json", ".yml", ".yaml",
                                                         ".JSON", ".YML", ".YAML"};
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || !kExtensions.contains(path.substr(dot))) return false;
  std::string_view stem = path.substr(0, dot);
  size_t star = stem.find('*');
  return star == std::string_view::npos || stem.find('/', star) == std::string_view::npos;
}

base::Result<std::vector<StaticConfig>> ParseTargetGroups(std::string_view content,
                                                          std::string_view path) {
  // yaml-cpp reports misuse by throwing: caught here, once.
  try {
    std::string ext = Lower(Extension(path));
    if (ext == ".json") return ParseJsonGroups(content, path);
    if (ext == ".yml" || ext == ".yaml") return ParseYamlGroups(content, path);
    return base::InvalidArgument("unhandled file extension \"" + std::string(Extension(path)) + "\"");
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(std::string(path) + ":" + std::to_string(e.mark.line + 1) + ": " +
                                 e.msg);
  }
}

}  // namespace config
