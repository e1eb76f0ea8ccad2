#include "template/go_fmt.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/quote.h"
#include "base/strconv.h"

namespace tmpl {
namespace {

constexpr char kLowerDigits[] = "0123456789abcdefx";
constexpr char kUpperDigits[] = "0123456789ABCDEFX";

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    int32_t r;
    i += base::DecodeRune(s, i, &r);
  }
  return n;
}

// strconv.QuoteToASCII.
std::string QuoteToAscii(std::string_view s) {
  std::string q = base::GoQuote(s);
  std::string out;
  for (size_t i = 0; i < q.size();) {
    int32_t r;
    size_t w = base::DecodeRune(q, i, &r);
    if (r < 0x80 || (r == base::kRuneError && w == 1)) {
      out.append(q, i, w);
    } else {
      char buf[16];
      if (r < 0x10000) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
      } else {
        std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
      }
      out += buf;
    }
    i += w;
  }
  return out;
}

// Go's fmt.pp: one formatting run over a buffer.
class Printer {
 public:
  std::string buf;
  bool deref_top_pointer = false;

  void DoPrint(std::span<const Value> args) {
    bool prev_string = false;
    for (size_t i = 0; i < args.size(); ++i) {
      bool is_string = args[i].kind() == Value::Kind::kString;
      if (i > 0 && !is_string && !prev_string) buf.push_back(' ');
      PrintArg(args[i], 'v');
      prev_string = is_string;
    }
  }

