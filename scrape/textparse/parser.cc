#include "scrape/textparse/parser.h"

#include <algorithm>
#include <cstring>

#include "base/quote.h"
#include "scrape/textparse/openmetrics_parser.h"
#include "scrape/textparse/prom_parser.h"

namespace scrape::textparse {
namespace {

// Unescapes `raw` into `out` as Go's strings.Replacer with the pairs \\ -> \, \n -> newline and,
// when `quote`, \" -> "; any other backslash is kept with the byte after it.
void Unescape(std::string_view raw, bool quote, std::string* out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      const char n = raw[i + 1];
      if (n == '\\' || n == 'n' || (quote && n == '"')) {
        out->push_back(n == 'n' ? '\n' : n);
        ++i;
        continue;
      }
    }
    out->push_back(c);
  }
}

}  // namespace

std::string_view MetricTypeString(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateset:
      return "stateset";
    case MetricType::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view Parser::TokenName(Token t) {
  switch (t) {
    case Token::kInvalid:
      return "INVALID";
    case Token::kEof:
      return "EOF";
    case Token::kLinebreak:
      return "LINEBREAK";
    case Token::kWhitespace:
      return "WHITESPACE";
    case Token::kHelp:
      return "HELP";
    case Token::kType:
      return "TYPE";
    case Token::kUnit:
      return "UNIT";
    case Token::kEofWord:
      return "EOFWORD";
    case Token::kText:
      return "TEXT";
    case Token::kComment:
      return "COMMENT";
    case Token::kMName:
      return "MNAME";
    case Token::kBraceOpen:
      return "BOPEN";
    case Token::kBraceClose:
      return "BCLOSE";
    case Token::kLName:
      return "LNAME";
    case Token::kLValue:
      return "LVALUE";
    case Token::kComma:
      return "COMMA";
    case Token::kEqual:
      return "EQUAL";
    case Token::kTimestamp:
      return "TIMESTAMP";
    case Token::kValue:
      return "VALUE";
  }
  return "INVALID";
}

Parser::Parser(std::string_view body, bool virtual_newline)
    : body_(body), n_(body.size() + (virtual_newline ? 1 : 0)) {}

int Parser::line() const {
  const size_t pos = std::min(error_.ok() ? entry_start_ : error_pos_, body_.size());
  if (pos < line_pos_) {
    line_pos_ = 0;
    line_ = 1;
  }
  const char* p = body_.data() + line_pos_;
  const char* end = body_.data() + pos;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    ++line_;
    p = static_cast<const char*>(nl) + 1;
  }
  line_pos_ = pos;
  return line_;
}

std::optional<Exemplar> Parser::exemplar() const {
  if (!has_exemplar_) return std::nullopt;
  Exemplar e;
  e.labels = exemplar_labels_;
  e.value = exemplar_value_;
  if (exemplar_has_timestamp_) e.timestamp = exemplar_timestamp_;
  return e;
}

std::string Parser::Bytes(size_t a, size_t b) const {
  std::string out(body_.substr(std::min(a, body_.size()), b > a ? b - a : 0));
  if (b > body_.size() && n_ > body_.size() && a <= body_.size()) out.push_back('\n');
  return out;
}

base::Status Parser::ParseError(std::string_view expected, Token got) {
  const size_t e = std::min(n_, i_ + 1);
  return Fail(base::InvalidArgument(
      std::string(expected) + ", got " + base::GoQuote(Bytes(tok_start_, e)) + " (" +
      base::GoQuote(TokenName(got)) + ") while parsing: " + base::GoQuote(Bytes(entry_start_, e))));
}

base::Status Parser::WhileParsing(const base::Status& err) {
  return Fail(base::InvalidArgument(
      err.message() + " while parsing: " + base::GoQuote(Bytes(entry_start_, std::min(i_, n_)))));
}

base::Status Parser::Fail(base::Status st) {
  error_pos_ = std::min(tok_start_, body_.size());
  error_ = st;
  return st;
}

void Parser::UnescapeLabelValues() {
  if (!escaped_values_) return;
  // Reserve once for all escaped values of the line so that earlier views stay valid.
  size_t need = 0;
  for (const model::Label& l : labels_)
    if (l.value.find('\\') != std::string_view::npos) need += l.value.size();
  if (need == 0) return;
  unescaped_.clear();
  unescaped_.reserve(need);
  for (model::Label& l : labels_) {
    if (l.value.find('\\') == std::string_view::npos) continue;
    const size_t at = unescaped_.size();
    Unescape(l.value, true, &unescaped_);
    l.value = std::string_view(unescaped_).substr(at);
  }
}

void Parser::UnescapeHelp(bool quote) {
  if (text_.find('\\') == std::string_view::npos) return;
  help_buf_.clear();
  Unescape(text_, quote, &help_buf_);
  text_ = help_buf_;
}

base::Status Parser::CheckSeries() {
  const auto invalid_name = [&]() {
    std::vector<model::Label> all(labels_.begin(), labels_.end());
    all.push_back({model::kMetricName, metric_name_});
    return base::InvalidArgument("invalid metric name or label names: " +
                                 model::Labels::FromVector(std::move(all)).ToString());
  };
  // The text format lets whitespace precede the name; Prometheus keeps it in __name__, which
  // then fails its scrape loop's validation.
  if (!metric_name_.empty() && (metric_name_[0] == ' ' || metric_name_[0] == '\t'))
    return Fail(invalid_name());
  for (size_t a = 0; a < labels_.size(); ++a) {
    if (labels_[a].name == model::kMetricName)
      return Fail(base::InvalidArgument("label name \"__name__\" is not unique: invalid sample"));
    for (size_t b = 0; b < a; ++b) {
      if (labels_[a].name == labels_[b].name) {
        return Fail(base::InvalidArgument("label name " + base::GoQuote(labels_[a].name) +
                                          " is not unique: invalid sample"));
      }
    }
  }
  return base::Status::Ok();
}

bool IsOpenMetrics(std::string_view content_type) {
  // mime.ParseMediaType's media type: before ';', trimmed, case-insensitive.
  std::string_view mt = content_type.substr(0, content_type.find(';'));
  while (!mt.empty() && (mt.front() == ' ' || mt.front() == '\t')) mt.remove_prefix(1);
  while (!mt.empty() && (mt.back() == ' ' || mt.back() == '\t')) mt.remove_suffix(1);
  constexpr std::string_view kOpenMetrics = "application/openmetrics-text";
  if (mt.size() != kOpenMetrics.size()) return false;
  for (size_t i = 0; i < mt.size(); ++i) {
    char c = mt[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kOpenMetrics[i]) return false;
  }
  return true;
}

std::unique_ptr<Parser> NewParser(std::string_view body, std::string_view content_type,
                                  const ParserOptions& options) {
  if (IsOpenMetrics(content_type)) return std::make_unique<OpenMetricsParser>(body, options);
  return std::make_unique<PromParser>(body);
}

}  // namespace scrape::textparse
