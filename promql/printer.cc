#include "promql/printer.h"

#include "base/duration.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "base/strconv.h"
#include "model/labels.h"
#include "promql/functions.h"
#include "base/quote.h"

namespace promql {
namespace {

// Go's int64(f) on amd64 (minimum int64 for NaN and out-of-range values).
int64_t FloatToInt64(double f) {
  constexpr double kLimit = 9223372036854775808.0;
  if (!(f >= -kLimit && f < kLimit)) return INT64_MIN;
  return static_cast<int64_t>(f);
}

// A label name as Prometheus's writeLabels: quoted unless it is a legacy label name.
bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void WriteLabels(std::string* out, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) *out += ", ";
    *out += IsLegacyLabelName(labels[i]) ? labels[i] : base::GoQuote(labels[i]);
  }
}

// labels.Matcher.String(): name (quoted unless a plain identifier), operator, quoted value.
std::string MatcherString(const model::Matcher& m) {
  std::string out = IsLegacyLabelName(m.name()) ? m.name() : base::GoQuote(m.name());
  out += model::MatchTypeString(m.type());
  out += base::GoQuote(m.value());
  return out;
}

std::string FormatFixed3(double v) {
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string AtString(const TimeModifiers& m) {
  if (m.timestamp) return " @ " + FormatFixed3(static_cast<double>(*m.timestamp) / 1000.0);
  if (m.start_or_end == AtModifier::kStart) return " @ start()";
  if (m.start_or_end == AtModifier::kEnd) return " @ end()";
  return "";
}

std::string OffsetString(const TimeModifiers& m) {
  if (m.original_offset_expr) return " offset " + Print(*m.original_offset_expr);
  if (m.original_offset.count() > 0) return " offset " + base::FormatDuration(m.original_offset);
  if (m.original_offset.count() < 0) return " offset -" + base::FormatDuration(-m.original_offset);
  return "";
}

// The selector without its modifiers: name{matchers}.
std::string SelectorString(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const model::Matcher& m : vs.matchers) {
    // The name written outside the braces is printed there, not as a matcher.
    if (m.name() == model::kMetricName && m.type() == model::MatchType::kEqual &&
        m.value() == vs.name && !m.value().empty()) {
      continue;
    }
    parts.push_back(MatcherString(m));
  }
  std::string out = vs.name;
  if (!parts.empty()) {
    std::sort(parts.begin(), parts.end());
    out += '{';
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += ',';
      out += parts[i];
    }
    out += '}';
  }
  return out;
}

std::string AggregateHead(const AggregateExpr& a) {
  std::string out(AggregateOpString(a.op));
  if (a.without) {
    out += " without (";
    WriteLabels(&out, a.grouping);
    out += ") ";
  } else if (!a.grouping.empty()) {
    out += " by (";
    WriteLabels(&out, a.grouping);
    out += ") ";
  }
  return out;
}

std::string MatchingString(const BinaryExpr& b) {
  if (!b.vector_matching) return "";
  const VectorMatching& vm = *b.vector_matching;
  const bool grouped =
      vm.card == VectorMatching::Card::kManyToOne || vm.card == VectorMatching::Card::kOneToMany;
  std::string out;
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out += vm.on ? " on (" : " ignoring (";
    WriteLabels(&out, vm.matching_labels);
    out += ")";
  }
  if (grouped) {
    out += vm.card == VectorMatching::Card::kManyToOne ? " group_left (" : " group_right (";
    WriteLabels(&out, vm.include);
    out += ")";
  }
  if (vm.fill_lhs || vm.fill_rhs) {
    if (vm.fill_lhs && vm.fill_rhs && *vm.fill_lhs == *vm.fill_rhs) {
      out += " fill (" + base::FormatFloatG(*vm.fill_lhs) + ")";
    } else {
      if (vm.fill_lhs) out += " fill_left (" + base::FormatFloatG(*vm.fill_lhs) + ")";
      if (vm.fill_rhs) out += " fill_right (" + base::FormatFloatG(*vm.fill_rhs) + ")";
    }
  }
  return out;
}

