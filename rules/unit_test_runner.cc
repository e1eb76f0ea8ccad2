#include "rules/unit_test_runner.h"

#include <glob.h>
#include <stdlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/duration.h"
#include "base/quote.h"
#include "config/rule_test_file.h"
#include "model/sample.h"
#include "promql/engine.h"
#include "promql/parser/parse.h"
#include "rules/group.h"
#include "rules/loader.h"
#include "rules/recording_rule.h"

namespace rules {
namespace {

using std::chrono::milliseconds;

// Label pairs in name order. Unlike model::Labels, empty values are kept: promtool builds the
// expected labels with labels.FromMap, which keeps them, so an expected empty label never
// matches.
using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs PairsOf(const model::Labels& l) {
  Pairs out;
  for (const model::Label& p : l) out.emplace_back(p.name, p.value);
  return out;
}

// Prometheus 2.42's labels.Labels.String(): {a="b", c="d"}.
std::string PairsString(const Pairs& p) {
  std::string s = "{";
  for (size_t i = 0; i < p.size(); ++i) {
    if (i > 0) s += ", ";
    s += p[i].first + "=" + base::GoQuote(p[i].second);
  }
  return s + "}";
}

// Go's strconv.FormatFloat(v, 'E', -1, 64): the shortest representation, "1.5E+00".
std::string FormatFloatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, p);
  for (char& c : s)
    if (c == 'e') c = 'E';
  return s;
}

// Go's time.Duration.String() for whole milliseconds: "0s", "500ms", "1m0s", "1h2m3.5s".
std::string GoDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  uint64_t u = ms < 0 ? static_cast<uint64_t>(-(ms + 1)) + 1 : static_cast<uint64_t>(ms);
  if (u < 1000) return sign + std::to_string(u) + "ms";
  std::string out = sign;
  const uint64_t h = u / 3600000, m = u / 60000 % 60, s = u / 1000 % 60, frac = u % 1000;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac > 0) {
    std::string f = std::to_string(frac + 1000).substr(1);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + "s";
}

// model.Duration.String(): "5m", "1h30m", "0s".
std::string ModelDuration(milliseconds d) { return base::FormatDuration(d); }

// promtool's indentLines: every line after the first prefixed with `indent`.
std::string IndentLines(const std::string& lines, const std::string& indent) {
  std::string out;
  size_t start = 0;
  for (bool first = true;; first = false) {
    size_t nl = lines.find('\n', start);
    if (!first) out += indent;
    if (nl == std::string::npos) {
      out += lines.substr(start);
      return out;
    }
    out += lines.substr(start, nl - start + 1);
    start = nl + 1;
  }
}

struct AlertLA {
  Pairs labels;
  Pairs annotations;
  friend bool operator==(const AlertLA&, const AlertLA&) = default;
  friend auto operator<=>(const AlertLA&, const AlertLA&) = default;
};

// promtool's labelsAndAnnotations.String().
std::string AlertsString(const std::vector<AlertLA>& la) {
  if (la.empty()) return "[]";
  std::string s = "[";
  for (size_t i = 0; i < la.size(); ++i) {
    s += i == 0 ? "\n" : ",\n";
    s += std::to_string(i) + ":" +
         IndentLines("\nLabels:" + PairsString(la[i].labels) +
                         "\nAnnotations:" + PairsString(la[i].annotations),
                     "  ");
  }
  return s + "\n]";
}

struct SampleLV {
  Pairs labels;
  double value;
};

// promtool's parsedSamplesString.
std::string SamplesString(const std::vector<SampleLV>& ss) {
  if (ss.empty()) return "nil";
  std::string s;
  for (size_t i = 0; i < ss.size(); ++i) {
    if (i > 0) s += ", ";
    s += PairsString(ss[i].labels) + " " + FormatFloatE(ss[i].value);
  }
  return s;
}

// reflect.DeepEqual on float64s compares with ==: NaN never equals NaN.
bool SamplesEqual(const std::vector<SampleLV>& a, const std::vector<SampleLV>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].labels != b[i].labels || !(a[i].value == b[i].value)) return false;
  return true;
}

