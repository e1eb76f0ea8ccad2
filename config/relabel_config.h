// relabel_configs and metric_relabel_configs: YAML -> validated model::RelabelConfig.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/relabel.h"

namespace YAML {
class Node;
}

namespace config {

// Parses a YAML sequence of relabeling rules (the value of `relabel_configs` or
// `metric_relabel_configs`; a null node is an empty list) with Prometheus's defaults
// (separator ";", regex "(.*)", replacement "$1", action replace), and validates each rule as
// Prometheus's relabel.Config does. `source` names the file in errors, which read
//   "prometheus.yml:12: field regx not found in type relabel.plain"
//   "prometheus.yml:13: regex: error parsing regexp: missing closing ): `^(?:(a)$`"
//   "prometheus.yml:11: relabel configuration for replace action requires 'target_label' value"
// with the line of the offending field, or of the rule for rule-level errors.
// Errors: kInvalidArgument.
base::Result<std::vector<model::RelabelConfig>> ParseRelabelConfigs(const YAML::Node& node,
                                                                    std::string_view source);

}  // namespace config
