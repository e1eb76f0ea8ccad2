#include "template/prometheus_funcs.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/duration.h"
#include "base/quote.h"
#include "template/go_fmt.h"
#include "template/go_strings.h"
#include "template/humanize.h"

namespace tmpl {
namespace {

using Args = std::span<const Value>;

std::shared_ptr<const TypeInfo> NamedType(std::string name, bool pointer = false) {
  auto t = std::make_shared<TypeInfo>();
  t->name = std::move(name);
  t->pointer = pointer;
  return t;
}

const std::shared_ptr<const TypeInfo>& SampleType() {
  static const auto t = NamedType("*template.sample", true);
  return t;
}
const std::shared_ptr<const TypeInfo>& QueryResultType() {
  static const auto t = NamedType("template.queryResult");
  return t;
}
const std::shared_ptr<const TypeInfo>& TimePtrType() {
  static const auto t = NamedType("*time.Time", true);
  return t;
}
const std::shared_ptr<const TypeInfo>& DurationPtrType() {
  static const auto t = NamedType("*time.Duration", true);
  return t;
}
const std::shared_ptr<const TypeInfo>& HtmlType() {
  static const auto t = NamedType("template.HTML");
  return t;
}
const std::shared_ptr<const TypeInfo>& AlertDataType() {
  static const auto t = NamedType(
      "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; "
      "Value interface {} }");
  return t;
}

base::Status Error(std::string msg) { return base::InvalidArgument(std::move(msg)); }

struct TimeOrNaN {
  bool nan_or_inf = false;
  Time time;
};

// helpers/templates.FloatToTime: seconds to a UTC time, truncated to milliseconds.
base::Result<TimeOrNaN> FloatToTime(double v) {
  if (std::isnan(v) || std::isinf(v)) return TimeOrNaN{true, Time{}};
  double ts = v * 1e9;
  if (ts > 9223372036854775807.0 || ts < -9223372036854775808.0) {
    return Error(FormatFloat(v, 'g', -1) +
                 " cannot be represented as a nanoseconds timestamp since it overflows int64");
  }
  int64_t ms = FloatToInt64(ts) / 1000000;
  return TimeOrNaN{false, Time::FromUnix(ms / 1000, (ms % 1000) * 1000000)};
}

base::Result<Value> Humanize(Args a) {
  ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (v == 0 || std::isnan(v) || std::isinf(v)) return Value::String(FormatFloat4(v));
  static constexpr const char* kBig[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
  static constexpr const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  if (std::fabs(v) >= 1) {
    for (const char* p : kBig) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const char* p : kSmall) {
      if (std::fabs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return Value::String(FormatFloat4(v) + prefix);
}

base::Result<Value> Humanize1024(Args a) {
  ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return Value::String(FormatFloat4(v));
  static constexpr const char* kPrefixes[] = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
  std::string prefix;
  for (const char* p : kPrefixes) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return Value::String(FormatFloat4(v) + prefix);
}

base::Result<Value> HumanizeTimestamp(Args a) {
  ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  ASSIGN_OR_RETURN(TimeOrNaN t, FloatToTime(v));
  if (t.nan_or_inf) return Value::String(FormatFloat4(v));
  return Value::String(t.time.String());
}

// The path of a URL (url.URL.Path): after the authority, before any query or fragment,
// percent-decoded.
std::string UrlPath(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = url;
  if (scheme != std::string_view::npos) {
    rest = url.substr(scheme + 3);
    size_t slash = rest.find_first_of("/?#");
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  size_t end = rest.find_first_of("?#");
  if (end != std::string_view::npos) rest = rest.substr(0, end);
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size()) {
      auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
      };
      int h = hex(rest[i + 1]), l = hex(rest[i + 2]);
      if (h >= 0 && l >= 0) {
        out.push_back(static_cast<char>(h << 4 | l));
        i += 2;
        continue;
      }
    }
    out.push_back(rest[i]);
  }
  return out;
}

Value SampleValue(const QuerySample& s) {
  return Value::Struct(
      {{"Labels", LabelsValue(s.labels)}, {"Value", Value::Float(s.value).Boxed()}}, SampleType());
}

const Value* SampleField(const Value& s, std::string_view name) {
  return s.kind() == Value::Kind::kStruct ? s.Field(name) : nullptr;
}

base::Status NilSample() {
  return Error("runtime error: invalid memory address or nil pointer dereference");
}

std::string LabelOf(const Value& sample, std::string_view label) {
  const Value* labels = SampleField(sample, "Labels");
  if (labels == nullptr || labels->kind() != Value::Kind::kMap) return "";
  auto it = labels->map().find(label);
  return it == labels->map().end() ? "" : it->second.string_value();
}

}  // namespace

Value LabelsValue(const model::Labels& labels) {
  std::map<std::string, std::string, std::less<>> m;
  for (const auto& l : labels) m.emplace(std::string(l.name), std::string(l.value));
  return Value::StringMap(m);
}

Value QueryResultValue(const std::vector<QuerySample>& samples) {
  List items;
  items.reserve(samples.size());
  for (const auto& s : samples) items.push_back(SampleValue(s));
  return Value::FromList(std::move(items), "*template.sample").WithType(QueryResultType());
}

Value AlertTemplateData(const model::Labels& labels, const model::Labels& external_labels,
                        std::string_view external_url, double value) {
  return Value::Struct({{"Labels", LabelsValue(labels)},
                        {"ExternalLabels", LabelsValue(external_labels)},
                        {"ExternalURL", Value::String(std::string(external_url))},
                        {"Value", Value::Float(value).Boxed()}},
                       AlertDataType());
}

FuncMap PrometheusFuncs(ExpanderOptions options) {
  const std::string any(kAnyType);
  const std::string sample = "*template.sample";
  const std::string result = "template.queryResult";
  FuncMap m;
  auto query = options.query;
  m["query"] = {{"string"}, "", [query](Args a) -> base::Result<Value> {
                  if (!query) return Error("no query function configured");
                  ASSIGN_OR_RETURN(std::vector<QuerySample> samples, query(a[0].string_value()));
                  return QueryResultValue(samples);
                }};
  m["first"] = {{result}, "", [](Args a) -> base::Result<Value> {
                  if (a[0].kind() != Value::Kind::kList || a[0].list().empty()) {
                    return Error("first() called on vector with no elements");
                  }
                  return a[0].list()[0];
                }};
  m["label"] = {{"string", sample}, "", [](Args a) -> base::Result<Value> {
                  if (!a[1].valid()) return NilSample();
                  return Value::String(LabelOf(a[1], a[0].string_value()));
                }};
  m["value"] = {{sample}, "", [](Args a) -> base::Result<Value> {
                  if (!a[0].valid()) return NilSample();
                  const Value* v = SampleField(a[0], "Value");
                  return v == nullptr ? Value() : v->Unboxed();
                }};
  m["strvalue"] = {{sample}, "", [](Args a) -> base::Result<Value> {
                     if (!a[0].valid()) return NilSample();
                     return Value::String(LabelOf(a[0], "__value__"));
                   }};
  m["args"] = {{}, any, [](Args a) -> base::Result<Value> {
                 Map out;
                 for (size_t i = 0; i < a.size(); ++i) out["arg" + std::to_string(i)] = a[i];
                 return Value::FromMap(std::move(out));
               }};
  m["reReplaceAll"] = {
      {"string", "string", "string"}, "", [](Args a) -> base::Result<Value> {
        ASSIGN_OR_RETURN(std::string s, GoRegexpReplaceAll(a[0].string_value(), a[2].string_value(),
                                                           a[1].string_value()));
        return Value::String(std::move(s));
      }};
  m["safeHtml"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                     return Value::String(a[0].string_value()).WithType(HtmlType());
                   }};
  m["match"] = {{"string", "string"}, "", [](Args a) -> base::Result<Value> {
                  ASSIGN_OR_RETURN(bool ok,
                                   GoRegexpMatch(a[0].string_value(), a[1].string_value()));
                  return Value::Bool(ok);
                }};
  m["title"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                  return Value::String(GoTitle(a[0].string_value(), false));
                }};
  m["toUpper"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                    return Value::String(GoToUpper(a[0].string_value()));
                  }};
  m["toLower"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                    return Value::String(GoToLower(a[0].string_value()));
                  }};
  m["graphLink"] = {
      {"string"}, "", [](Args a) -> base::Result<Value> {
        return Value::String("/graph?g0.expr=" + QueryEscape(a[0].string_value()) + "&g0.tab=0");
      }};
  m["tableLink"] = {
      {"string"}, "", [](Args a) -> base::Result<Value> {
        return Value::String("/graph?g0.expr=" + QueryEscape(a[0].string_value()) + "&g0.tab=1");
      }};
  m["sortByLabel"] = {
      {"string", result}, "", [](Args a) -> base::Result<Value> {
        if (a[1].kind() != Value::Kind::kList) return a[1];
        List items = a[1].list();
        const std::string& label = a[0].string_value();
        std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
          return LabelOf(x, label) < LabelOf(y, label);
        });
        return Value::FromList(std::move(items), a[1].elem_type()).WithType(QueryResultType());
      }};
  m["stripPort"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                      std::string host, port;
                      if (!GoSplitHostPort(a[0].string_value(), &host, &port)) return a[0];
                      return Value::String(host);
                    }};
  m["stripDomain"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                        const std::string& host_port = a[0].string_value();
                        std::string host, port;
                        if (!GoSplitHostPort(host_port, &host, &port)) {
                          host = host_port;
                          port.clear();
                        }
                        if (GoIsIP(host)) return a[0];
                        host = host.substr(0, host.find('.'));
                        if (!port.empty()) return Value::String(GoJoinHostPort(host, port));
                        return Value::String(host);
                      }};
  m["humanize"] = {{any}, "", Humanize};
  m["humanize1024"] = {{any}, "", Humanize1024};
  m["humanizeDuration"] = {{any}, "", [](Args a) -> base::Result<Value> {
                             ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
                             return Value::String(HumanizeDuration(v));
                           }};
  m["humanizePercentage"] = {{any}, "", [](Args a) -> base::Result<Value> {
                               ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
                               return Value::String(FormatFloat4(v * 100) + "%");
                             }};
  m["humanizeTimestamp"] = {{any}, "", HumanizeTimestamp};
  m["toTime"] = {{any}, "", [](Args a) -> base::Result<Value> {
                   ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
                   ASSIGN_OR_RETURN(TimeOrNaN t, FloatToTime(v));
                   if (t.nan_or_inf) return Error("value is NaN or Inf");
                   return Value::FromTime(t.time).WithType(TimePtrType());
                 }};
  m["toDuration"] = {
      {any}, "", [](Args a) -> base::Result<Value> {
        ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
        return Value::FromDuration({FloatToInt64(v * 1e9)}).WithType(DurationPtrType());
      }};
  const model::Timestamp ts = options.timestamp;
  m["now"] = {{}, "", [ts](Args) -> base::Result<Value> {
                return Value::Float(static_cast<double>(ts) / 1000.0);
              }};
  const std::string url = options.external_url;
  m["pathPrefix"] = {
      {}, "", [url](Args) -> base::Result<Value> { return Value::String(UrlPath(url)); }};
  m["externalURL"] = {{}, "", [url](Args) -> base::Result<Value> { return Value::String(url); }};
  m["parseDuration"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                          std::string_view s = a[0].string_value();
                          bool neg = !s.empty() && s[0] == '-';
                          if (neg) s.remove_prefix(1);
                          ASSIGN_OR_RETURN(std::chrono::milliseconds d, base::ParseDuration(s));
                          double secs = static_cast<double>(d.count()) / 1000.0;
                          return Value::Float(neg ? -secs : secs);
                        }};
  m["urlQueryEscape"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                           return Value::String(QueryEscape(a[0].string_value()));
                         }};
  return m;
}

