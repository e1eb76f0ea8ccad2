#include "tests/conformance/promql_runner.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "base/duration.h"
#include "base/quote.h"
#include "promql/engine.h"
#include "promql/parser/parse.h"
#include "promql/printer.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"

namespace conformance {
namespace {

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return std::string(s.substr(a, b - a + 1));
}

bool ParseDurationMs(const std::string& s, int64_t* ms) {
  auto d = base::ParseDuration(s);
  if (d) {
    *ms = d->count();
    return true;
  }
  char* end = nullptr;
  double secs = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size()) {
    *ms = static_cast<int64_t>(std::llround(secs * 1000));
    return true;
  }
  return false;
}

bool ParseNumber(const std::string& s, double* v) {
  std::string l = s;
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "nan") return *v = std::nan(""), true;
  if (l == "inf" || l == "+inf") return *v = INFINITY, true;
  if (l == "-inf") return *v = -INFINITY, true;
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// One value slot of series notation: a number, absent (_), or a staleness marker.
struct Slot {
  enum Kind { kValue, kAbsent, kStale } kind = kValue;
  double v = 0;
};

// Expands "1 2 _ stale 0+10x3 5x2 -1-1x2" into slots. False on histograms or syntax errors.
bool ExpandValues(const std::vector<std::string>& toks, std::vector<Slot>* out, bool* histogram) {
  static const std::regex kSeq(R"(^([-+]?[^x+\-]+|_|stale)(?:([+-])([^x]+))?x(\d+)$)");
  for (const std::string& t : toks) {
    if (t.starts_with("{{") || t.find("{{") != std::string::npos) {
      *histogram = true;
      return false;
    }
    if (t == "_") {
      out->push_back({Slot::kAbsent, 0});
      continue;
    }
    if (t == "stale") {
      out->push_back({Slot::kStale, 0});
      continue;
    }
    // "0x59" is 0 repeated, as in promqltest's lexer, not a hexadecimal number.
    std::smatch m;
    double v;
    if (!std::regex_match(t, m, kSeq)) {
      if (!ParseNumber(t, &v)) return false;
      out->push_back({Slot::kValue, v});
      continue;
    }
    int n = std::stoi(m[4]);
    if (m[1] == "_" || m[1] == "stale") {
      for (int i = 0; i <= n; ++i) out->push_back({m[1] == "_" ? Slot::kAbsent : Slot::kStale, 0});
      continue;
    }
    double start, step = 0;
    if (!ParseNumber(m[1], &start)) return false;
    if (m[3].matched) {
      if (!ParseNumber(m[3], &step)) return false;
      if (m[2] == "-") step = -step;
    }
    for (int i = 0; i <= n; ++i) out->push_back({Slot::kValue, start + step * i});
  }
  return true;
}

// Splits "metric{a=\"b c\"} 1 2" into the series part and the value tokens.
bool SplitSeriesLine(const std::string& line, std::string* series, std::vector<std::string>* values) {
  size_t i = 0;
  int depth = 0;
  bool quoted = false;
  for (; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '{') ++depth;
    else if (c == '}') {
      --depth;
      if (depth == 0) {
        ++i;
        break;
      }
    } else if ((c == ' ' || c == '\t') && depth == 0) {
      break;
    }
  }
  *series = Trim(line.substr(0, i));
  std::istringstream rest(line.substr(i));
  std::string tok;
  // Histogram literals contain spaces: keep {{ ... }} together.
  std::string acc;
  while (rest >> tok) {
    if (!acc.empty()) {
      acc += " " + tok;
      if (tok.find("}}") != std::string::npos) {
        values->push_back(acc);
        acc.clear();
      }
      continue;
    }
    if (tok.starts_with("{{") && tok.find("}}") == std::string::npos) {
      acc = tok;
      continue;
    }
    values->push_back(tok);
  }
  return !series->empty();
}

bool LabelsOf(const std::string& series, model::Labels* out) {
  auto ms = promql::parser::ParseMetricSelector(series);
  if (!ms) return false;
  model::LabelsBuilder b;
  for (const auto& m : *ms) {
    if (m.type() != model::MatchType::kEqual) return false;
    b.Set(m.name(), m.value());
  }
  *out = b.Build();
  return true;
}

bool AlmostEqual(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  double diff = std::fabs(a - b);
  double eps = 1e-6;
  if (a == 0 || b == 0 || diff < 2.2250738585072014e-308) return diff < eps * 2.2250738585072014e-308;
  return diff / std::min(std::fabs(a) + std::fabs(b), 1.7976931348623157e308) < eps;
}

