// Go's predefined template functions (text/template/funcs.go) and the escapers they use.
#include <cstdio>

#include "base/quote.h"
#include "template/go_fmt.h"
#include "template/template.h"

namespace tmpl {
namespace {

using Args = std::span<const Value>;

base::Status Error(std::string msg) { return base::InvalidArgument(std::move(msg)); }

// Go's reflect kinds that fmt and the comparison functions distinguish.
enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString };

BasicKind KindOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return BasicKind::kBool;
    case Value::Kind::kInt:
    case Value::Kind::kDuration:
      return BasicKind::kInt;
    case Value::Kind::kFloat:
      return BasicKind::kFloat;
    case Value::Kind::kString:
      return BasicKind::kString;
    default:
      return BasicKind::kInvalid;
  }
}

int64_t IntOf(const Value& v) {
  return v.kind() == Value::Kind::kInt ? v.int_value() : v.duration().ns;
}

bool IsComparable(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kList:
    case Value::Kind::kMap:
    case Value::Kind::kFunc:
      return false;
    case Value::Kind::kStruct:
      if (v.type_info() != nullptr && v.type_info()->pointer) return true;  // compared by address
      for (const auto& [n, f] : v.fields())
        if (f.valid() && !IsComparable(f)) return false;
      return true;
    default:
      return true;
  }
}

// Go's == on two interface values of the same dynamic type. REQUIRES: IsComparable(a).
bool Identical(const Value& a, const Value& b) {
  if (a.kind() != b.kind() || a.TypeName() != b.TypeName()) return false;
  switch (a.kind()) {
    case Value::Kind::kInvalid:
      return true;
    case Value::Kind::kBool:
      return a.bool_value() == b.bool_value();
    case Value::Kind::kInt:
      return a.int_value() == b.int_value();
    case Value::Kind::kDuration:
      return a.duration() == b.duration();
    case Value::Kind::kFloat:
      return a.float_value() == b.float_value();
    case Value::Kind::kString:
      return a.string_value() == b.string_value();
    case Value::Kind::kTime:
      return a.time().unix_seconds == b.time().unix_seconds && a.time().nanos == b.time().nanos &&
             a.time().location == b.time().location;
    case Value::Kind::kStruct: {
      if (a.type_info() != nullptr && a.type_info()->pointer) return &a.fields() == &b.fields();
      const auto& fa = a.fields();
      const auto& fb = b.fields();
      if (fa.size() != fb.size()) return false;
      for (size_t i = 0; i < fa.size(); ++i)
        if (!Identical(fa[i].second, fb[i].second)) return false;
      return true;
    }
    default:
      return false;
  }
}

base::Result<Value> Eq(Args a) {
  const Value& arg1 = a[0];
  if (a.size() < 2) return Error("missing argument for comparison");
  BasicKind k1 = KindOf(arg1);
  for (size_t i = 1; i < a.size(); ++i) {
    const Value& arg = a[i];
    BasicKind k2 = KindOf(arg);
    bool truth = false;
    if (k1 != k2) {
      if (arg1.valid() && arg.valid()) return Error("incompatible types for comparison");
    } else {
      switch (k1) {
        case BasicKind::kBool:
          truth = arg1.bool_value() == arg.bool_value();
          break;
        case BasicKind::kFloat:
          truth = arg1.float_value() == arg.float_value();
          break;
        case BasicKind::kInt:
          truth = IntOf(arg1) == IntOf(arg);
          break;
        case BasicKind::kString:
          truth = arg1.string_value() == arg.string_value();
          break;
        case BasicKind::kInvalid:
          if (!arg1.valid() || !arg.valid()) {
            truth = arg1.valid() == arg.valid();
          } else if (arg1.kind() != arg.kind()) {
            Value parts[] = {arg1, Value::String(arg1.TypeName()), Value::String(arg.TypeName()),
                             arg};
            return Error(Sprintf("non-comparable types %s: %v, %s: %v", parts));
          } else {
            if (!IsComparable(arg)) {
              Value parts[] = {arg, Value::String(arg.TypeName())};
              return Error(Sprintf("non-comparable type %s: %v", parts));
            }
            truth = Identical(arg1, arg);
          }
          break;
      }
    }
    if (truth) return Value::Bool(true);
  }
  return Value::Bool(false);
}