base::Result<std::string> Expand(std::string_view name, std::string_view text, const Value& data,
                                 const FuncMap& funcs) {
  auto t = Template::Parse(name, text, funcs, Options{MissingKey::kZero});
  if (!t.ok()) {
    return base::InvalidArgument("error parsing template " + std::string(name) + ": " +
                                 t.error().message());
  }
  auto out = t->Execute(data);
  if (!out.ok()) {
    return base::Status(
        base::StatusCode::kExecution,
        "error executing template " + std::string(name) + ": " + out.error().message());
  }
  return out;
}

std::string ExpandAlertTemplate(std::string_view rule_name, std::string_view text,
                                const AlertTemplateInput& input, const ExpanderOptions& options,
                                base::Status* error) {
  std::string full = std::string(kAlertTemplateHeader) + std::string(text);
  Value data =
      AlertTemplateData(input.labels, input.external_labels, input.external_url, input.value);
  auto out = Expand("__alert_" + std::string(rule_name), full, data, PrometheusFuncs(options));
  if (!out.ok()) {
    if (error != nullptr) *error = out.error();
    return "<error expanding template: " + out.error().message() + ">";
  }
  if (error != nullptr) *error = base::Status::Ok();
  return *std::move(out);
}

base::Status CheckAlertTemplate(std::string_view rule_name, std::string_view text) {
  std::string full = std::string(kAlertTemplateHeader) + std::string(text);
  auto t = Template::Parse("__alert_" + std::string(rule_name), full,
                           PrometheusFuncs(ExpanderOptions{}), Options{MissingKey::kZero});
  return t.status();
}

std::string RuleTemplateError(std::string_view file, std::string_view group, int rule_index,
                              std::string_view rule_name, std::string_view kind,
                              std::string_view key, const base::Status& error) {
  return std::string(file) + ": group " + base::GoQuote(group) + ", rule " +
         std::to_string(rule_index) + ", " + base::GoQuote(rule_name) + ": " + std::string(kind) +
         " " + base::GoQuote(key) + ": " + error.message();
}

}  // namespace tmpl