  void DoPrintln(std::span<const Value> args) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) buf.push_back(' ');
      PrintArg(args[i], 'v');
    }
    buf.push_back('\n');
  }

  void DoPrintf(std::string_view format, std::span<const Value> a);

  void PrintArg(const Value& arg, int32_t verb) {
    if (!arg.valid()) {
      if (verb == 'T' || verb == 'v') {
        PadString("<nil>");
      } else {
        BadVerb(verb, arg);
      }
      return;
    }
    if (verb == 'T') {
      FmtS(arg.TypeName());
      return;
    }
    if (verb == 'p') {
      FmtPointer(arg, verb);
      return;
    }
    if (HandleMethods(arg, verb)) return;
    PrintValue(arg, verb, 0);
  }

 private:
  struct Flags {
    bool wid_present = false, prec_present = false, minus = false, plus = false, sharp = false,
         space = false, zero = false, plus_v = false, sharp_v = false;
  };
  Flags f_;
  int wid_ = 0, prec_ = 0;
  bool erroring_ = false;
  bool reordered_ = false, good_arg_num_ = true;

  void ClearFlags() {
    f_ = Flags{};
    wid_ = prec_ = 0;
  }

  void WritePadding(int n) {
    if (n <= 0) return;
    buf.append(static_cast<size_t>(n), f_.zero ? '0' : ' ');
  }

  void Pad(std::string_view s) {
    if (!f_.wid_present || wid_ == 0) {
      buf += s;
      return;
    }
    int width = wid_ - static_cast<int>(RuneCount(s));
    if (!f_.minus) {
      WritePadding(width);
      buf += s;
    } else {
      buf += s;
      WritePadding(width);
    }
  }
  void PadString(std::string_view s) { Pad(s); }

  std::string_view TruncateString(std::string_view s) const {
    if (f_.prec_present) {
      int n = prec_;
      for (size_t i = 0; i < s.size();) {
        if (--n < 0) return s.substr(0, i);
        int32_t r;
        i += base::DecodeRune(s, i, &r);
      }
    }
    return s;
  }

  void FmtS(std::string_view s) { PadString(TruncateString(s)); }

  void FmtSx(std::string_view s, const char* digits) {
    size_t length = s.size();
    if (f_.prec_present && static_cast<size_t>(prec_) < length) length = static_cast<size_t>(prec_);
    int width = 2 * static_cast<int>(length);
    if (width > 0) {
      if (f_.space) {
        if (f_.sharp) width *= 2;
        width += static_cast<int>(length) - 1;
      } else if (f_.sharp) {
        width += 2;
      }
    } else {
      if (f_.wid_present) WritePadding(wid_);
      return;
    }
    if (f_.wid_present && wid_ > width && !f_.minus) WritePadding(wid_ - width);
    if (f_.sharp) {
      buf.push_back('0');
      buf.push_back(digits[16]);
    }
    for (size_t i = 0; i < length; ++i) {
      if (f_.space && i > 0) {
        buf.push_back(' ');
        if (f_.sharp) {
          buf.push_back('0');
          buf.push_back(digits[16]);
        }
      }
      auto c = static_cast<uint8_t>(s[i]);
      buf.push_back(digits[c >> 4]);
      buf.push_back(digits[c & 0xF]);
    }
    if (f_.wid_present && wid_ > width && f_.minus) WritePadding(wid_ - width);
  }

  void FmtQ(std::string_view s) {
    s = TruncateString(s);
    if (f_.sharp && s.find('`') == std::string_view::npos) {
      bool can = true;
      for (size_t i = 0; i < s.size() && can;) {
        int32_t r;
        size_t w = base::DecodeRune(s, i, &r);
        if ((r == base::kRuneError && w == 1) || r == 0xFEFF) can = false;
        if (r < ' ' && r != '\t') can = false;
        if (r == 0x7F) can = false;
        i += w;
      }
      if (can) {
        PadString("`" + std::string(s) + "`");
        return;
      }
    }
    Pad(f_.plus ? QuoteToAscii(s) : base::GoQuote(s));
  }

  void FmtBoolean(bool v) { PadString(v ? "true" : "false"); }

  void FmtInteger(uint64_t u, int base, bool is_signed, int32_t verb, const char* digits) {
    bool negative = is_signed && static_cast<int64_t>(u) < 0;
    if (negative) u = 0 - u;
    std::string b;  // built right to left
    int prec = 0;
    if (f_.prec_present) {
      prec = prec_;
      if (prec == 0 && u == 0) {
        bool old_zero = f_.zero;
        f_.zero = false;
        WritePadding(wid_);
        f_.zero = old_zero;
        return;
      }
    } else if (f_.zero && f_.wid_present) {
      prec = wid_;
      if (negative || f_.plus || f_.space) --prec;
    }
    auto ubase = static_cast<uint64_t>(base);
    while (u >= ubase) {
      b.push_back(digits[u % ubase]);
      u /= ubase;
    }
    b.push_back(digits[u]);
    while (static_cast<int>(b.size()) < prec) b.push_back('0');
    if (f_.sharp) {
      switch (base) {
        case 2:
          b += "b0";
          break;
        case 8:
          if (b.back() != '0') b.push_back('0');
          break;
        case 16:
          b.push_back(digits[16]);
          b.push_back('0');
          break;
      }
    }
    if (verb == 'O') b += "o0";
    if (negative) {
      b.push_back('-');
    } else if (f_.plus) {
      b.push_back('+');
    } else if (f_.space) {
      b.push_back(' ');
    }
    std::string out(b.rbegin(), b.rend());
    bool old_zero = f_.zero;
    f_.zero = false;
    Pad(out);
    f_.zero = old_zero;
  }

  void FmtC(uint64_t c) {
    int32_t r =
        c > static_cast<uint64_t>(base::kMaxRune) ? base::kRuneError : static_cast<int32_t>(c);
    std::string s;
    base::AppendRune(&s, r);
    Pad(s);
  }

  void FmtQc(uint64_t c) {
    int32_t r =
        c > static_cast<uint64_t>(base::kMaxRune) ? base::kRuneError : static_cast<int32_t>(c);
    std::string q = base::GoQuoteRune(r);
    if (f_.plus && r >= 0x80) {
      char tmp[16];
      if (r < 0x10000) {
        std::snprintf(tmp, sizeof tmp, "'\\u%04x'", static_cast<unsigned>(r));
      } else {
        std::snprintf(tmp, sizeof tmp, "'\\U%08x'", static_cast<unsigned>(r));
      }
      q = tmp;
    }
    Pad(q);
  }

  void FmtUnicode(uint64_t u) {
    int prec = 4;
    if (f_.prec_present && prec_ > 4) prec = prec_;
    std::string hex;
    uint64_t v = u;
    do {
      hex.push_back(kUpperDigits[v & 0xF]);
      v >>= 4;
    } while (v != 0);
    while (static_cast<int>(hex.size()) < prec) hex.push_back('0');
    std::string out = "U+" + std::string(hex.rbegin(), hex.rend());
    if (f_.sharp && u <= static_cast<uint64_t>(base::kMaxRune) &&
        base::IsGoPrint(static_cast<int32_t>(u))) {
      out += " '";
      base::AppendRune(&out, static_cast<int32_t>(u));
      out += "'";
    }
    bool old_zero = f_.zero;
    f_.zero = false;
    Pad(out);
    f_.zero = old_zero;
  }

  void FmtFloat(double v, int32_t verb, int prec) {
    if (f_.prec_present) prec = prec_;
    std::string num = FormatFloat(v, static_cast<char>(verb), prec);
    if (num[0] == '-' || num[0] == '+') {
      // keep the sign
    } else {
      num.insert(num.begin(), '+');
    }
    if (f_.space && num[0] == '+' && !f_.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool old_zero = f_.zero;
      f_.zero = false;
      if (num[1] == 'N' && !f_.space && !f_.plus) num.erase(0, 1);
      Pad(num);
      f_.zero = old_zero;
      return;
    }
    if (f_.sharp && verb != 'b') {
      int digits = 0;
      if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') {
        digits = prec;
        if (digits == -1) digits = 6;
      }
      std::string tail;
      bool has_point = false, saw_nonzero = false;
      for (size_t i = 1; i < num.size(); ++i) {
        char c = num[i];
        if (c == '.') {
          has_point = true;
        } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
          tail = num.substr(i);
          num.resize(i);
          break;
        } else {
          if (c != '0') saw_nonzero = true;
          if (saw_nonzero) --digits;
        }
      }
      if (!has_point) {
        if (num.size() == 2 && num[1] == '0') --digits;
        num.push_back('.');
      }
      while (digits > 0) {
        num.push_back('0');
        --digits;
      }
      num += tail;
    }
    if (f_.plus || num[0] != '+') {
      if (f_.zero && f_.wid_present && wid_ > static_cast<int>(num.size())) {
        buf.push_back(num[0]);
        WritePadding(wid_ - static_cast<int>(num.size()));
        buf.append(num, 1);
        return;
      }
      Pad(num);
      return;
    }
    Pad(std::string_view(num).substr(1));
  }

  void BadVerb(int32_t verb, const Value& arg) {
    erroring_ = true;
    buf += "%!";
    base::AppendRune(&buf, verb);
    buf.push_back('(');
    if (arg.valid()) {
      buf += arg.TypeName();
      buf.push_back('=');
      PrintArg(arg, 'v');
    } else {
      buf += "<nil>";
    }
    buf.push_back(')');
    erroring_ = false;
  }

  void FmtPointer(const Value& v, int32_t verb) {
    // Hestia values have no addresses; reference kinds print as a nil pointer would not, so
    // they print as 0x0-style placeholders only for %p and %v of functions.
    switch (v.kind()) {
      case Value::Kind::kList:
      case Value::Kind::kMap:
      case Value::Kind::kFunc:
        break;
      default:
        BadVerb(verb, v);
        return;
    }
    if (verb == 'v' || verb == 'p') {
      buf += "0x0";
    } else {
      BadVerb(verb, v);
    }
  }

  // A String method (fmt.Stringer) for %v %s %x %X %q.
  bool HandleMethods(const Value& arg, int32_t verb) {
    if (erroring_ || f_.sharp_v) return false;
    if (verb != 'v' && verb != 's' && verb != 'x' && verb != 'X' && verb != 'q') return false;
    const Func* m = arg.Method("String");
    if (m == nullptr || !m->params.empty() || !m->variadic.empty()) return false;
    Value self[] = {arg};
    auto r = m->impl(self);
    if (!r.ok() || r->kind() != Value::Kind::kString) return false;
    FmtString(r->string_value(), verb, *r);
    return true;
  }

  // `orig` is the value printed, for the %!verb(type=value) error form.
  void FmtString(std::string_view s, int32_t verb, const Value& orig) {
    switch (verb) {
      case 'v':
        if (f_.sharp_v) {
          FmtQ(s);
        } else {
          FmtS(s);
        }
        break;
      case 's':
        FmtS(s);
        break;
      case 'x':
        FmtSx(s, kLowerDigits);
        break;
      case 'X':
        FmtSx(s, kUpperDigits);
        break;
      case 'q':
        FmtQ(s);
        break;
      default:
        BadVerb(verb, orig);
    }
  }

  void FmtIntegerVerb(const Value& arg, uint64_t v, bool is_signed, int32_t verb) {
    switch (verb) {
      case 'v':
        if (f_.sharp_v && !is_signed) {
          bool sharp = f_.sharp;
          f_.sharp = true;
          FmtInteger(v, 16, false, 'v', kLowerDigits);
          f_.sharp = sharp;
        } else {
          FmtInteger(v, 10, is_signed, verb, kLowerDigits);
        }
        break;
      case 'd':
        FmtInteger(v, 10, is_signed, verb, kLowerDigits);
        break;
      case 'b':
        FmtInteger(v, 2, is_signed, verb, kLowerDigits);
        break;
      case 'o':
      case 'O':
        FmtInteger(v, 8, is_signed, verb, kLowerDigits);
        break;
      case 'x':
        FmtInteger(v, 16, is_signed, verb, kLowerDigits);
        break;
      case 'X':
        FmtInteger(v, 16, is_signed, verb, kUpperDigits);
        break;
      case 'c':
        FmtC(v);
        break;
      case 'q':
        FmtQc(v);
        break;
      case 'U':
        FmtUnicode(v);
        break;
      default:
        BadVerb(verb, arg);
    }
  }

  void FmtFloatVerb(const Value& arg, double v, int32_t verb) {
    switch (verb) {
      case 'v':
        FmtFloat(v, 'g', -1);
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        FmtFloat(v, verb, -1);
        break;
      case 'f':
      case 'e':
      case 'E':
        FmtFloat(v, verb, 6);
        break;
      case 'F':
        FmtFloat(v, 'f', 6);
        break;
      default:
        BadVerb(verb, arg);
    }
  }

  void PrintValue(const Value& v, int32_t verb, int depth) {
    if (depth > 0 && v.valid() && HandleMethods(v, verb)) return;
    switch (v.kind()) {
      case Value::Kind::kInvalid:
        if (depth == 0) {
          buf += "<invalid reflect.Value>";
        } else if (verb == 'v') {
          buf += "<nil>";
        } else {
          BadVerb(verb, v);
        }
        break;
      case Value::Kind::kBool:
        if (verb == 't' || verb == 'v') {
          FmtBoolean(v.bool_value());
        } else {
          BadVerb(verb, v);
        }
        break;
      case Value::Kind::kInt:
        FmtIntegerVerb(v, static_cast<uint64_t>(v.int_value()), true, verb);
        break;
      case Value::Kind::kDuration:
        FmtIntegerVerb(v, static_cast<uint64_t>(v.duration().ns), true, verb);
        break;
      case Value::Kind::kFloat:
        FmtFloatVerb(v, v.float_value(), verb);
        break;
      case Value::Kind::kString:
        FmtString(v.string_value(), verb, v);
        break;
      case Value::Kind::kMap: {
        if (IsPointer(v, depth)) buf.push_back('&');
        if (f_.sharp_v) {
          buf += v.TypeName();
          buf.push_back('{');
        } else {
          buf += "map[";
        }
        bool first = true;
        for (const auto& [k, e] : v.map()) {
          if (!first) buf += f_.sharp_v ? ", " : " ";
          first = false;
          PrintValue(Value::String(k), verb, depth + 1);
          buf.push_back(':');
          PrintValue(e, verb, depth + 1);
        }
        buf.push_back(f_.sharp_v ? '}' : ']');
        break;
      }
      case Value::Kind::kStruct: {
        if (IsPointer(v, depth)) buf.push_back('&');
        if (f_.sharp_v) buf += v.TypeName();
        buf.push_back('{');
        bool first = true;
        for (const auto& [name, e] : v.fields()) {
          if (!first) buf += f_.sharp_v ? ", " : " ";
          first = false;
          if (f_.plus_v || f_.sharp_v) {
            buf += name;
            buf.push_back(':');
          }
          PrintValue(e, verb, depth + 1);
        }
        buf.push_back('}');
        break;
      }
      case Value::Kind::kList: {
        if (IsPointer(v, depth)) buf.push_back('&');
        if (f_.sharp_v) {
          buf += v.TypeName();
          buf.push_back('{');
        } else {
          buf.push_back('[');
        }
        bool first = true;
        for (const auto& e : v.list()) {
          if (!first) buf += f_.sharp_v ? ", " : " ";
          first = false;
          PrintValue(e, verb, depth + 1);
        }
        buf.push_back(f_.sharp_v ? '}' : ']');
        break;
      }
      case Value::Kind::kFunc:
        FmtPointer(v, verb);
        break;
      case Value::Kind::kTime:
        BadVerb(verb, v);
        break;
    }
  }

  // Whether to print the '&' of a pointer. Go prints nested pointers as addresses; Hestia's
  // values have none, so a nested pointer to a struct prints as &{...} too.
  bool IsPointer(const Value& v, int depth) const {
    if (v.type_info() == nullptr || !v.type_info()->pointer) return false;
    return !(depth == 0 && deref_top_pointer);
  }

  static bool TooLarge(int64_t x) { return x > 1000000 || x < -1000000; }

  // intFromArg.
  bool IntFromArg(std::span<const Value> a, size_t* arg_num, int* out) {
    bool is_int = false;
    int num = 0;
    if (*arg_num < a.size()) {
      const Value& v = a[*arg_num];
      if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kDuration) {
        int64_t n = v.kind() == Value::Kind::kInt ? v.int_value() : v.duration().ns;
        if (!TooLarge(n)) {
          num = static_cast<int>(n);
          is_int = true;
        }
      }
      ++*arg_num;
    }
    *out = num;
    return is_int;
  }

  static bool ParseNum(std::string_view s, size_t start, size_t end, int* num, size_t* newi) {
    if (start >= end) {
      *num = 0;
      *newi = start;
      return false;
    }
    int n = 0;
    bool ok = false;
    size_t i = start;
    for (; i < end && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (TooLarge(n)) {
        *num = 0;
        *newi = end;
        return false;
      }
      n = n * 10 + (s[i] - '0');
      ok = true;
    }
    *num = n;
    *newi = i;
    return ok;
  }

  // argNumber: an explicit [n] index at format[i].
  void ArgNumber(size_t* arg_num, std::string_view format, size_t* i, size_t num_args,
                 bool* found) {
    *found = false;
    if (format.size() <= *i || format[*i] != '[') return;
    reordered_ = true;
    std::string_view f = format.substr(*i);
    int index = 0;
    size_t wid = 1;
    bool ok = false;
    if (f.size() >= 3) {
      for (size_t j = 1; j < f.size(); ++j) {
        if (f[j] == ']') {
          int width;
          size_t newi;
          bool pok = ParseNum(f, 1, j, &width, &newi);
          if (!pok || newi != j) {
            wid = j + 1;
            ok = false;
          } else {
            index = width - 1;
            wid = j + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && static_cast<size_t>(index) < num_args) {
      *arg_num = static_cast<size_t>(index);
      *i += wid;
      *found = true;
      return;
    }
    good_arg_num_ = false;
    *i += wid;
    *found = ok;
  }
};

void Printer::DoPrintf(std::string_view format, std::span<const Value> a) {
  size_t end = format.size();
  size_t arg_num = 0;
  bool after_index = false;
  reordered_ = false;
  for (size_t i = 0; i < end;) {
    good_arg_num_ = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) buf.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;
    ClearFlags();
    bool simple_done = false;
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') {
        f_.sharp = true;
      } else if (c == '0') {
        f_.zero = !f_.minus;
      } else if (c == '+') {
        f_.plus = true;
      } else if (c == '-') {
        f_.minus = true;
        f_.zero = false;
      } else if (c == ' ') {
        f_.space = true;
      } else {
        if (c >= 'a' && c <= 'z' && arg_num < a.size()) {
          if (c == 'v') {
            f_.sharp_v = f_.sharp;
            f_.sharp = false;
            f_.plus_v = f_.plus;
            f_.plus = false;
          }
          PrintArg(a[arg_num], c);
          ++arg_num;
          ++i;
          simple_done = true;
        }
        break;
      }
    }
    if (simple_done) continue;

    ArgNumber(&arg_num, format, &i, a.size(), &after_index);

    if (i < end && format[i] == '*') {
      ++i;
      f_.wid_present = IntFromArg(a, &arg_num, &wid_);
      if (!f_.wid_present) buf += "%!(BADWIDTH)";
      if (wid_ < 0) {
        wid_ = -wid_;
        f_.minus = true;
        f_.zero = false;
      }
      after_index = false;
    } else {
      size_t newi;
      f_.wid_present = ParseNum(format, i, end, &wid_, &newi);
      i = newi;
      if (after_index && f_.wid_present) good_arg_num_ = false;
    }

    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num_ = false;
      ArgNumber(&arg_num, format, &i, a.size(), &after_index);
      if (i < end && format[i] == '*') {
        ++i;
        f_.prec_present = IntFromArg(a, &arg_num, &prec_);
        if (prec_ < 0) {
          prec_ = 0;
          f_.prec_present = false;
        }
        if (!f_.prec_present) buf += "%!(BADPREC)";
        after_index = false;
      } else {
        size_t newi;
        f_.prec_present = ParseNum(format, i, end, &prec_, &newi);
        i = newi;
        if (!f_.prec_present) {
          prec_ = 0;
          f_.prec_present = true;
        }
      }
    }

    if (!after_index) ArgNumber(&arg_num, format, &i, a.size(), &after_index);

    if (i >= end) {
      buf += "%!(NOVERB)";
      break;
    }

    int32_t verb = static_cast<unsigned char>(format[i]);
    size_t size = 1;
    if (verb >= 0x80) size = base::DecodeRune(format, i, &verb);
    i += size;

    if (verb == '%') {
      buf.push_back('%');
    } else if (!good_arg_num_) {
      buf += "%!";
      base::AppendRune(&buf, verb);
      buf += "(BADINDEX)";
    } else if (arg_num >= a.size()) {
      buf += "%!";
      base::AppendRune(&buf, verb);
      buf += "(MISSING)";
    } else {
      if (verb == 'v') {
        f_.sharp_v = f_.sharp;
        f_.sharp = false;
        f_.plus_v = f_.plus;
        f_.plus = false;
      }
      PrintArg(a[arg_num], verb);
      ++arg_num;
    }
  }
  if (!reordered_ && arg_num < a.size()) {
    ClearFlags();
    buf += "%!(EXTRA ";
    for (size_t k = arg_num; k < a.size(); ++k) {
      if (k > arg_num) buf += ", ";
      if (!a[k].valid()) {
        buf += "<nil>";
      } else {
        buf += a[k].TypeName();
        buf.push_back('=');
        PrintArg(a[k], 'v');
      }
    }
    buf.push_back(')');
  }
}

}  // namespace