// The files that test a feature Prometheus 3 keeps behind --enable-feature (its test runner
// turns them all on); Hestia does not implement these yet, so their failures count as skipped.
std::string_view ExperimentalFeature(const std::string& path) {
  static const std::map<std::string, std::string_view> kFeatures = {
      {"duration_expression.test", "promql-duration-expr (duration expressions)"},
      {"extended_vectors.test", "promql-extended-range-selectors (anchored/smoothed)"},
      {"fill-modifier.test", "promql-binop-fill-modifiers (fill/fill_left/fill_right)"},
      {"info.test", "promql-experimental-functions (info())"},
      {"start_timestamps.test", "st-storage (start timestamps)"},
      {"type_and_unit.test", "type-and-unit-labels (__type__/__unit__)"},
  };
  auto it = kFeatures.find(std::filesystem::path(path).filename().string());
  return it == kFeatures.end() ? std::string_view() : it->second;
}

struct Eval {
  int line = 0;
  bool range = false;
  int64_t start = 0, end = 0, step = 0;
  std::string expr;
  bool expect_fail = false;
  std::string fail_msg;
  bool fail_regex = false;
  bool ordered = false;
  bool histogram = false;  // expectations mention native histograms
  bool annotations = false;
  // `expect warn|info [msg: X | regex: X]`, `expect no_warn|no_info`: what the evaluation's
  // annotations must hold.
  struct AnnotationExpectation {
    bool warning;
    bool none;     // no_warn / no_info
    std::string text;  // exact message or regex; empty: any
    bool regex = false;
  };
  std::vector<AnnotationExpectation> expect_annotations;
  std::vector<std::pair<std::string, std::vector<std::string>>> expected;  // series, values
  std::vector<std::string> scalar_or_string;  // an expected scalar or string result line
};

class Runner {
 public:
  explicit Runner(std::string path) : path_(std::move(path)) { Reset(); }

  FileResult Run() {
    FileResult r;
    r.file = path_;
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (size_t i = 0; i < lines.size();) {
      std::string t = Trim(lines[i]);
      if (t.empty() || t[0] == '#') {
        ++i;
        continue;
      }
      if (t == "clear") {
        Reset();
        ++i;
      } else if (t.starts_with("load")) {
        i = Load(lines, i, r);
      } else if (t.starts_with("eval")) {
        i = ParseEval(lines, i, r);
      } else {
        r.evals.push_back({static_cast<int>(i + 1), EvalResult::Outcome::kFailed, "unknown command: " + t});
        ++i;
      }
    }
    return r;
  }

 private:
  void Reset() {
    db_.reset();
    dir_ = std::make_unique<testutil::TempDir>();
    tsdb::Options o;
    o.wal_sync = tsdb::WalSyncMode::kSegment;
    db_ = std::move(*tsdb::DB::Open(dir_->path(), o));
    histogram_series_.clear();
  }

  // Whether a selector of the expression matches a series loaded with native histograms.
  bool ReadsHistograms(const promql::Expr& e) const {
    const promql::VectorSelector* vs = promql::As<promql::VectorSelector>(e);
    if (const auto* ms = promql::As<promql::MatrixSelector>(e)) vs = ms->vector_selector.get();
    if (vs != nullptr) {
      for (const model::Labels& l : histogram_series_) {
        bool all = true;
        for (const model::Matcher& m : vs->matchers) all = all && m.Matches(l.Get(m.name()));
        if (all) return true;
      }
      return false;
    }
    for (const promql::Expr* c : promql::Children(e))
      if (c != nullptr && ReadsHistograms(*c)) return true;
    return false;
  }

