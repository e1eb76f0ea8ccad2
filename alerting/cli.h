// amtool-compatible commands over an alertmanager.yml, printing what amtool 0.25 prints.
// cmd/ wires them as `hestia alertmanager check-config ...` and
// `hestia alertmanager routes [show|test] ...`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace alerting {

// `amtool check-config FILE...`: for each file "Checking 'F'  SUCCESS" or "  FAILED: <error>",
// then on success "Found:" and the counts of inhibit rules, receivers and templates, and the
// templates' check. No file: reads standard input (unless it is a terminal). Returns the exit
// status: 0 when every file is valid, 1 otherwise (after "hestia: error: failed to validate N
// file(s)" on `err`).
// Template files are globbed and parsed as Alertmanager's template.FromGlobs does (Go template
// syntax, Alertmanager's functions).
int CheckConfig(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

// `amtool config routes test --config.file=F [--tree] [--verify.receivers=a,b] [--] name=value...`
// (args are what follows "test"): prints the receivers the label set routes to, comma separated
// in routing order; with --tree first the matching part of the tree as amtool draws it. Labels
// use amtool's matcher syntax (`name=value`, `name="value"`). Returns 0, or 1 on a usage, config
// or label error (message on `err`) or when --verify.receivers differs (after a WARNING line on
// `out`, as amtool).
int RoutesTest(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `amtool config routes [show] --config.file=F`: the whole routing tree.
int RoutesShow(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace alerting