base::Status ParseError(size_t col, const std::string& msg) {
  return base::InvalidArgument("1:" + std::to_string(col) + ": parse error: " + msg);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

// Go's strconv.ParseInt(s, 0, 64) then ParseFloat(s, 64), as promql's parser.number, for the
// characters the series lexer puts in a number ([0-9.eE+-]).
bool NumberValue(const std::string& s, double* v) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), IsDigit)) {
    // Base 0: a leading 0 means octal; "09" is not an integer and falls through to floats.
    bool octal = s.size() > 1 && s[0] == '0';
    if (!octal || std::all_of(s.begin(), s.end(), [](char c) { return c < '8'; })) {
      uint64_t u = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), u, octal ? 8 : 10);
      if (ec == std::errc() && u <= static_cast<uint64_t>(INT64_MAX)) {
        *v = static_cast<double>(u);
        return true;
      }
    }
  }
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// Scans a number the way the series lexer does, from tok[*i]: digits, '.', an exponent; an
// identifier (inf, nan, stale, other) is returned in *word instead. False on a bad number.
bool ScanValue(std::string_view tok, size_t* i, double* v, std::string* word, size_t base_col,
               base::Status* err) {
  const size_t start = *i;
  if (*i < tok.size() && IsAlpha(tok[*i])) {
    while (*i < tok.size() && (IsAlnum(tok[*i]) || tok[*i] == ':')) ++*i;
    *word = std::string(tok.substr(start, *i - start));
    std::string lower = *word;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "inf") return *v = INFINITY, word->clear(), true;
    if (lower == "nan") return *v = std::nan(""), word->clear(), true;
    return true;
  }
  if (*i >= tok.size() ||
      !(IsDigit(tok[*i]) || (tok[*i] == '.' && *i + 1 < tok.size() && IsDigit(tok[*i + 1])))) {
    *err = ParseError(base_col + *i, "unexpected character in series values: " +
                                         base::GoQuote(std::string(tok.substr(*i, 1))));
    return false;
  }
  while (*i < tok.size() && IsDigit(tok[*i])) ++*i;
  if (*i < tok.size() && tok[*i] == '.') {
    ++*i;
    while (*i < tok.size() && IsDigit(tok[*i])) ++*i;
  }
  if (*i < tok.size() && (tok[*i] == 'e' || tok[*i] == 'E')) {
    ++*i;
    if (*i < tok.size() && (tok[*i] == '+' || tok[*i] == '-')) ++*i;
    while (*i < tok.size() && IsDigit(tok[*i])) ++*i;
  }
  std::string text(tok.substr(start, *i - start));
  if (*i < tok.size() && tok[*i] != 'x' && IsAlnum(tok[*i])) {
    *err = ParseError(base_col + start, "bad number or duration syntax: " + base::GoQuote(text));
    return false;
  }
  if (!NumberValue(text, v)) {
    *err = ParseError(base_col + start, "invalid number " + base::GoQuote(text));
    return false;
  }
  return true;
}

// The repetition count after 'x': strconv.ParseUint(s, 10, 64) of the rest of the token.
bool ScanTimes(std::string_view tok, size_t i, uint64_t* n, size_t base_col, base::Status* err) {
  std::string_view rest = tok.substr(i);
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), *n);
  if (rest.empty() || ec != std::errc() || p != rest.data() + rest.size()) {
    *err = ParseError(base_col + i,
                      "invalid repetition in series values: " + base::GoQuote(std::string(rest)));
    return false;
  }
  return true;
}