base::Result<bool> Lt(const Value& arg1, const Value& arg2) {
  BasicKind k1 = KindOf(arg1);
  if (k1 == BasicKind::kInvalid) return Error("invalid type for comparison");
  BasicKind k2 = KindOf(arg2);
  if (k2 == BasicKind::kInvalid) return Error("invalid type for comparison");
  if (k1 != k2) return Error("incompatible types for comparison");
  switch (k1) {
    case BasicKind::kFloat:
      return arg1.float_value() < arg2.float_value();
    case BasicKind::kInt:
      return IntOf(arg1) < IntOf(arg2);
    case BasicKind::kString:
      return arg1.string_value() < arg2.string_value();
    default:
      return Error("invalid type for comparison");
  }
}

base::Result<Value> Le(Args a) {
  ASSIGN_OR_RETURN(bool lt, Lt(a[0], a[1]));
  if (lt) return Value::Bool(true);
  return Eq(a);
}

// indexArg: an integer index in [0, cap].
base::Result<int64_t> IndexArg(const Value& index, size_t cap) {
  int64_t x;
  switch (index.kind()) {
    case Value::Kind::kInt:
    case Value::Kind::kDuration:
      x = IntOf(index);
      break;
    case Value::Kind::kInvalid:
      return Error("cannot index slice/array with nil");
    default:
      return Error("cannot index slice/array with type " + index.TypeName());
  }
  if (x < 0 || static_cast<uint64_t>(x) > cap)
    return Error("index out of range: " + std::to_string(x));
  return x;
}

base::Result<Value> Index(Args a) {
  Value item = a[0];
  if (!item.valid()) return Error("index of untyped nil");
  for (size_t i = 1; i < a.size(); ++i) {
    const Value& index = a[i];
    switch (item.kind()) {
      case Value::Kind::kInvalid:
        return Error("index of nil pointer");
      case Value::Kind::kList:
      case Value::Kind::kString: {
        ASSIGN_OR_RETURN(int64_t x, IndexArg(index, item.Len()));
        if (static_cast<size_t>(x) == item.Len()) {
          return Error(item.kind() == Value::Kind::kString ? "reflect: string index out of range"
                                                           : "reflect: slice index out of range");
        }
        if (item.kind() == Value::Kind::kString) {
          // A byte of the string, as Go's uint8.
          static const std::shared_ptr<const TypeInfo> uint8_type = [] {
            auto t = std::make_shared<TypeInfo>();
            t->name = "uint8";
            return t;
          }();
          auto byte = static_cast<unsigned char>(item.string_value()[static_cast<size_t>(x)]);
          item = Value::Int(byte).WithType(uint8_type);
        } else {
          item = item.list()[static_cast<size_t>(x)];
        }
        break;
      }
      case Value::Kind::kMap: {
        if (!index.valid()) return Error("value is nil; should be of type string");
        if (index.kind() != Value::Kind::kString || index.type_info() != nullptr) {
          return Error("value has type " + index.TypeName() + "; should be string");
        }
        auto it = item.map().find(index.string_value());
        if (it != item.map().end()) {
          item = it->second;
        } else {
          item = item.elem_type() == "string" ? Value::String("") : Value();
        }
        break;
      }
      default:
        return Error("can't index item of type " + item.TypeName());
    }
  }
  return item;
}

