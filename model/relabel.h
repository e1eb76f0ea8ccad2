// Relabeling: the rules of relabel_configs and metric_relabel_configs, applied to a label set.
// Same semantics as Prometheus model/relabel/relabel.go (every action of 2.42 and 3.x); the
// differences are listed in docs/scrape.md.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"

namespace re2 {
class RE2;
}

namespace model {

enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// "replace", "keepequal", ...: the spelling of the configuration file.
std::string_view RelabelActionName(RelabelAction a);
// Parses an action name case-insensitively, as Prometheus's Action.UnmarshalYAML.
std::optional<RelabelAction> ParseRelabelAction(std::string_view name);

// RelabelRegex is a compiled relabeling regex, fully anchored as Prometheus's relabel.Regexp:
// the expression is compiled as "^(?:" + source + ")$" with RE2 (Go regexp syntax, `.` does not
// match a newline). Immutable; thread-safe; cheap to copy (the compiled RE2 is shared).
class RelabelRegex {
 public:
  // The default regex "(.*)". Every default-constructed RelabelRegex shares one compiled
  // instance, and is_default() tells it apart from an explicitly configured "(.*)" (as Go
  // compares Regexp pointers in Config.Validate).
  RelabelRegex();
  // Errors: kInvalidArgument with Go's message, e.g.
  //   "error parsing regexp: missing closing ): `^(?:(a)$`".
  static base::Result<RelabelRegex> Compile(std::string_view source);

  const std::string& source() const { return source_; }
  bool is_default() const;

  // Whether the whole of `s` matches.
  bool Matches(std::string_view s) const;
  // Matches the whole of `s`; on a match fills `groups` with one view into `s` per capturing
  // group, group 0 being the whole match (an unset group is a null view) and returns true.
  bool Match(std::string_view s, std::vector<std::string_view>* groups) const;

  // Appends `tmpl` to `out` with $1, ${1}, $name, ${name} replaced by the groups of a Match,
  // and $$ by "$", with Go's regexp.Expand rules: a name is the longest run of letters, digits
  // and '_'; a number names a group index (no leading zeros; out of range gives ""); an unknown
  // name gives ""; a malformed reference ("${x", a lone "$") is copied as it is.
  void Expand(std::string_view tmpl, std::span<const std::string_view> groups,
              std::string* out) const;

 private:
  struct Compiled;
  // The one compiled "(.*)" every default-constructed RelabelRegex shares.
  static const std::shared_ptr<const Compiled>& DefaultCompiled();
  explicit RelabelRegex(std::shared_ptr<const Compiled> c, std::string source)
      : compiled_(std::move(c)), source_(std::move(source)) {}
  std::shared_ptr<const Compiled> compiled_;
  std::string source_;
};

// One relabeling rule. Defaults are Prometheus's (relabel.DefaultRelabelConfig).
struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  RelabelRegex regex;
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;

  // Prometheus's Config.Validate with the legacy name validation scheme, e.g.
  //   "relabel configuration for replace action requires 'target_label' value".
  // Errors: kInvalidArgument.
  base::Status Validate() const;
};

// Applies `configs` in order to `labels`. Returns the relabeled set, or nullopt when a keep,
// drop, keepequal or dropequal rule dropped it. REQUIRES: every config passed Validate().
std::optional<Labels> Process(const Labels& labels, std::span<const RelabelConfig> configs);

// The RFC 1321 MD5 digest of `data` (hashmod's hash; implemented here, no OpenSSL).
std::array<uint8_t, 16> Md5(std::string_view data);

}  // namespace model