std::string FormatFloat(double v, char fmt, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  switch (fmt) {
    case 'g':
    case 'G':
      if (prec < 0) {
        std::string s = base::FormatFloatG(v);
        if (fmt == 'G') {
          for (char& c : s)
            if (c == 'e') c = 'E';
        }
        return s;
      }
      break;
    case 'e':
    case 'E':
    case 'f':
      if (prec < 0) {
        if (fmt == 'f') return base::FormatFloatF(v);
        // Shortest digits in exponent form.
        char tmp[64];
        for (int p = 0; p < 17; ++p) {
          std::snprintf(tmp, sizeof tmp, "%.*e", p, v);
          if (std::strtod(tmp, nullptr) == v) break;
        }
        std::string s = tmp;
        if (fmt == 'E') {
          for (char& c : s)
            if (c == 'e') c = 'E';
        }
        return s;
      }
      break;
    case 'x':
    case 'X': {
      char tmp[64];
      if (prec < 0) {
        std::snprintf(tmp, sizeof tmp, "%a", v);
      } else {
        std::snprintf(tmp, sizeof tmp, "%.*a", prec, v);
      }
      std::string s = tmp;
      // Go writes at least two exponent digits ("0x1p+00").
      size_t p = s.find('p');
      if (p != std::string::npos && s.size() - p == 3) s.insert(p + 2, "0");
      if (fmt == 'X') {
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      return s;
    }
    case 'b': {
      // mantissa "p" binary exponent, as strconv's 'b' format.
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      bool neg = bits >> 63;
      int exp = static_cast<int>((bits >> 52) & 0x7FF);
      uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
      if (exp == 0) {
        exp = 1;
      } else {
        mant |= uint64_t{1} << 52;
      }
      exp -= 1075;
      std::string s = neg ? "-" : "";
      s += std::to_string(mant);
      s += 'p';
      s += exp >= 0 ? "+" : "-";
      s += std::to_string(exp >= 0 ? exp : -exp);
      return s;
    }
    default:
      return std::string("%") + fmt;
  }
  char tmp[512];
  char spec[8] = {'%', '.', '*', fmt, '\0'};
  int n = std::snprintf(tmp, sizeof tmp, spec, prec, v);
  if (n >= 0 && static_cast<size_t>(n) < sizeof tmp) return tmp;
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), spec, prec, v);
  big.resize(static_cast<size_t>(n));
  return big;
}

std::string Sprint(std::span<const Value> args) {
  Printer p;
  p.DoPrint(args);
  return std::move(p.buf);
}

std::string Sprintln(std::span<const Value> args) {
  Printer p;
  p.DoPrintln(args);
  return std::move(p.buf);
}

std::string Sprintf(std::string_view format, std::span<const Value> args) {
  Printer p;
  p.DoPrintf(format, args);
  return std::move(p.buf);
}

std::string FormatValue(const Value& v) {
  Printer p;
  p.PrintArg(v, 'v');
  return std::move(p.buf);
}

std::string FormatActionValue(const Value& v) {
  Printer p;
  p.deref_top_pointer = true;
  p.PrintArg(v, 'v');
  return std::move(p.buf);
}

}  // namespace tmpl