// One whitespace-separated item of a value sequence (generated_parser.y's series_item).
base::Status ExpandItem(std::string_view tok, size_t col, std::vector<std::optional<double>>* out) {
  base::Status err;
  size_t i = 0;
  if (tok[0] == '_') {
    if (tok.size() == 1) {
      out->push_back(std::nullopt);
      return base::Status::Ok();
    }
    uint64_t n = 0;
    if (tok[1] != 'x')
      return ParseError(col + 1, "unexpected character after \"_\" in series values");
    if (!ScanTimes(tok, 2, &n, col, &err)) return err;
    for (uint64_t k = 0; k < n; ++k) out->push_back(std::nullopt);
    return base::Status::Ok();
  }
  double sign = 1;
  bool has_sign = false;
  if (tok[0] == '+' || tok[0] == '-') {
    sign = tok[0] == '-' ? -1 : 1;
    has_sign = true;
    ++i;
  }
  double v = 0;
  std::string word;
  if (!ScanValue(tok, &i, &v, &word, col, &err)) return err;
  if (!word.empty()) {
    if (word != "stale" || has_sign)
      return ParseError(col + i - word.size(),
                        "unexpected identifier " + base::GoQuote(word) +
                            " in series values, expected number or \"stale\"");
    v = model::StaleNaN();
  } else {
    v *= sign;
  }
  if (i == tok.size()) {
    out->push_back(v);
    return base::Status::Ok();
  }
  double delta = 0;
  if (tok[i] == '+' || tok[i] == '-') {
    double dsign = tok[i] == '-' ? -1 : 1;
    ++i;
    std::string dword;
    if (!ScanValue(tok, &i, &delta, &dword, col, &err)) return err;
    if (!dword.empty())
      return ParseError(col + i - dword.size(), "unexpected identifier " + base::GoQuote(dword) +
                                                    " in series values, expected number");
    delta *= dsign;
    if (i == tok.size() || tok[i] != 'x')
      return ParseError(col + i, "expected \"x\" and a repetition count after " +
                                     base::GoQuote(std::string(tok.substr(0, i))));
  }
  if (tok[i] != 'x')
    return ParseError(
        col + i, "unexpected " + base::GoQuote(std::string(tok.substr(i))) + " in series values");
  uint64_t n = 0;
  if (!ScanTimes(tok, i + 1, &n, col, &err)) return err;
  // Go accumulates ($1 += $2), so values carry the same rounding as Prometheus's.
  for (uint64_t k = 0; k <= n; ++k) {
    out->push_back(v);
    v += delta;
  }
  return base::Status::Ok();
}

// Where the metric part of a series description ends: an identifier, optionally followed
// directly by {...}, or {...} alone.
size_t MetricEnd(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (IsAlnum(line[i]) || line[i] == ':')) ++i;
  if (i < line.size() && line[i] == '{') {
    bool quoted = false;
    char quote = 0;
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '\\' && quote != '`')
          ++i;
        else if (c == quote)
          quoted = false;
      } else if (c == '"' || c == '\'' || c == '`') {
        quoted = true;
        quote = c;
      } else if (c == '}') {
        return i + 1;
      }
    }
  }
  return i;
}

// The parser.ParseMetric error for a label matcher other than "=": at the first such
// operator outside quotes.
base::Status NonEqualityError(std::string_view text) {
  char quote = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == '\\' && quote != '`')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'' || c == '`') {
      quote = c;
    } else if ((c == '=' && text[i + 1] == '~') ||
               (c == '!' && (text[i + 1] == '=' || text[i + 1] == '~'))) {
      return ParseError(i + 1, "unexpected <op:" + std::string(text.substr(i, 2)) +
                                   "> in label set, expected \"=\"");
    }
  }
  return ParseError(1, "only label=\"value\" pairs are allowed");
}

// Prometheus's parser.ParseMetric for exp_samples and input series: equality matchers only.
base::Result<model::Labels> ParseMetric(std::string_view text, Pairs* pairs = nullptr) {
  size_t a = text.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) {
    if (pairs) pairs->clear();
    return model::Labels();
  }
  auto ms = promql::parser::ParseMetricSelector(text);
  if (!ms) return ms.error();
  Pairs p;
  for (const model::Matcher& m : *ms) {
    if (m.type() != model::MatchType::kEqual) return NonEqualityError(text);
    p.emplace_back(std::string(m.name()), std::string(m.value()));
  }
  std::sort(p.begin(), p.end());
  for (size_t i = 1; i < p.size(); ++i)
    if (p[i].first == p[i - 1].first)
      return base::InvalidArgument("duplicate label name " + base::GoQuote(p[i].first));
  model::LabelsBuilder b;
  for (const auto& [k, v] : p) b.Set(k, v);
  if (pairs) *pairs = std::move(p);
  return b.Build();
}

