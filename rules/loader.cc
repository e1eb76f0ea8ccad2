#include "rules/loader.h"

#include "promql/parser/parse.h"
#include "rules/alerting_rule.h"
#include "rules/recording_rule.h"
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

base::Result<std::vector<GroupSpec>> BuildGroupSpecs(const std::string& fn, config::RuleFile& file,
                                                     const GroupBuildOptions& options) {
  std::vector<GroupSpec> out;
  for (config::RuleGroupConfig& g : file.groups) {
    GroupSpec spec;
    spec.name = g.name;
    spec.file = fn;
    spec.interval = g.interval.count() > 0 ? g.interval : options.interval;
    spec.query_offset = g.query_offset ? g.query_offset : options.default_query_offset;
    spec.limit = g.limit;
    spec.should_restore = options.should_restore;
    for (config::RuleConfig& r : g.rules) {
      auto expr = promql::parser::Parse(r.expr);
      if (!expr.ok()) return base::InvalidArgument(fn + ": " + expr.error().message());
      // Group labels, then the rule's (Prometheus's FromMaps: later maps win).
      model::LabelsBuilder lb;
      for (const auto& [k, v] : g.labels) lb.Set(k, v);
      for (const auto& [k, v] : r.labels) lb.Set(k, v);
      if (!r.alert.empty()) {
        AlertingRule::Spec s;
        s.name = r.alert;
        s.expr = std::move(*expr);
        s.hold = r.for_duration;
        s.keep_firing_for = r.keep_firing_for;
        s.labels = lb.Build();
        s.annotations = r.annotations;
        s.external_labels = options.external_labels;
        s.external_url = options.external_url;
        s.restored = !options.should_restore;
        spec.rules.push_back(std::make_unique<AlertingRule>(std::move(s)));
      } else {
        spec.rules.push_back(std::make_unique<RecordingRule>(r.record, std::move(*expr), lb.Build()));
      }
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace rules