std::string BinaryOperatorString(const BinaryExpr& b) {
  std::string out(BinaryOpString(b.op));
  if (b.return_bool) out += " bool";
  out += MatchingString(b);
  return out;
}

std::string SubquerySuffix(const SubqueryExpr& s) {
  std::string step;
  if (s.step.count() != 0) {
    step = base::FormatDuration(s.step);
  } else if (s.step_expr) {
    step = Print(*s.step_expr);
  }
  std::string range = s.range_expr ? Print(*s.range_expr) : base::FormatDuration(s.range);
  return "[" + range + ":" + step + "]" + AtString(s) + OffsetString(s);
}

std::string TrimSpace(std::string s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  size_t b = 0;
  while (b < s.size() && space(s[b])) ++b;
  size_t e = s.size();
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool NeedsSplit(const Expr& e, size_t max_line_length) { return Print(e).size() > max_line_length; }

void PrettyTo(const Expr& e, int level, size_t max_line, std::string* out);

void AppendIndent(int level, std::string* out) { out->append(static_cast<size_t>(level) * 2, ' '); }

std::string Pretty(const Expr& e, int level, size_t max_line) {
  std::string out;
  PrettyTo(e, level, max_line, &out);
  return out;
}

// Prometheus's Node.Pretty(level).
void PrettyTo(const Expr& e, int level, size_t max_line, std::string* out) {
  const bool split = NeedsSplit(e, max_line);
  switch (e.kind()) {
    case NodeKind::kAggregateExpr: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      AppendIndent(level, out);
      if (!split) break;
      out->append(AggregateHead(a));
      out->append("(\n");
      if (AggregateOpHasParam(a.op) && a.param) {
        PrettyTo(*a.param, level + 1, max_line, out);
        out->append(",\n");
      }
      PrettyTo(*a.expr, level + 1, max_line, out);
      out->push_back('\n');
      AppendIndent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinaryExpr: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      if (!split) {
        AppendIndent(level, out);
        break;
      }
      PrettyTo(*b.lhs, level + 1, max_line, out);
      out->push_back('\n');
      AppendIndent(level, out);
      out->append(BinaryOperatorString(b));
      out->push_back('\n');
      PrettyTo(*b.rhs, level + 1, max_line, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      AppendIndent(level, out);
      if (!split) break;
      out->append(c.func->name);
      out->append("(\n");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(",\n");
        PrettyTo(*c.args[i], level + 1, max_line, out);
      }
      out->push_back('\n');
      AppendIndent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kParenExpr: {
      const auto& p = static_cast<const ParenExpr&>(e);
      AppendIndent(level, out);
      if (!split) break;
      out->append("(\n");
      PrettyTo(*p.expr, level + 1, max_line, out);
      out->push_back('\n');
      AppendIndent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kSubqueryExpr: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      // As Prometheus: a subquery that fits on a line is not indented.
      if (!split) break;
      PrettyTo(*s.expr, level, max_line, out);
      out->append(SubquerySuffix(s));
      return;
    }
    case NodeKind::kUnaryExpr: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      AppendIndent(level, out);
      out->append(UnaryOpString(u.op));
      out->append(TrimSpace(Pretty(*u.expr, level, max_line)));
      return;
    }
    case NodeKind::kDurationExpr:
    case NodeKind::kMatrixSelector:
    case NodeKind::kVectorSelector:
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      AppendIndent(level, out);
      break;
  }
  out->append(Print(e));
}

void PrintTo(const Expr& e, std::string* out);