base::Result<Value> Slice(Args a) {
  const Value& item = a[0];
  if (!item.valid()) return Error("slice of untyped nil");
  size_t nidx = a.size() - 1;
  if (nidx > 3) return Error("too many slice indexes: " + std::to_string(nidx));
  size_t cap;
  switch (item.kind()) {
    case Value::Kind::kString:
      if (nidx == 3) return Error("cannot 3-index slice a string");
      cap = item.Len();
      break;
    case Value::Kind::kList:
      cap = item.Len();
      break;
    default:
      return Error("can't slice item of type " + item.TypeName());
  }
  int64_t idx[3] = {0, static_cast<int64_t>(item.Len()), 0};
  for (size_t i = 0; i < nidx; ++i) {
    ASSIGN_OR_RETURN(idx[i], IndexArg(a[i + 1], cap));
  }
  if (idx[0] > idx[1]) {
    return Error("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  }
  if (nidx == 3 && idx[1] > idx[2]) {
    return Error("invalid slice index: " + std::to_string(idx[1]) + " > " + std::to_string(idx[2]));
  }
  auto lo = static_cast<size_t>(idx[0]);
  auto hi = static_cast<size_t>(idx[1]);
  if (item.kind() == Value::Kind::kString) {
    Value v = Value::String(item.string_value().substr(lo, hi - lo));
    return item.type_info() ? v.WithType(item.type_ptr()) : v;
  }
  List out(item.list().begin() + static_cast<std::ptrdiff_t>(lo),
           item.list().begin() + static_cast<std::ptrdiff_t>(hi));
  Value v = Value::FromList(std::move(out), item.elem_type());
  return item.type_info() ? v.WithType(item.type_ptr()) : v;
}

base::Result<Value> Len(Args a) {
  const Value& item = a[0];
  switch (item.kind()) {
    case Value::Kind::kString:
    case Value::Kind::kList:
    case Value::Kind::kMap:
      return Value::Int(static_cast<int64_t>(item.Len()));
    case Value::Kind::kInvalid:
      if (item.boxed()) return Error("len of nil pointer");
      return Error("reflect: call of reflect.Value.Type on zero Value");
    default:
      return Error("len of type " + item.TypeName());
  }
}

// prepareArg for call: nil for nil-able types, exact types, integer conversions.
base::Result<Value> PrepareArg(const Value& value, const std::string& arg_type) {
  if (!value.valid()) {
    bool can_be_nil = arg_type == kAnyType || arg_type == kReflectValueType ||
                      arg_type.starts_with("*") || arg_type.starts_with("[]") ||
                      arg_type.starts_with("map[") || arg_type.starts_with("func(");
    if (!can_be_nil) return Error("value is nil; should be of type " + arg_type);
    return Value();
  }
  if (arg_type == kAnyType || arg_type == kReflectValueType || value.TypeName() == arg_type) {
    return value;
  }
  return Error("value has type " + value.TypeName() + "; should be " + arg_type);
}

base::Result<Value> Call(Args a) {
  const Value& fn = a[0];
  if (!fn.valid()) return Error("call of nil");
  if (fn.kind() != Value::Kind::kFunc) return Error("non-function of type " + fn.TypeName());
  const Func& f = fn.func();
  size_t nargs = a.size() - 1;
  size_t num_in = f.params.size() + (f.variadic.empty() ? 0 : 1);
  if (!f.variadic.empty()) {
    if (nargs < num_in - 1) {
      return Error("wrong number of args: got " + std::to_string(nargs) + " want at least " +
                   std::to_string(num_in - 1));
    }
  } else if (nargs != num_in) {
    return Error("wrong number of args: got " + std::to_string(nargs) + " want " +
                 std::to_string(num_in));
  }
  std::vector<Value> argv;
  for (size_t i = 0; i < nargs; ++i) {
    const std::string& t = i < f.params.size() ? f.params[i] : f.variadic;
    auto v = PrepareArg(a[i + 1], t);
    if (!v.ok()) return Error("arg " + std::to_string(i) + ": " + v.error().message());
    argv.push_back(std::move(*v));
  }
  return f.impl(argv);
}

// evalArgs: one string argument as is, otherwise fmt.Sprint of the printable values.
std::string EvalArgs(Args a) {
  if (a.size() == 1 && a[0].kind() == Value::Kind::kString) return a[0].string_value();
  std::vector<Value> printable;
  for (const Value& v : a) printable.push_back(v.valid() ? v : Value::String("<no value>"));
  return Sprint(printable);
}

FuncMap MakeBuiltins() {
  const std::string rv(kReflectValueType);
  const std::string any(kAnyType);
  FuncMap m;
  auto unreachable = [](Args) -> base::Result<Value> { return Error("unreachable"); };
  m["and"] = {{rv}, rv, unreachable};
  m["or"] = {{rv}, rv, unreachable};
  m["not"] = {{rv}, "", [](Args a) -> base::Result<Value> { return Value::Bool(!IsTrue(a[0])); }};
  m["len"] = {{rv}, "", Len};
  m["index"] = {{rv}, rv, Index};
  m["slice"] = {{rv}, rv, Slice};
  m["call"] = {{rv}, rv, Call};
  m["html"] = {{}, any, [](Args a) -> base::Result<Value> {
                 return Value::String(HtmlEscape(EvalArgs(a)));
               }};
  m["js"] = {
      {}, any, [](Args a) -> base::Result<Value> { return Value::String(JsEscape(EvalArgs(a))); }};
  m["urlquery"] = {{}, any, [](Args a) -> base::Result<Value> {
                     return Value::String(QueryEscape(EvalArgs(a)));
                   }};
  m["print"] = {{}, any, [](Args a) -> base::Result<Value> { return Value::String(Sprint(a)); }};
  m["println"] = {
      {}, any, [](Args a) -> base::Result<Value> { return Value::String(Sprintln(a)); }};
  m["printf"] = {{"string"}, any, [](Args a) -> base::Result<Value> {
                   return Value::String(Sprintf(a[0].string_value(), a.subspan(1)));
                 }};
  m["eq"] = {{rv}, rv, Eq};
  m["ne"] = {{rv, rv}, "", [](Args a) -> base::Result<Value> {
               ASSIGN_OR_RETURN(Value eq, Eq(a));
               return Value::Bool(!eq.bool_value());
             }};
  m["lt"] = {{rv, rv}, "", [](Args a) -> base::Result<Value> {
               ASSIGN_OR_RETURN(bool lt, Lt(a[0], a[1]));
               return Value::Bool(lt);
             }};
  m["le"] = {{rv, rv}, "", Le};
  m["gt"] = {{rv, rv}, "", [](Args a) -> base::Result<Value> {
               ASSIGN_OR_RETURN(Value le, Le(a));
               return Value::Bool(!le.bool_value());
             }};
  m["ge"] = {{rv, rv}, "", [](Args a) -> base::Result<Value> {
               ASSIGN_OR_RETURN(bool lt, Lt(a[0], a[1]));
               return Value::Bool(!lt);
             }};
  return m;
}

int UnHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const FuncMap& BuiltinFuncs() {
  static const FuncMap builtins = MakeBuiltins();
  return builtins;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    int32_t r;
    size_t w = base::DecodeRune(s, i, &r);
    if (base::IsGoPrint(r)) {
      out.append(s.substr(i, w));
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r));
      out += buf;
    }
    i += w;
  }
  return out;
}

std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

base::Result<std::string> QueryUnescape(std::string_view s) {
  // Validate first, as Go's unescape, so the error names the first bad escape.
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || UnHex(s[i + 1]) < 0 || UnHex(s[i + 2]) < 0) {
      std::string_view bad = s.substr(i, 3);
      return base::InvalidArgument("invalid URL escape " + base::GoQuote(bad));
    }
    i += 2;
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      out.push_back(static_cast<char>(UnHex(s[i + 1]) << 4 | UnHex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace tmpl
