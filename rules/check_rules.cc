#include "rules/check_rules.h"

#include <algorithm>
#include <map>

#include "model/labels.h"
#include "rules/loader.h"

namespace rules {
namespace {

constexpr int kSuccess = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;
constexpr int kLintError = 3;

// promtool's checkDuplicates: rules with the same name and labels, each reported once.
std::string DuplicateRules(const config::RuleFile& f) {
  std::vector<std::pair<std::string, model::Labels>> rules;
  for (const auto& g : f.groups)
    for (const auto& r : g.rules) {
      std::vector<model::Label> pairs;
      for (const auto& [k, v] : r.labels) pairs.push_back({k, v});
      rules.emplace_back(r.name(), model::Labels::FromVector(pairs));
    }
  if (rules.size() < 2) return "";
  std::sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second < b.second;
  });
  std::vector<const std::pair<std::string, model::Labels>*> dups;
  for (size_t i = 1; i < rules.size(); ++i) {
    if (rules[i] != rules[i - 1]) continue;
    if (dups.empty() || *dups.back() != rules[i - 1]) dups.push_back(&rules[i]);
  }
  if (dups.empty()) return "";
  std::string msg = "lint error " + std::to_string(dups.size()) + " duplicate rule(s) found.\n";
  for (const auto* d : dups) {
    msg += "Metric: " + d->first + "\nLabel(s):\n";
    for (const model::Label& l : d->second)
      msg += "\t" + std::string(l.name) + ": " + std::string(l.value) + "\n";
  }
  return msg + "Might cause inconsistency while recording expressions";
}

}  // namespace

int CheckRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string lint = "duplicate-rules";
  bool lint_fatal = false;
  std::vector<std::string> files;
  for (const std::string& a : args) {
    if (a.starts_with("--lint=")) {
      lint = a.substr(7);
    } else if (a == "--lint-fatal") {
      lint_fatal = true;
    } else if (a.starts_with("--")) {
      err << "hestia check rules: error: unknown flag " << a << "\n";
      return kUsage;
    } else {
      files.push_back(a);
    }
  }
  if (lint != "all" && lint != "duplicate-rules" && lint != "none") {
    err << "hestia check rules: error: unknown --lint value \"" << lint
        << "\": use all, duplicate-rules or none\n";
    return kUsage;
  }
  if (files.empty()) {
    err << "usage: hestia check rules [--lint=duplicate-rules|all|none] [--lint-fatal] "
           "<rule-files>...\nhestia check rules: error: required argument 'rule-files' not "
           "provided\n";
    return kUsage;
  }
  bool failed = false, has_errors = false;
  for (const std::string& f : files) {
    out << "Checking " << f << "\n";
    auto file = LoadRuleFile(f);
    std::string lint_msg;
    if (file.ok() && lint != "none") lint_msg = DuplicateRules(*file);
    if (!file.ok() || !lint_msg.empty()) {
      out.flush();
      err << "  FAILED:\n" << (file.ok() ? lint_msg : file.error().message()) << "\n";
      err.flush();
      failed = true;
      has_errors = has_errors || !file.ok();
    } else {
      out << "  SUCCESS: " << file->NumRules() << " rules found\n";
    }
    out << "\n";
  }
  if (failed && has_errors) return kFailure;
  if (failed && lint_fatal) return kLintError;
  return kSuccess;
}

}  // namespace rules