void PrintDuration(const DurationExpr& d, std::string* out) {
  if (d.wrapped) *out += '(';
  switch (d.op) {
    case DurationExpr::Op::kStep:
      *out += "step()";
      break;
    case DurationExpr::Op::kRange:
      *out += "range()";
      break;
    case DurationExpr::Op::kMinOf:
    case DurationExpr::Op::kMaxOf:
      *out += DurationOpString(d.op);
      *out += '(';
      PrintTo(*d.lhs, out);
      *out += ", ";
      PrintTo(*d.rhs, out);
      *out += ')';
      break;
    default:
      if (!d.lhs) {
        // Unary: minus is written, plus is not.
        if (d.op == DurationExpr::Op::kSub) *out += '-';
        PrintTo(*d.rhs, out);
      } else {
        PrintTo(*d.lhs, out);
        *out += ' ';
        *out += DurationOpString(d.op);
        *out += ' ';
        PrintTo(*d.rhs, out);
      }
      break;
  }
  if (d.wrapped) *out += ')';
}

void PrintTo(const Expr& e, std::string* out) {
  switch (e.kind()) {
    case NodeKind::kNumberLiteral: {
      const auto& n = static_cast<const NumberLiteral&>(e);
      if (n.duration) {
        // model.Duration(val * 1e9).String(), negated when negative.
        if (n.val < 0) {
          *out += '-';
          *out +=
              base::FormatDuration(std::chrono::milliseconds(FloatToInt64(-n.val * 1e9) / 1000000));
        } else {
          *out +=
              base::FormatDuration(std::chrono::milliseconds(FloatToInt64(n.val * 1e9) / 1000000));
        }
      } else {
        *out += base::FormatFloatF(n.val);
      }
      return;
    }
    case NodeKind::kStringLiteral:
      *out += base::GoQuote(static_cast<const StringLiteral&>(e).val);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      *out += SelectorString(vs);
      *out += AtString(vs);
      if (vs.anchored) {
        *out += " anchored";
      } else if (vs.smoothed) {
        *out += " smoothed";
      }
      *out += OffsetString(vs);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      const VectorSelector& vs = *ms.vector_selector;
      *out += SelectorString(vs);
      *out += '[';
      *out += ms.range_expr ? Print(*ms.range_expr) : base::FormatDuration(ms.range);
      *out += ']';
      if (vs.anchored) {
        *out += " anchored";
      } else if (vs.smoothed) {
        *out += " smoothed";
      }
      *out += AtString(vs);
      *out += OffsetString(vs);
      return;
    }
    case NodeKind::kSubqueryExpr: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      PrintTo(*s.expr, out);
      *out += SubquerySuffix(s);
      return;
    }
    case NodeKind::kParenExpr:
      *out += '(';
      PrintTo(*static_cast<const ParenExpr&>(e).expr, out);
      *out += ')';
      return;
    case NodeKind::kUnaryExpr: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      *out += UnaryOpString(u.op);
      PrintTo(*u.expr, out);
      return;
    }
    case NodeKind::kBinaryExpr: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      PrintTo(*b.lhs, out);
      *out += ' ';
      *out += BinaryOperatorString(b);
      *out += ' ';
      PrintTo(*b.rhs, out);
      return;
    }
    case NodeKind::kAggregateExpr: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      *out += AggregateHead(a);
      *out += '(';
      if (AggregateOpHasParam(a.op) && a.param) {
        PrintTo(*a.param, out);
        *out += ", ";
      }
      if (a.expr) PrintTo(*a.expr, out);
      *out += ')';
      return;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      *out += c.func != nullptr ? c.func->name : std::string_view("?");
      *out += '(';
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) *out += ", ";
        PrintTo(*c.args[i], out);
      }
      *out += ')';
      return;
    }
    case NodeKind::kDurationExpr:
      PrintDuration(static_cast<const DurationExpr&>(e), out);
      return;
  }
}

}  // namespace

std::string Print(const Expr& e) {
  std::string out;
  PrintTo(e, &out);
  return out;
}

std::string Prettify(const Expr& e, size_t max_line_length) {
  return Pretty(e, 0, max_line_length);
}


}  // namespace promql
