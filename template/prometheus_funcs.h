// Prometheus's template functions (prometheus/template/template.go NewTemplateExpander) and
// the alert-rule expansion built on them (rules/alerting.go): the header that defines $labels,
// $externalLabels, $externalURL and $value, missingkey=zero, and Prometheus's error wording.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "template/template.h"
#include "template/value.h"

namespace tmpl {

// One element of a query result: Prometheus's promql.Sample as templates see it.
struct QuerySample {
  model::Labels labels;
  double value = 0;
};

// Runs an instant PromQL query at the expansion's evaluation time (rules/ supplies it, as
// Prometheus's rules.QueryFunc). Errors become "error calling query: MESSAGE".
using QueryFn = std::function<base::Result<std::vector<QuerySample>>(std::string_view query)>;

// The inputs of Prometheus's NewTemplateExpander besides the text.
struct ExpanderOptions {
  QueryFn query;                   // may be empty: query then fails
  model::Timestamp timestamp = 0;  // evaluation time, what "now" returns (in seconds)
  std::string external_url;        // the --web.external-url, for externalURL and pathPrefix
};

// The function map of NewTemplateExpander: query, first, label, value, strvalue, args,
// reReplaceAll, safeHtml, match, title, toUpper, toLower, graphLink, tableLink, sortByLabel,
// stripPort, stripDomain, humanize, humanize1024, humanizeDuration, humanizePercentage,
// humanizeTimestamp, toTime, toDuration, now, pathPrefix, externalURL, parseDuration,
// urlQueryEscape.
FuncMap PrometheusFuncs(ExpanderOptions options);

// A query result as the query function returns it (Go type template.queryResult, a list of
// *template.sample with fields Labels and Value).
Value QueryResultValue(const std::vector<QuerySample>& samples);

// The labels as a Go map[string]string.
Value LabelsValue(const model::Labels& labels);

// template.AlertTemplateData: the dot of an alert template, a struct with fields Labels,
// ExternalLabels, ExternalURL and Value.
Value AlertTemplateData(const model::Labels& labels, const model::Labels& external_labels,
                        std::string_view external_url, double value);

// The definitions Prometheus puts before every alert label and annotation template.
inline constexpr std::string_view kAlertTemplateHeader =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

// Expander.Expand: parses `text` as template `name` with missingkey=zero and executes it.
// Errors: kInvalidArgument "error parsing template NAME: template: ..." or kExecution
// "error executing template NAME: template: ...".
base::Result<std::string> Expand(std::string_view name, std::string_view text, const Value& data,
                                 const FuncMap& funcs);

// An alert's labels, external labels, external URL and value: what an alerting rule's label
// and annotation templates see.
struct AlertTemplateInput {
  model::Labels labels;  // the alert's labels (the sample's labels)
  model::Labels external_labels;
  std::string external_url;
  double value = 0;
};

// Expands one label or annotation template of the alerting rule `rule_name` as Prometheus's
// rules/alerting.go: the header, then `text`, as template "__alert_" + rule_name. On failure
// the result is "<error expanding template: MESSAGE>", as Prometheus writes into the alert;
// *error (if given) receives the error.
std::string ExpandAlertTemplate(std::string_view rule_name, std::string_view text,
                                const AlertTemplateInput& input, const ExpanderOptions& options,
                                base::Status* error = nullptr);

// The load-time check of rulefmt's testTemplateParsing: parses `text` with the header as
// "__alert_" + rule_name. Errors: kInvalidArgument with Go's parse error, e.g.
// `template: __alert_X:1: function "foo" not defined`.
base::Status CheckAlertTemplate(std::string_view rule_name, std::string_view text);

// The message Prometheus reports for a template that fails CheckAlertTemplate while loading a
// rule file: `FILE: group "G", rule 2, "Name": annotation "summary": template: ...`.
// `kind` is "label" or "annotation"; rule_index is 1-based.
std::string RuleTemplateError(std::string_view file, std::string_view group, int rule_index,
                              std::string_view rule_name, std::string_view kind,
                              std::string_view key, const base::Status& error);

}  // namespace tmpl
