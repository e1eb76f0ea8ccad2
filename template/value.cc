#include "template/value.h"

#include <cassert>

namespace tmpl {

struct Value::Compound {
  List list;
  Map map;
  std::string elem_type;
  std::vector<std::pair<std::string, Value>> fields;
  Func func;
  Time time;
};

namespace {

const std::string& EmptyString() {
  static const std::string empty;
  return empty;
}

Value IntResult(int64_t v) { return Value::Int(v); }

// Methods of time.Time and time.Duration that templates call (toTime's result in Prometheus,
// .StartsAt in Alertmanager).
const std::map<std::string, Func, std::less<>>& TimeMethods() {
  static const auto methods = [] {
    std::map<std::string, Func, std::less<>> storage;
    auto* m = &storage;
    auto t = [](std::span<const Value> a) -> const Time& { return a[0].time(); };
    (*m)["Format"] = {{"string"}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                        return Value::String(t(a).Format(a[1].string_value()));
                      }};
    (*m)["String"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                        return Value::String(t(a).String());
                      }};
    (*m)["Unix"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                      return IntResult(t(a).unix_seconds);
                    }};
    (*m)["UnixMilli"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                           return IntResult(t(a).UnixMilli());
                         }};
    (*m)["UnixMicro"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                           return IntResult(t(a).unix_seconds * 1000000 + t(a).nanos / 1000);
                         }};
    (*m)["UnixNano"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                          return IntResult(t(a).UnixNano());
                        }};
    (*m)["UTC"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                     return Value::FromTime(t(a).In(nullptr));
                   }};
    (*m)["Local"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                       auto loc = Location::Load("Local");
                       return Value::FromTime(t(a).In(loc.ok() ? *loc : nullptr));
                     }};
    (*m)["Add"] = {{"time.Duration"}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                     return Value::FromTime(t(a).Add(a[1].duration()));
                   }};
    (*m)["Sub"] = {{"time.Time"}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                     return Value::FromDuration(t(a).Sub(a[1].time()));
                   }};
    (*m)["Before"] = {{"time.Time"}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                        return Value::Bool(t(a).Before(a[1].time()));
                      }};
    (*m)["After"] = {{"time.Time"}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                       return Value::Bool(a[1].time().Before(t(a)));
                     }};
    (*m)["Equal"] = {{"time.Time"}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                       return Value::Bool(t(a).Equal(a[1].time()));
                     }};
    (*m)["IsZero"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                        return Value::Bool(t(a).IsZero());
                      }};
    auto field = [t](int Time::Civil::*member) {
      return Func{{}, "", [t, member](std::span<const Value> a) -> base::Result<Value> {
                    return IntResult(t(a).Fields().*member);
                  }};
    };
    (*m)["Day"] = field(&Time::Civil::day);
    (*m)["Hour"] = field(&Time::Civil::hour);
    (*m)["Minute"] = field(&Time::Civil::minute);
    (*m)["Second"] = field(&Time::Civil::second);
    (*m)["YearDay"] = field(&Time::Civil::yday);
    (*m)["Year"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                      return IntResult(t(a).Fields().year);
                    }};
    (*m)["Nanosecond"] = {{}, "", [t](std::span<const Value> a) -> base::Result<Value> {
                            return IntResult(t(a).nanos);
                          }};
    return storage;
  }();
  return methods;
}

const std::map<std::string, Func, std::less<>>& DurationMethods() {
  static const auto methods = [] {
    std::map<std::string, Func, std::less<>> storage;
    auto* m = &storage;
    (*m)["String"] = {{}, "", [](std::span<const Value> a) -> base::Result<Value> {
                        return Value::String(FormatGoDuration(a[0].duration()));
                      }};
    auto ratio = [](double unit) {
      return Func{
          {}, "", [unit](std::span<const Value> a) -> base::Result<Value> {
            // Go splits whole and fractional parts to keep precision.
            int64_t ns = a[0].duration().ns;
            auto u = static_cast<int64_t>(unit);
            int64_t whole = ns / u;
            int64_t frac = ns % u;
            return Value::Float(static_cast<double>(whole) + static_cast<double>(frac) / unit);
          }};
    };
    (*m)["Seconds"] = ratio(1e9);
    (*m)["Minutes"] = ratio(60e9);
    (*m)["Hours"] = ratio(3600e9);
    auto count = [](int64_t unit) {
      return Func{{}, "", [unit](std::span<const Value> a) -> base::Result<Value> {
                    return Value::Int(a[0].duration().ns / unit);
                  }};
    };
    (*m)["Milliseconds"] = count(1000000);
    (*m)["Microseconds"] = count(1000);
    (*m)["Nanoseconds"] = count(1);
    return storage;
  }();
  return methods;
}

}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}

Value Value::Float(double f) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.f_ = f;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.s_ = std::move(s);
  return v;
}

Value Value::FromList(List items, std::string elem_type) {
  auto c = std::make_shared<Compound>();
  c->list = std::move(items);
  c->elem_type = std::move(elem_type);
  Value v;
  v.kind_ = Kind::kList;
  v.c_ = std::move(c);
  return v;
}

