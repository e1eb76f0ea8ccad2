#include "rules/loader.h"

#include "promql/parser/parse.h"
#include "template/prometheus_funcs.h"

namespace rules {

config::RuleFileChecks PrometheusRuleChecks() {
  config::RuleFileChecks c;
  c.expr = [](std::string_view expr) { return promql::parser::Parse(expr).status(); };
  c.alert_template = [](std::string_view alert, std::string_view text) {
    return tmpl::CheckAlertTemplate(alert, text);
  };
  return c;
}

base::Result<config::RuleFile> LoadRuleFile(const std::string& path) {
  return config::LoadRuleFile(path, PrometheusRuleChecks());
}

}  // namespace rules