  // load_with_nhcb also stores each classic histogram as a native histogram with custom
  // buckets under the bare name (x_bucket{le}, x_sum, x_count -> x): remember that series so
  // evaluations reading it count as needing native histograms.
  void RegisterNhcb(const model::Labels& labels) {
    std::string name(labels.Get("__name__"));
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (!name.ends_with(suffix)) continue;
      model::LabelsBuilder b(labels);
      b.Set("__name__", name.substr(0, name.size() - suffix.size()));
      b.Del("le");
      histogram_series_.push_back(b.Build());
      return;
    }
  }

  size_t Load(const std::vector<std::string>& lines, size_t i, FileResult& r) {
    std::istringstream cmd(Trim(lines[i]));
    std::string word, interval_s;
    cmd >> word >> interval_s;
    int64_t interval = 0;
    if (!ParseDurationMs(interval_s, &interval)) {
      r.evals.push_back({static_cast<int>(i + 1), EvalResult::Outcome::kFailed, "bad load interval"});
    }
    ++i;
    // A series defined twice in one load keeps its last definition (promqltest keys the
    // definitions by labels).
    std::map<model::Labels, std::vector<Slot>> defs;
    for (; i < lines.size(); ++i) {
      const std::string& raw = lines[i];
      if (raw.empty() || (raw[0] != ' ' && raw[0] != '\t')) break;
      std::string t = Trim(raw);
      if (t.empty() || t[0] == '#') continue;
      std::string series;
      std::vector<std::string> vals;
      std::vector<Slot> slots;
      bool histogram = false;
      model::Labels labels;
      // `series@st v...` gives the start timestamps of a series's samples (the st-storage
      // experiment); Hestia stores none, and the evaluations reading them count as skipped.
      static const std::regex kStartTimestamps(R"(^[^\s{]*(\{[^}]*\})?@st\s.*)");
      if (std::regex_match(t, kStartTimestamps)) continue;
      const bool split = SplitSeriesLine(t, &series, &vals);
      if (!split || !LabelsOf(series, &labels)) {
        r.evals.push_back({static_cast<int>(i + 1), EvalResult::Outcome::kFailed, "bad series line: " + t});
        continue;
      }
      if (!ExpandValues(vals, &slots, &histogram)) {
        if (histogram) histogram_series_.push_back(labels);
        else r.evals.push_back({static_cast<int>(i + 1), EvalResult::Outcome::kFailed, "bad values: " + t});
        continue;
      }
      if (word == "load_with_nhcb") RegisterNhcb(labels);
      defs[labels] = std::move(slots);
    }
    auto app = db_->NewAppender();
    for (const auto& [labels, slots] : defs) {
      for (size_t k = 0; k < slots.size(); ++k) {
        if (slots[k].kind == Slot::kAbsent) continue;
        double v = slots[k].kind == Slot::kStale ? model::StaleNaN() : slots[k].v;
        // A sample older than the series' data from an earlier load is dropped, as upstream's.
        app->Append(0, labels, static_cast<int64_t>(k) * interval, v).IgnoreError();
      }
    }
    app->Commit().IgnoreError();
    return i;
  }

  size_t ParseEval(const std::vector<std::string>& lines, size_t i, FileResult& r) {
    Eval e;
    e.line = static_cast<int>(i + 1);
    std::string t = Trim(lines[i]);
    std::smatch m;
    static const std::regex kInstant(R"(^(eval(?:_fail|_ordered|_warn|_info)?)\s+instant\s+at\s+(\S+)\s+(.+)$)");
    static const std::regex kRange(R"(^(eval(?:_fail|_ordered|_warn|_info)?)\s+range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)\s+(.+)$)");
    std::string kind;
    bool ok = false;
    if (std::regex_match(t, m, kInstant)) {
      kind = m[1];
      ok = ParseDurationMs(m[2], &e.start);
      e.end = e.start;
      e.step = 1;
      e.expr = m[3];
    } else if (std::regex_match(t, m, kRange)) {
      kind = m[1];
      e.range = true;
      ok = ParseDurationMs(m[2], &e.start) && ParseDurationMs(m[3], &e.end) && ParseDurationMs(m[4], &e.step);
      e.expr = m[5];
    }
    ++i;
    if (kind == "eval_fail") e.expect_fail = true;
    if (kind == "eval_ordered") e.ordered = true;
    if (kind == "eval_warn" || kind == "eval_info") e.annotations = true;
    for (; i < lines.size(); ++i) {
      const std::string& raw = lines[i];
      std::string l = Trim(raw);
      if (l.empty()) break;
      if (raw[0] != ' ' && raw[0] != '\t') break;
      if (l[0] == '#') continue;
      if (l.starts_with("expect ")) {
        std::string rest = Trim(l.substr(7));
        if (rest.starts_with("fail")) {
          e.expect_fail = true;
          if (auto p = rest.find("msg:"); p != std::string::npos) e.fail_msg = Trim(rest.substr(p + 4));
          if (auto p = rest.find("regex:"); p != std::string::npos) {
            e.fail_msg = Trim(rest.substr(p + 6));
            e.fail_regex = true;
          }
        } else if (rest.starts_with("ordered")) {
          e.ordered = true;
        } else if (rest.starts_with("string")) {
          e.scalar_or_string.push_back(Trim(rest.substr(6)));
        } else if (rest.starts_with("warn") || rest.starts_with("info")) {
          e.annotations = true;
          Eval::AnnotationExpectation x{rest.starts_with("warn"), false, "", false};
          if (auto p = rest.find("msg:"); p != std::string::npos) x.text = Trim(rest.substr(p + 4));
          if (auto p = rest.find("regex:"); p != std::string::npos) {
            x.text = Trim(rest.substr(p + 6));
            x.regex = true;
          }
          e.expect_annotations.push_back(x);
        } else if (rest.starts_with("no_warn") || rest.starts_with("no_info")) {
          e.expect_annotations.push_back({rest.starts_with("no_warn"), true, "", false});
        }
        continue;
      }
      if (l.starts_with("expected_fail_message")) {
        e.fail_msg = Trim(l.substr(21));
        continue;
      }
      if (l.starts_with("expected_fail_regexp")) {
        e.fail_msg = Trim(l.substr(20));
        e.fail_regex = true;
        continue;
      }
      if (l.find("{{") != std::string::npos) e.histogram = true;
      double v;
      if (ParseNumber(l, &v) || l.starts_with("\"")) {
        e.scalar_or_string.push_back(l);
        continue;
      }
      std::string series;
      std::vector<std::string> vals;
      SplitSeriesLine(l, &series, &vals);
      e.expected.emplace_back(series, vals);
    }
    EvalResult res{e.line, EvalResult::Outcome::kPassed, ""};
    if (!ok) {
      res.outcome = EvalResult::Outcome::kFailed;
      res.detail = "cannot parse eval line";
    } else if (e.histogram) {
      res.outcome = EvalResult::Outcome::kSkipped;
      res.detail = "needs native histograms";
    } else {
      Check(e, &res);
      if (res.outcome == EvalResult::Outcome::kFailed && !histogram_series_.empty()) {
        auto parsed = promql::parser::Parse(e.expr, promql::parser::ParseOptions::AllEnabled());
        if (parsed && ReadsHistograms(**parsed)) {
          res.outcome = EvalResult::Outcome::kSkipped;
          res.detail = "reads native-histogram series: " + res.detail;
        }
      }
      if (res.outcome == EvalResult::Outcome::kFailed) {
        if (std::string_view feature = ExperimentalFeature(path_); !feature.empty()) {
          res.outcome = EvalResult::Outcome::kSkipped;
          res.detail = "needs experimental feature " + std::string(feature) + ": " + res.detail;
        }
      }
    }
    r.evals.push_back(res);
    return i;
  }

  void Check(const Eval& e, EvalResult* res) {
    auto fail = [&](std::string why) {
      res->outcome = EvalResult::Outcome::kFailed;
      res->detail = e.expr + ": " + why;
    };
    // Prometheus's test runner enables every experimental feature.
    auto expr = promql::parser::Parse(e.expr, promql::parser::ParseOptions::AllEnabled());
    promql::Annotations annos;
    base::Result<promql::Value> v =
        expr ? (e.range ? engine_.RangeQuery(*db_, **expr, e.start, e.end, e.step, {}, {}, &annos)
                        : engine_.InstantQuery(*db_, **expr, e.start, {}, {}, &annos))
             : base::Result<promql::Value>(expr.error());
    if (v) {
      for (const Eval::AnnotationExpectation& x : e.expect_annotations) {
        std::vector<std::string> got = annos.Strings(x.warning, e.expr);
        const char* kind = x.warning ? "warning" : "info";
        if (x.none) {
          if (!got.empty()) return fail(std::string("unexpected ") + kind + ": " + got[0]);
          continue;
        }
        bool found = false;
        for (const std::string& g : got)
          found = found || x.text.empty() || (x.regex ? std::regex_search(g, std::regex(x.text)) : g == x.text);
        if (!found)
          return fail(std::string("expected ") + kind + (x.text.empty() ? "" : " " + x.text) +
                      (got.empty() ? ", got none" : ", got " + got[0]));
      }
    }
    if (e.expect_fail) {
      if (v) return fail("expected an error, got a result");
      if (!e.fail_msg.empty()) {
        const std::string& msg = v.error().message();
        bool match = e.fail_regex ? std::regex_search(msg, std::regex(e.fail_msg)) : msg == e.fail_msg;
        if (!match) return fail("error \"" + msg + "\", expected \"" + e.fail_msg + "\"");
      }
      return;
    }
    if (!v) return fail("error: " + v.error().message());
    if (const auto* sc = std::get_if<promql::Scalar>(&*v)) {
      double want;
      if (e.scalar_or_string.size() != 1 || !ParseNumber(e.scalar_or_string[0], &want))
        return fail("got a scalar, expected something else");
      if (!AlmostEqual(sc->v, want)) return fail("scalar " + std::to_string(sc->v) + ", expected " + e.scalar_or_string[0]);
      return;
    }
    if (const auto* str = std::get_if<promql::String>(&*v)) {
      std::string want;
      if (e.scalar_or_string.size() != 1 || !base::Unquote(e.scalar_or_string[0], &want) || want != str->v)
        return fail("string \"" + str->v + "\" not expected");
      return;
    }
    // Expected series, by labels.
    std::map<model::Labels, std::vector<Slot>> want;
    std::vector<model::Labels> want_order;
    for (const auto& [series, vals] : e.expected) {
      model::Labels l;
      if (!LabelsOf(series, &l)) return fail("bad expected series " + series);
      std::vector<Slot> slots;
      bool hist = false;
      if (!ExpandValues(vals, &slots, &hist)) return fail("bad expected values for " + series);
      want[l] = slots;
      want_order.push_back(l);
    }
    if (const auto* vec = std::get_if<promql::Vector>(&*v)) {
      if (e.range) return fail("range query returned a vector");
      if (vec->size() != want.size())
        return fail("got " + std::to_string(vec->size()) + " series, expected " + std::to_string(want.size()));
      for (size_t k = 0; k < vec->size(); ++k) {
        const promql::Sample& s = (*vec)[k];
        auto it = want.find(s.metric);
        if (it == want.end()) return fail("unexpected series " + s.metric.ToString());
        if (it->second.size() != 1 || !AlmostEqual(s.f, it->second[0].v))
          return fail("series " + s.metric.ToString() + " value " + std::to_string(s.f));
        if (e.ordered && !(want_order[k] == s.metric)) return fail("order differs at " + s.metric.ToString());
      }
      return;
    }
    const auto& mat = std::get<promql::Matrix>(*v);
    if (mat.size() != want.size())
      return fail("got " + std::to_string(mat.size()) + " series, expected " + std::to_string(want.size()));
    for (const promql::Series& s : mat) {
      auto it = want.find(s.metric);
      if (it == want.end()) return fail("unexpected series " + s.metric.ToString());
      std::vector<promql::FPoint> expected_points;
      for (size_t k = 0; k < it->second.size(); ++k) {
        if (it->second[k].kind != Slot::kValue) continue;
        int64_t t = e.range ? e.start + static_cast<int64_t>(k) * e.step : 0;
        expected_points.push_back({t, it->second[k].v});
      }
      if (!e.range) {
        // An instant query of a range selector: compare values only.
        if (s.floats.size() != expected_points.size())
          return fail("series " + s.metric.ToString() + " has " + std::to_string(s.floats.size()) + " points");
        for (size_t k = 0; k < s.floats.size(); ++k)
          if (!AlmostEqual(s.floats[k].f, expected_points[k].f)) return fail("series " + s.metric.ToString() + " differs");
        continue;
      }
      if (s.floats.size() != expected_points.size())
        return fail("series " + s.metric.ToString() + " has " + std::to_string(s.floats.size()) +
                    " points, expected " + std::to_string(expected_points.size()));
      for (size_t k = 0; k < s.floats.size(); ++k) {
        if (s.floats[k].t != expected_points[k].t || !AlmostEqual(s.floats[k].f, expected_points[k].f))
          return fail("series " + s.metric.ToString() + " differs at point " + std::to_string(k));
      }
    }
  }

  std::string path_;
  std::unique_ptr<testutil::TempDir> dir_;
  std::unique_ptr<tsdb::DB> db_;
  promql::Engine engine_;
  std::vector<model::Labels> histogram_series_;  // loaded with {{...}} values (not stored)
};

}  // namespace

int FileResult::passed() const {
  int n = 0;
  for (const auto& e : evals) n += e.outcome == EvalResult::Outcome::kPassed;
  return n;
}
int FileResult::failed() const {
  int n = 0;
  for (const auto& e : evals) n += e.outcome == EvalResult::Outcome::kFailed;
  return n;
}
int FileResult::skipped() const {
  int n = 0;
  for (const auto& e : evals) n += e.outcome == EvalResult::Outcome::kSkipped;
  return n;
}

FileResult RunFile(const std::string& path) { return Runner(path).Run(); }

}  // namespace conformance
