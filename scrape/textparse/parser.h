// The exposition-format parsers: Prometheus text format 0.0.4 (PromParser) and OpenMetrics 1.0
// (OpenMetricsParser), chosen by the scrape response's Content-Type (NewParser). Same grammar,
// entries and error messages as Prometheus model/textparse (promlex.l, promparse.go,
// openmetricslex.l, openmetricsparse.go); differences are listed in docs/scrape.md.
//
// Usage:
//   auto p = scrape::textparse::NewParser(body, content_type);
//   for (;;) {
//     auto e = p->Next();
//     if (!e) { /* e.error(): Prometheus's message; p->line() */ break; }
//     if (*e == Entry::kEof) break;
//     if (*e == Entry::kSeries) Use(p->metric_name(), p->labels(), p->value(), p->timestamp());
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace scrape::textparse {

enum class Entry {
  kSeries,   // a sample: metric_name(), labels(), value(), timestamp(), exemplar()
  kType,     // # TYPE: metric_name() is the family, type()
  kHelp,     // # HELP: metric_name() is the family, help()
  kUnit,     // # UNIT (OpenMetrics): metric_name() is the family, unit()
  kComment,  // any other # line (text format only): comment()
  kEof,      // the end of the body (OpenMetrics: "# EOF" and nothing after it)
};

enum class MetricType {
  kUnknown,  // "untyped" in the text format, "unknown" in OpenMetrics
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
};

// "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown":
// Prometheus's model.MetricType strings, as the metadata API shows them.
std::string_view MetricTypeString(MetricType t);

// An OpenMetrics exemplar. Views valid until the parser's next Next().
struct Exemplar {
  std::span<const model::Label> labels;  // as written: values are not unescaped (as Prometheus)
  double value = 0;
  std::optional<model::Timestamp> timestamp;
};

struct ParserOptions {
  // OpenMetrics only: do not return the `_created` series of counters, histograms and
  // summaries as samples (Prometheus's WithOMParserSTSeriesSkipped). By default they are
  // samples, as in Prometheus without created-timestamp ingestion.
  bool skip_created_series = false;
};

// A Parser reads one scrape body. The body must outlive the parser; every view returned
// (names, label names and values, help, unit, comment, series) points into the body or into
// the parser's buffers and is valid until the next call to Next(). Not thread-safe.
// Allocation: none per sample once the buffers have grown to the widest line; label values and
// help texts are unescaped (into a reused buffer) only when they contain a backslash.
class Parser {
 public:
  virtual ~Parser() = default;
  Parser& operator=(const Parser&) = delete;

  // Advances to the next entry. Returns the entry kind, kEof at the end (again on every later
  // call). Errors: kInvalidArgument with Prometheus's message, e.g.
  //   expected label name, got "1" ("INVALID") while parsing: "foo{1"
  // and line() tells where; every later call returns the same error.
  base::Result<Entry> Next() {
    if (!error_.ok()) return error_;
    if (done_) return Entry::kEof;
    return ParseNext();
  }

  // The 1-based line of the current entry, or of the error after a failed Next().
  int line() const;

  // kSeries: the sample's metric name (no __name__ in labels()).
  // kType, kHelp, kUnit: the metric family's name.
  std::string_view metric_name() const { return metric_name_; }
  // kSeries: the label pairs in exposition order, values unescaped.
  std::span<const model::Label> labels() const { return labels_; }
  // kSeries: the metric name and labels exactly as written ("up{job=\"x\"}"): a cache key.
  std::string_view series() const { return series_; }
  // kSeries: the value; every NaN is Prometheus's normal NaN (value.NormalNaN).
  double value() const { return value_; }
  // kSeries: the timestamp in ms, if the line has one (OpenMetrics seconds are converted).
  std::optional<model::Timestamp> timestamp() const {
    return has_timestamp_ ? std::optional<model::Timestamp>(timestamp_) : std::nullopt;
  }
  // kSeries (OpenMetrics): the exemplar, if the line has one.
  std::optional<Exemplar> exemplar() const;
  // The type of the current metric family: set by # TYPE lines and kept until the next one.
  MetricType type() const { return type_; }
  // kHelp: the help text, unescaped.
  std::string_view help() const { return text_; }
  // kUnit: the unit.
  std::string_view unit() const { return text_; }
  // kComment: the whole comment line without its newline ("# some text").
  std::string_view comment() const { return text_; }

  // kSeries (OpenMetrics): the created timestamp in ms of the current counter, histogram or
  // summary series, from the matching `_created` line of the same family (which may come later:
  // the parser reads ahead without moving), as Prometheus's OpenMetricsParser.StartTimestamp.
  // nullopt for other types, when there is none, and for the text format.
  virtual std::optional<model::Timestamp> CreatedTimestamp() { return std::nullopt; }

 protected:
  // Golex-style lexer states; the two formats use a subset each.
  enum State : uint8_t {
    kInit,
    kComment,
    kMeta1,
    kMeta2,
    kLabels,
    kLValue,
    kValue,
    kTimestamp,
    kExemplar,
    kEValue,
    kETimestamp,
  };
  enum class Token : uint8_t {
    kInvalid,
    kEof,
    kLinebreak,
    kWhitespace,
    kHelp,
    kType,
    kUnit,
    kEofWord,
    kText,
    kComment,
    kMName,
    kBraceOpen,
    kBraceClose,
    kLName,
    kLValue,
    kComma,
    kEqual,
    kTimestamp,
    kValue,
  };
  static std::string_view TokenName(Token t);

  // `virtual_newline`: the text parser sees the body with a '\n' appended, as Prometheus's.
  Parser(std::string_view body, bool virtual_newline);
  Parser(const Parser&) = default;

  // The byte at i (i < n_); i == body size is the virtual newline.
  uint8_t Byte(size_t i) const { return i < body_.size() ? static_cast<uint8_t>(body_[i]) : '\n'; }
  // golex's next(): advances one byte and skips NUL bytes inside label values, metadata text
  // and comments, where Prometheus allows them. Returns the new current byte, 0 at the end.
  uint8_t Advance() {
    ++i_;
    while (i_ < n_ && Byte(i_) == 0 &&
           (state_ == kLValue || state_ == kMeta2 || state_ == kComment))
      ++i_;
    return i_ < n_ ? Byte(i_) : 0;
  }
  // Moves over the run of bytes after the current one for which `pred` holds, stopping on the
  // last of them, so that the next Advance() lands on the byte after the run exactly as a
  // byte-by-byte loop of Advance() would. REQUIRES: pred(0) is false and the current state
  // does not skip NULs inside the run.
  template <typename Pred>
  void SkipRun(Pred pred) {
    size_t j = i_ + 1;
    const size_t end = body_.size();
    while (j < end && pred(static_cast<uint8_t>(body_[j]))) ++j;
    i_ = j - 1;
  }
  // The bytes of a label value that need no attention from the lexer.
  static bool IsPlainValueByte(uint8_t c) { return c != '"' && c != '\\' && c != '\n' && c != 0; }

  // Bytes [a, b) of the lexer's input (which may include the virtual newline), as a string.
  std::string Bytes(size_t a, size_t b) const;
  std::string_view View(size_t a, size_t b) const { return body_.substr(a, b - a); }
  // The token just lexed, clipped to the body.
  std::string_view TokenText() const { return View(tok_start_, std::min(i_, body_.size())); }

  // "EXP, got "TOKEN" ("NAME") while parsing: "LINE"", as Prometheus's parseError.
  base::Status ParseError(std::string_view expected, Token got);
  // "<err> while parsing: "LINE"" for value and timestamp errors.
  base::Status WhileParsing(const base::Status& err);
  // Records a failure at the current token and returns it.
  base::Status Fail(base::Status st);

  // Appends a label whose value is the raw text between the quotes.
  void AddLabel(std::string_view name, std::string_view raw_value) {
    labels_.push_back({name, raw_value});
  }
  // Unescapes \\, \" and \n in the values of labels_ that contain a backslash, into unescaped_.
  void UnescapeLabelValues();
  // Unescapes the help text in text_: \\ and \n, and also \" when `quote` (OpenMetrics).
  void UnescapeHelp(bool quote);
  // Fails on a label name given twice (or __name__ among the labels), and on a metric name
  // with leading whitespace; the messages Prometheus's scrape loop and TSDB give.
  base::Status CheckSeries();
  // Resets the per-entry state at the start of an entry.
  void BeginEntry() {
    entry_start_ = i_;
    labels_.clear();
    escaped_values_ = false;
    has_timestamp_ = false;
    has_exemplar_ = false;
    exemplar_labels_.clear();
  }

  std::string_view body_;
  size_t n_;                // the lexer's input length: body size (+1 for the text format)
  size_t i_ = 0;            // current position (golex l.i)
  size_t tok_start_ = 0;    // start of the current token (golex l.start)
  size_t entry_start_ = 0;  // start of the current entry (Prometheus's p.start)
  State state_ = kInit;
  // The format's grammar: the next entry, after Next() has ruled out a sticky error and the end.
  virtual base::Result<Entry> ParseNext() = 0;

  bool done_ = false;   // kEof returned
  base::Status error_;  // sticky error

  std::string_view metric_name_;
  std::string_view series_;
  std::vector<model::Label> labels_;
  bool escaped_values_ = false;  // a label value of this entry holds a backslash
  std::string unescaped_;  // storage for unescaped label values
  std::string help_buf_;   // storage for an unescaped help text
  double value_ = 0;
  bool has_timestamp_ = false;
  model::Timestamp timestamp_ = 0;
  MetricType type_ = MetricType::kUnknown;
  std::string_view text_;
  bool has_exemplar_ = false;
  std::vector<model::Label> exemplar_labels_;
  double exemplar_value_ = 0;
  bool exemplar_has_timestamp_ = false;
  model::Timestamp exemplar_timestamp_ = 0;

 private:
  mutable size_t line_pos_ = 0;  // line() counts newlines incrementally from here
  mutable int line_ = 1;
  size_t error_pos_ = 0;
};

// Whether a Content-Type names OpenMetrics ("application/openmetrics-text; version=1.0.0").
bool IsOpenMetrics(std::string_view content_type);

// The parser for a scrape response: OpenMetrics for application/openmetrics-text, the text
// format for anything else (as Prometheus's textparse.New). `body` must outlive the parser.
std::unique_ptr<Parser> NewParser(std::string_view body, std::string_view content_type,
                                  const ParserOptions& options = {});

}  // namespace scrape::textparse