// Sets the step of subqueries written without one (Prometheus's NoStepSubqueryIntervalFn):
// promtool uses the file's evaluation_interval.
void SetDefaultSubqueryStep(promql::Expr& e, milliseconds step) {
  using namespace promql;
  switch (e.kind()) {
    case NodeKind::kSubqueryExpr: {
      auto& s = static_cast<SubqueryExpr&>(e);
      if (s.step.count() == 0 && !s.step_expr) s.step = step;
      SetDefaultSubqueryStep(*s.expr, step);
      break;
    }
    case NodeKind::kParenExpr:
      SetDefaultSubqueryStep(*static_cast<ParenExpr&>(e).expr, step);
      break;
    case NodeKind::kUnaryExpr:
      SetDefaultSubqueryStep(*static_cast<UnaryExpr&>(e).expr, step);
      break;
    case NodeKind::kBinaryExpr:
      SetDefaultSubqueryStep(*static_cast<BinaryExpr&>(e).lhs, step);
      SetDefaultSubqueryStep(*static_cast<BinaryExpr&>(e).rhs, step);
      break;
    case NodeKind::kAggregateExpr: {
      auto& a = static_cast<AggregateExpr&>(e);
      SetDefaultSubqueryStep(*a.expr, step);
      if (a.param) SetDefaultSubqueryStep(*a.param, step);
      break;
    }
    case NodeKind::kCall:
      for (ExprPtr& arg : static_cast<Call&>(e).args)
        if (arg) SetDefaultSubqueryStep(*arg, step);
      break;
    default:
      break;
  }
}

// A directory removed with its contents when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "hestia-test-rules-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The input series of a test group as promtool's LazyLoader holds them: samples by series,
// appended up to a time as the evaluation advances.
class SeriesLoader {
 public:
  // Parses the series as promtool: it writes "load <interval>" and one line per series, then
  // parses the text line by line, so a value list spanning lines fails as it does.
  base::Status Parse(const config::RuleTestGroup& tg) {
    std::string text;
    for (const config::RuleTestSeries& s : tg.input_series)
      text += "  " + s.series + " " + s.values + "\n";
    std::istringstream in(text);
    std::string line;
    bool ended = false;
    std::map<std::string, size_t> index;  // Labels::bytes() -> series_
    while (std::getline(in, line)) {
      size_t a = line.find_first_not_of(" \t\r\n\v\f");
      size_t b = line.find_last_not_of(" \t\r\n\v\f");
      std::string_view l =
          a == std::string::npos ? std::string_view() : std::string_view(line).substr(a, b - a + 1);
      if (l.starts_with("#")) l = {};
      if (l.empty()) {
        ended = true;
        continue;
      }
      if (ended)
        return base::InvalidArgument("1:1: parse error: invalid command " + base::GoQuote(l));
      ASSIGN_OR_RETURN(SeriesDesc d, ParseSeriesDesc(l));
      Series s;
      s.labels = d.labels;
      for (size_t i = 0; i < d.values.size(); ++i)
        if (d.values[i])
          s.samples.push_back({static_cast<int64_t>(i) * tg.interval.count(), *d.values[i]});
      // A series given twice: the last definition wins (promtool keeps them by hash).
      auto [it, fresh] = index.emplace(std::string(d.labels.bytes()), series_.size());
      if (fresh)
        series_.push_back(std::move(s));
      else
        series_[it->second] = std::move(s);
    }
    return base::Status::Ok();
  }

  // Appends every sample at or before ts not appended yet, in one commit. A sample at the
  // time of the series' previous one is dropped, as Prometheus's head drops it at commit
  // (with no interval every sample is at 0: the first value stays).
  base::Status AppendTill(storage::Appendable& db, model::Timestamp ts) {
    std::unique_ptr<storage::Appender> app = db.NewAppender();
    for (Series& s : series_) {
      for (; s.next < s.samples.size() && s.samples[s.next].t <= ts; ++s.next) {
        const model::Sample& smp = s.samples[s.next];
        if (s.appended && smp.t <= s.last_t) continue;
        if (auto r = app->Append(0, s.labels, smp.t, smp.v); !r.ok()) {
          app->Rollback();
          return r.error();
        }
        s.appended = true;
        s.last_t = smp.t;
      }
    }
    return app->Commit();
  }

 private:
  struct Series {
    model::Labels labels;
    std::vector<model::Sample> samples;
    size_t next = 0;
    bool appended = false;
    model::Timestamp last_t = 0;
  };
  std::vector<Series> series_;
};

// Splits a rules::LoadRuleFile error into the errors promtool prints one by one: each starts
// with "FILE: ".
std::vector<std::string> SplitFileErrors(const std::string& msg, const std::string& file) {
  std::vector<std::string> out;
  std::istringstream in(msg);
  std::string line;
  while (std::getline(in, line)) {
    if (out.empty() || line.starts_with(file + ": "))
      out.push_back(line);
    else
      out.back() += "\n" + line;
  }
  return out;
}

