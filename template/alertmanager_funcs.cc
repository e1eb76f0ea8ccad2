#include "template/alertmanager_funcs.h"

#include <chrono>

#include "template/go_strings.h"
#include "template/humanize.h"
#include "template/template.h"

namespace tmpl {
namespace {

using Args = std::span<const Value>;

std::shared_ptr<const TypeInfo> NamedType(std::string name) {
  auto t = std::make_shared<TypeInfo>();
  t->name = std::move(name);
  return t;
}

Time SystemNow() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  auto loc = Location::Load("Local");
  return Time::FromUnix(0, ns).In(loc.ok() ? *loc : nullptr);
}

}  // namespace

FuncMap AlertmanagerFuncs(AlertmanagerFuncOptions options) {
  static const auto html_type = NamedType("template.HTML");
  static const auto url_type = NamedType("template.URL");
  const std::string any(kAnyType);
  FuncMap m;
  m["toUpper"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                    return Value::String(GoToUpper(a[0].string_value()));
                  }};
  m["toLower"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                    return Value::String(GoToLower(a[0].string_value()));
                  }};
  m["title"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                  return Value::String(GoTitle(a[0].string_value(), true));
                }};
  m["trimSpace"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                      return Value::String(GoTrimSpace(a[0].string_value()));
                    }};
  // join is strings.Join with the separator first, for pipelines.
  m["join"] = {{"string", "[]string"}, "", [](Args a) -> base::Result<Value> {
                 std::string out;
                 if (a[1].kind() == Value::Kind::kList) {
                   bool first = true;
                   for (const Value& s : a[1].list()) {
                     if (!first) out += a[0].string_value();
                     first = false;
                     out += s.string_value();
                   }
                 }
                 return Value::String(std::move(out));
               }};
  m["match"] = {{"string", "string"}, "", [](Args a) -> base::Result<Value> {
                  ASSIGN_OR_RETURN(bool ok,
                                   GoRegexpMatch(a[0].string_value(), a[1].string_value()));
                  return Value::Bool(ok);
                }};
  m["safeHtml"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                     return Value::String(a[0].string_value()).WithType(html_type);
                   }};
  m["safeUrl"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                    return Value::String(a[0].string_value()).WithType(url_type);
                  }};
  m["urlUnescape"] = {{"string"}, "", [](Args a) -> base::Result<Value> {
                        ASSIGN_OR_RETURN(std::string s, QueryUnescape(a[0].string_value()));
                        return Value::String(std::move(s));
                      }};
  m["reReplaceAll"] = {
      {"string", "string", "string"}, "", [](Args a) -> base::Result<Value> {
        ASSIGN_OR_RETURN(std::string s, GoRegexpReplaceAll(a[0].string_value(), a[2].string_value(),
                                                           a[1].string_value()));
        return Value::String(std::move(s));
      }};
  m["stringSlice"] = {{}, "string", [](Args a) -> base::Result<Value> {
                        List items(a.begin(), a.end());
                        return Value::FromList(std::move(items), "string");
                      }};
  m["date"] = {{"string", "time.Time"}, "", [](Args a) -> base::Result<Value> {
                 return Value::String(a[1].time().Format(a[0].string_value()));
               }};
  m["tz"] = {{"string", "time.Time"}, "", [](Args a) -> base::Result<Value> {
               ASSIGN_OR_RETURN(std::shared_ptr<const Location> loc,
                                Location::Load(a[0].string_value()));
               return Value::FromTime(a[1].time().In(loc));
             }};
  std::function<Time()> now = options.now ? options.now : SystemNow;
  m["since"] = {{"time.Time"}, "", [now](Args a) -> base::Result<Value> {
                  return Value::FromDuration(now().Sub(a[0].time()));
                }};
  m["toJson"] = {{any}, "", [](Args a) -> base::Result<Value> {
                   ASSIGN_OR_RETURN(std::string s, GoJsonMarshal(a[0]));
                   return Value::String(std::move(s));
                 }};
  m["humanizeDuration"] = {{any}, "", [](Args a) -> base::Result<Value> {
                             ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
                             return Value::String(HumanizeDuration(v));
                           }};
  return m;
}

}  // namespace tmpl
