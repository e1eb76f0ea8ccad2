// The dynamic values templates compute with, standing in for Go's reflect.Value: data passed to
// Execute, function arguments and results. Both users of the engine build their data from these:
// rules/ (alert annotations: $labels, $value, query results) and alerting/ (notification data:
// .Alerts, .CommonLabels, methods such as .Alerts.Firing).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "template/go_time.h"

namespace tmpl {

class Value;
using List = std::vector<Value>;
// Maps have string keys, kept sorted: Go's text/template ranges over and prints maps in key order.
using Map = std::map<std::string, Value, std::less<>>;

// The implementation of a template function or method. `args` holds the evaluated arguments,
// already checked against the declared parameter types (for a method, args[0] is the receiver).
// An error status becomes Go's "error calling NAME: MESSAGE"; its message is the Go error text.
using FuncImpl = std::function<base::Result<Value>(std::span<const Value> args)>;

// Go type names used in parameter declarations.
inline constexpr std::string_view kAnyType = "interface {}";
// Like kAnyType, but the argument may be Go's invalid value (a missing map key): what builtins
// such as eq, index and len declare as reflect.Value.
inline constexpr std::string_view kReflectValueType = "reflect.Value";

// A function callable from templates, with the Go signature text/template checks arguments
// against. A parameter type is a Go type name: "string", "int", "float64", "bool" (literal
// arguments are converted to these, as Go does), kAnyType, kReflectValueType, or any other name
// ("[]string", "time.Time", "template.queryResult") which a value must carry exactly; a value of
// type "*T" is accepted for "T" (Go's one automatic dereference).
struct Func {
  std::vector<std::string> params;
  // The element type of a final ...T parameter; empty when the function is not variadic.
  std::string variadic;
  FuncImpl impl;
};
using FuncMap = std::map<std::string, Func, std::less<>>;

// A named Go type with methods, for data that Go code would define as its own types
// (Alertmanager's template.KV with SortedPairs, template.Alerts with Firing). Immutable; shared.
struct TypeInfo {
  std::string name;  // as Go's reflect prints it: "template.KV", "*template.sample"
  // Printed by fmt with a leading '&' at the top level (a pointer to a struct, map or slice).
  bool pointer = false;
  // Methods; each Func receives the receiver as args[0] and declares only the other parameters.
  // A method named "String" (no parameters, returning a string) is used by fmt to print values
  // of this type, as Go's fmt.Stringer.
  std::map<std::string, Func, std::less<>> methods;
  // For structs: the encoding/json key of each field, in field order (Go's `json:"name"` tags);
  // empty or missing entries use the field name.
  std::vector<std::string> json_names;
};

// Value is one of Go's kinds. The invalid value is Go's zero reflect.Value: what a missing map
// key yields, printed as "<no value>" by an action and "<nil>" by fmt functions; nil is the same.
// Lists, maps and structs are immutable and shared between copies. Thread-compatible.
class Value {
 public:
  enum class Kind : uint8_t {
    kInvalid,
    kBool,
    kInt,    // Go int (64-bit)
    kFloat,  // float64
    kString,
    kList,  // slice
    kMap,   // map with string keys
    kStruct,
    kFunc,
    kTime,      // time.Time
    kDuration,  // time.Duration
  };

  Value() = default;
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double f);
  static Value String(std::string s);
  // A slice; `elem_type` names its element type ("[]interface {}" by default, "[]string" ...).
  static Value FromList(List items, std::string elem_type = std::string(kAnyType));
  static Value StringList(const std::vector<std::string>& items);
  // A map[string]interface{}; with missingkey=zero a missing key yields the invalid value.
  static Value FromMap(Map entries);
  // A map[string]string; with missingkey=zero a missing key yields "".
  static Value StringMap(const std::map<std::string, std::string, std::less<>>& entries);
  // A struct whose fields are looked up by name and printed in this order.
  static Value Struct(std::vector<std::pair<std::string, Value>> fields,
                      std::shared_ptr<const TypeInfo> type);
  static Value FromFunc(Func f);
  static Value FromTime(Time t);
  static Value FromDuration(Duration d);

  // The same value with a named type (methods, type name, String method).
  Value WithType(std::shared_ptr<const TypeInfo> type) const;
  // The value as held in a Go interface{} (an element of a []interface{}, a map[string]interface{}
  // or a struct field of type any): field errors then name "interface {}" as the type, and a nil
  // element is a nil interface rather than a missing value. Pipelines unbox their results.
  Value Boxed() const;
  Value Unboxed() const;
  bool boxed() const { return boxed_; }

  Kind kind() const { return kind_; }
  bool valid() const { return kind_ != Kind::kInvalid; }
  // Accessors; REQUIRES: the matching kind.
  bool bool_value() const { return b_; }
  int64_t int_value() const { return i_; }
  double float_value() const { return f_; }
  const std::string& string_value() const { return s_; }
  const List& list() const;
  const Map& map() const;
  // The element type of a list or map ("string", "interface {}").
  const std::string& elem_type() const;
  const std::vector<std::pair<std::string, Value>>& fields() const;
  const Func& func() const;
  const Time& time() const;
  Duration duration() const { return Duration{i_}; }
  const TypeInfo* type_info() const { return type_.get(); }
  const std::shared_ptr<const TypeInfo>& type_ptr() const { return type_; }

  // The Go type name, as reflect's Type.String(): "int", "float64", "string",
  // "map[string]string", "[]interface {}", "time.Time", or the TypeInfo's name.
  std::string TypeName() const;
  // A struct field by name, or nullptr.
  const Value* Field(std::string_view name) const;
  // A method of the value's type (TypeInfo methods, then time.Time/time.Duration's), or nullptr.
  const Func* Method(std::string_view name) const;
  // Go's length of a string, list or map; REQUIRES: one of those kinds.
  size_t Len() const;

 private:
  struct Compound;
  Kind kind_ = Kind::kInvalid;
  bool boxed_ = false;
  bool b_ = false;
  int64_t i_ = 0;
  double f_ = 0;
  std::string s_;
  std::shared_ptr<const Compound> c_;
  std::shared_ptr<const TypeInfo> type_;
};

// Go's truth of a value for if, with, and, or, not: false, 0, "", empty collections and nil
// are false; structs, times and functions are true.
bool IsTrue(const Value& v);

}  // namespace tmpl