// Builds the groups of `files` as Prometheus's Manager.LoadGroups does for promtool: alerting
// rules restored (so ALERTS series appear), external labels and URL for templates.
base::Result<std::vector<std::unique_ptr<Group>>> LoadGroups(const std::vector<std::string>& files,
                                                             milliseconds interval,
                                                             const model::Labels& external_labels,
                                                             const std::string& external_url,
                                                             const GroupDeps* deps,
                                                             std::vector<std::string>* errors) {
  std::vector<std::unique_ptr<Group>> out;
  for (const std::string& fn : files) {
    auto file = LoadRuleFile(fn);
    if (!file.ok()) {
      *errors = SplitFileErrors(file.error().message(), fn);
      return file.error();
    }
    GroupBuildOptions o{interval, external_labels, external_url, /*should_restore=*/false};
    auto specs = BuildGroupSpecs(fn, *file, o);
    if (!specs.ok()) {
      *errors = {specs.error().message()};
      return specs.error();
    }
    for (GroupSpec& spec : *specs) out.push_back(std::make_unique<Group>(std::move(spec), deps));
  }
  return out;
}

// promtool's testGroup.test: the errors of one entry of `tests`.
std::vector<std::string> RunTestGroup(const config::RuleTestGroup& tg, milliseconds eval_interval,
                                      const std::map<std::string, int>& group_order,
                                      const std::vector<std::string>& rule_files,
                                      const OpenUnitTestStorageFn& open_storage) {
  SeriesLoader loader;
  if (base::Status st = loader.Parse(tg); !st.ok()) return {st.message()};

  ScratchDir dir;
  if (dir.path().empty()) return {"cannot create a temporary directory for the test storage"};
  auto store = open_storage(dir.path());
  if (!store.ok()) return {"opening the test storage: " + store.error().message()};
  storage::Appendable& app = (*store)->appendable();
  storage::Queryable& db = (*store)->queryable();

  // promtool's LazyLoader engine: 10000 samples per query, 100s timeout, subqueries without
  // a step at the evaluation interval.
  promql::EngineOptions eo;
  eo.max_samples = 10000;
  eo.timeout = std::chrono::seconds(100);
  promql::Engine engine(eo);
  auto instant = [&engine, &db, eval_interval](
                     std::string_view q, model::Timestamp ts) -> base::Result<promql::Vector> {
    ASSIGN_OR_RETURN(promql::ExprPtr expr, promql::parser::Parse(q));
    SetDefaultSubqueryStep(*expr, eval_interval);
    ASSIGN_OR_RETURN(promql::Value v, engine.InstantQuery(db, *expr, ts));
    if (auto* vec = std::get_if<promql::Vector>(&v)) return std::move(*vec);
    if (auto* s = std::get_if<promql::Scalar>(&v))
      return promql::Vector{promql::Sample{model::Labels(), s->t, s->v}};
    return base::Status(base::StatusCode::kExecution, "rule result is not a vector or scalar");
  };

  GroupDeps deps;
  deps.query = instant;
  deps.appendable = &app;
  deps.queryable = &db;
  deps.external_url = tg.external_url;
  model::LabelsBuilder elb;
  for (const auto& [k, v] : tg.external_labels) elb.Set(k, v);
  std::vector<std::string> errs;
  // Group intervals only pace alert re-sending, which promtool discards; a group needs one.
  const milliseconds group_interval = tg.interval.count() > 0 ? tg.interval : eval_interval;
  auto loaded = LoadGroups(rule_files, group_interval, elb.Build(), tg.external_url, &deps, &errs);
  if (!loaded.ok()) return errs;
  std::vector<std::unique_ptr<Group>> groups = std::move(*loaded);
  // promtool's orderedGroups: by position in group_eval_order, a group not listed counting as
  // position 0; among equals, file order (promtool's is random).
  std::stable_sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
    auto pos = [&](const std::string& n) {
      auto it = group_order.find(n);
      return it == group_order.end() ? 0 : it->second;
    };
    return pos(a->name()) < pos(b->name());
  });

  // The alert tests by eval_time, and the alert names asked at each.
  std::map<int64_t, std::vector<const config::AlertRuleTest*>> alert_tests;
  std::map<int64_t, std::set<std::string>> alerts_in_test;
  for (const config::AlertRuleTest& a : tg.alert_rule_tests) {
    if (a.alertname.empty()) {
      std::string in_group = tg.name.empty() ? "" : " (in TestGroup " + tg.name + ")";
      return {"an item under alert_rule_test misses required attribute alertname at eval_time " +
              ModelDuration(a.eval_time) + in_group};
    }
    alert_tests[a.eval_time.count()].push_back(&a);
    alerts_in_test[a.eval_time.count()].insert(a.alertname);
  }
  int64_t maxt = 0;
  for (const auto& a : tg.alert_rule_tests) maxt = std::max(maxt, a.eval_time.count());
  for (const auto& p : tg.promql_expr_tests) maxt = std::max(maxt, p.eval_time.count());

  auto next_alert_time = alert_tests.begin();
  const int64_t step = eval_interval.count();
  for (int64_t ts = 0; ts <= maxt; ts += step) {
    std::vector<std::string> eval_errs;
    if (base::Status st = loader.AppendTill(app, ts); !st.ok()) {
      errs.push_back(st.message());
    } else {
      for (const auto& g : groups) {
        g->Eval(ts);
        for (const auto& r : g->rules()) {
          RuleStatus rs = r->status();
          if (!rs.last_error.empty())
            eval_errs.push_back("    rule: " + r->name() + ", time: " + GoDuration(ts) +
                                ", err: " + rs.last_error);
        }
      }
    }
    errs.insert(errs.end(), eval_errs.begin(), eval_errs.end());
    if (!eval_errs.empty()) return errs;

    // Alert tests with ts <= eval_time < ts + interval are checked against this evaluation.
    for (; next_alert_time != alert_tests.end() && ts <= next_alert_time->first &&
           next_alert_time->first < ts + step;
         ++next_alert_time) {
      const std::set<std::string>& names = alerts_in_test[next_alert_time->first];
      // The same alert name may be in several groups: their firing alerts are pooled.
      std::map<std::string, std::vector<AlertLA>> got;
      for (const auto& g : groups)
        for (AlertingRule* ar : g->AlertingRules()) {
          if (!names.contains(ar->name())) continue;
          std::vector<AlertLA>& dst = got[ar->name()];
          for (const Alert& a : ar->ActiveAlerts())
            if (a.state == AlertState::kFiring) dst.push_back({PairsOf(a.labels), a.annotations});
        }
      for (const config::AlertRuleTest* t : next_alert_time->second) {
        std::vector<AlertLA> got_alerts = got[t->alertname];
        std::vector<AlertLA> exp_alerts;
        for (const config::RuleTestAlert& e : t->exp_alerts) {
          AlertLA la{e.exp_labels, e.exp_annotations};
          // The alertname label is added by the rule, not written by the user.
          std::erase_if(la.labels, [](const auto& p) { return p.first == "alertname"; });
          la.labels.emplace_back("alertname", t->alertname);
          std::sort(la.labels.begin(), la.labels.end());
          exp_alerts.push_back(std::move(la));
        }
        std::sort(got_alerts.begin(), got_alerts.end());
        std::sort(exp_alerts.begin(), exp_alerts.end());
        if (got_alerts != exp_alerts) {
          std::string name = tg.name.empty() ? "" : "    name: " + tg.name + ",\n";
          errs.push_back(
              name + "    alertname: " + t->alertname + ", time: " + ModelDuration(t->eval_time) +
              ", \n        exp:" + IndentLines(AlertsString(exp_alerts), "            ") +
              ", \n        got:" + IndentLines(AlertsString(got_alerts), "            "));
        }
      }
    }
  }

  for (const config::PromqlExprTest& t : tg.promql_expr_tests) {
    const std::string where =
        "    expr: " + base::GoQuote(t.expr) + ", time: " + ModelDuration(t.eval_time);
    auto got = instant(t.expr, t.eval_time.count());
    if (!got.ok()) {
      errs.push_back(where + ", err: " + got.error().message());
      continue;
    }
    std::vector<SampleLV> got_samples, exp_samples;
    for (const promql::Sample& s : *got) got_samples.push_back({PairsOf(s.metric), s.f});
    bool bad_labels = false;
    for (const config::RuleTestSample& s : t.exp_samples) {
      Pairs p;
      auto l = ParseMetric(s.labels, &p);
      if (!l.ok()) {
        errs.push_back(where + ", err: labels " + base::GoQuote(s.labels) + ": " +
                       l.error().message());
        bad_labels = true;
        break;
      }
      exp_samples.push_back({std::move(p), s.value});
    }
    if (bad_labels) continue;
    auto by_labels = [](const SampleLV& a, const SampleLV& b) { return a.labels < b.labels; };
    std::stable_sort(exp_samples.begin(), exp_samples.end(), by_labels);
    std::stable_sort(got_samples.begin(), got_samples.end(), by_labels);
    if (!SamplesEqual(exp_samples, got_samples))
      errs.push_back(where + ",\n        exp: " + SamplesString(exp_samples) +
                     "\n        got: " + SamplesString(got_samples));
  }
  return errs;
}

}  // namespace