Value Value::StringList(const std::vector<std::string>& items) {
  List l;
  l.reserve(items.size());
  for (const auto& s : items) l.push_back(String(s));
  return FromList(std::move(l), "string");
}

Value Value::FromMap(Map entries) {
  auto c = std::make_shared<Compound>();
  c->map = std::move(entries);
  c->elem_type = std::string(kAnyType);
  Value v;
  v.kind_ = Kind::kMap;
  v.c_ = std::move(c);
  return v;
}

Value Value::StringMap(const std::map<std::string, std::string, std::less<>>& entries) {
  auto c = std::make_shared<Compound>();
  for (const auto& [k, s] : entries) c->map.emplace(k, String(s));
  c->elem_type = "string";
  Value v;
  v.kind_ = Kind::kMap;
  v.c_ = std::move(c);
  return v;
}

Value Value::Struct(std::vector<std::pair<std::string, Value>> fields,
                    std::shared_ptr<const TypeInfo> type) {
  auto c = std::make_shared<Compound>();
  c->fields = std::move(fields);
  Value v;
  v.kind_ = Kind::kStruct;
  v.c_ = std::move(c);
  v.type_ = std::move(type);
  return v;
}

Value Value::FromFunc(Func f) {
  auto c = std::make_shared<Compound>();
  c->func = std::move(f);
  Value v;
  v.kind_ = Kind::kFunc;
  v.c_ = std::move(c);
  return v;
}

Value Value::FromTime(Time t) {
  auto c = std::make_shared<Compound>();
  c->time = std::move(t);
  Value v;
  v.kind_ = Kind::kTime;
  v.c_ = std::move(c);
  return v;
}

Value Value::FromDuration(Duration d) {
  Value v;
  v.kind_ = Kind::kDuration;
  v.i_ = d.ns;
  return v;
}

Value Value::WithType(std::shared_ptr<const TypeInfo> type) const {
  Value v = *this;
  v.type_ = std::move(type);
  return v;
}

Value Value::Boxed() const {
  Value v = *this;
  v.boxed_ = true;
  return v;
}

Value Value::Unboxed() const {
  Value v = *this;
  v.boxed_ = false;
  return v;
}

const List& Value::list() const {
  assert(kind_ == Kind::kList);
  return c_->list;
}

const Map& Value::map() const {
  assert(kind_ == Kind::kMap);
  return c_->map;
}

const std::string& Value::elem_type() const { return c_ ? c_->elem_type : EmptyString(); }

const std::vector<std::pair<std::string, Value>>& Value::fields() const {
  assert(kind_ == Kind::kStruct);
  return c_->fields;
}

const Func& Value::func() const {
  assert(kind_ == Kind::kFunc);
  return c_->func;
}

const Time& Value::time() const {
  assert(kind_ == Kind::kTime);
  return c_->time;
}

std::string Value::TypeName() const {
  if (type_) return type_->name;
  switch (kind_) {
    case Kind::kInvalid:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kList:
      return "[]" + c_->elem_type;
    case Kind::kMap:
      return "map[string]" + c_->elem_type;
    case Kind::kStruct:
      return "struct {}";
    case Kind::kFunc: {
      std::string s = "func(";
      const Func& f = c_->func;
      for (size_t i = 0; i < f.params.size(); ++i) s += (i ? ", " : "") + f.params[i];
      if (!f.variadic.empty()) s += (f.params.empty() ? "..." : ", ...") + f.variadic;
      return s + ") interface {}";
    }
    case Kind::kTime:
      return "time.Time";
    case Kind::kDuration:
      return "time.Duration";
  }
  return "";
}

const Value* Value::Field(std::string_view name) const {
  if (kind_ != Kind::kStruct) return nullptr;
  for (const auto& [n, v] : c_->fields)
    if (n == name) return &v;
  return nullptr;
}

const Func* Value::Method(std::string_view name) const {
  if (type_) {
    if (auto it = type_->methods.find(name); it != type_->methods.end()) return &it->second;
  }
  const std::map<std::string, Func, std::less<>>* builtin = nullptr;
  if (kind_ == Kind::kTime) builtin = &TimeMethods();
  if (kind_ == Kind::kDuration) builtin = &DurationMethods();
  if (builtin != nullptr) {
    if (auto it = builtin->find(name); it != builtin->end()) return &it->second;
  }
  return nullptr;
}

size_t Value::Len() const {
  switch (kind_) {
    case Kind::kString:
      return s_.size();
    case Kind::kList:
      return c_->list.size();
    case Kind::kMap:
      return c_->map.size();
    default:
      return 0;
  }
}

bool IsTrue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
      return false;
    case Value::Kind::kBool:
      return v.bool_value();
    case Value::Kind::kInt:
      return v.int_value() != 0;
    case Value::Kind::kDuration:
      return v.duration().ns != 0;
    case Value::Kind::kFloat:
      return v.float_value() != 0;
    case Value::Kind::kString:
    case Value::Kind::kList:
    case Value::Kind::kMap:
      return v.Len() > 0;
    case Value::Kind::kStruct:
    case Value::Kind::kFunc:
    case Value::Kind::kTime:
      return true;
  }
  return false;
}

}  // namespace tmpl