base::Result<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  SeriesDesc d;
  const size_t end = MetricEnd(line);
  if (end == 0)
    return ParseError(1, "unexpected " + base::GoQuote(line.substr(0, 1)) +
                             ", expected a metric name or label set");
  auto labels = ParseMetric(line.substr(0, end));
  if (!labels.ok()) return labels.error();
  d.labels = std::move(*labels);
  if (end < line.size() && line[end] != ' ' && line[end] != '\t')
    return ParseError(
        end + 1, "unexpected " + base::GoQuote(line.substr(end, 1)) + " after the series labels");
  size_t i = end;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) RETURN_IF_ERROR(ExpandItem(line.substr(i, j - i), i + 1, &d.values));
    i = j;
  }
  return d;
}

std::vector<std::string> RunRuleTestFile(const std::string& path, std::ostream& warn,
                                         const OpenUnitTestStorageFn& open_storage) {
  std::ifstream in(path);
  if (!in) return {"open " + path + ": no such file or directory"};
  std::stringstream ss;
  ss << in.rdbuf();
  auto file = config::ParseRuleTestFile(ss.str());
  if (!file.ok()) return {file.error().message()};

  // promtool's resolveAndGlobFilepaths: relative to the test file's directory, then globbed.
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  std::vector<std::string> rule_files;
  for (std::string pattern : file->rule_files) {
    if (!pattern.empty() && pattern.front() != '/')
      pattern = (std::filesystem::path(base_dir.empty() ? "." : base_dir) / pattern)
                    .lexically_normal()
                    .string();
    glob_t g{};
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) rule_files.emplace_back(g.gl_pathv[i]);
    } else if (rc == GLOB_NOMATCH) {
      warn << "  WARNING: no file match pattern " << pattern << "\n";
    } else {
      globfree(&g);
      return {"syntax error in pattern"};
    }
    globfree(&g);
  }

  milliseconds eval_interval = file->evaluation_interval;
  if (eval_interval.count() == 0) eval_interval = std::chrono::minutes(1);
  std::map<std::string, int> group_order;
  for (size_t i = 0; i < file->group_eval_order.size(); ++i) {
    const std::string& g = file->group_eval_order[i];
    if (group_order.contains(g)) return {"group name repeated in evaluation order: " + g};
    group_order[g] = static_cast<int>(i);
  }

  std::vector<std::string> errs;
  for (const config::RuleTestGroup& tg : file->tests) {
    std::vector<std::string> e =
        RunTestGroup(tg, eval_interval, group_order, rule_files, open_storage);
    errs.insert(errs.end(), e.begin(), e.end());
  }
  return errs;
}

int TestRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const OpenUnitTestStorageFn& open_storage) {
  if (args.empty()) {
    err << "hestia test rules: error: required argument 'test-rule-file' not provided\n";
    return 1;
  }
  // As promtool's ExistingFiles argument: every file must exist before any test runs.
  for (const std::string& f : args) {
    std::error_code ec;
    if (!std::filesystem::exists(f, ec)) {
      err << "hestia test rules: error: path '" << f << "' does not exist\n";
      return 1;
    }
  }
  bool failed = false;
  for (const std::string& f : args) {
    out << "Unit Testing:  " << f << "\n";
    out.flush();
    std::vector<std::string> errs = RunRuleTestFile(f, err, open_storage);
    if (!errs.empty()) {
      err << "  FAILED:\n";
      for (const std::string& e : errs) {
        err << e << "\n";
        err.flush();
        out << "\n";
      }
      failed = true;
    } else {
      out << "  SUCCESS\n";
    }
    out << "\n";
    out.flush();
  }
  return failed ? 1 : 0;
}

}  // namespace rules
