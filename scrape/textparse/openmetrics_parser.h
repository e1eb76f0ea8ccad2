// OpenMetricsParser: the OpenMetrics 1.0 text format.
#pragma once

#include <string>
#include <string_view>

#include "scrape/textparse/parser.h"

namespace scrape::textparse {

// Parses OpenMetrics with Prometheus's grammar (openmetricslex.l) and messages
// (openmetricsparse.go): single spaces separate tokens, no blank lines and no comments other
// than HELP/TYPE/UNIT, label values on one line, timestamps as float seconds, exemplars after
// " # ", and the body must end with "# EOF" (an optional newline and nothing else after it).
// Not thread-safe.
class OpenMetricsParser final : public Parser {
 public:
  explicit OpenMetricsParser(std::string_view body, const ParserOptions& options = {})
      : Parser(body, /*virtual_newline=*/false), options_(options) {}

  std::optional<model::Timestamp> CreatedTimestamp() override;

 private:
  OpenMetricsParser(const OpenMetricsParser&) = default;  // a reader ahead, for CreatedTimestamp

  // The golex lexer of openmetricslex.l, one token per call.
  Token Lex();
  Token LabelValue(State next);
  // " " then one or more bytes other than space and newline.
  Token SpacedWord(Token t);

  base::Result<Entry> ParseNext() override;
  // Reads the labels after '{' into labels_ (or the exemplar's).
  base::Status ParseLabels(bool exemplar);
  base::Status ParseSeriesEndOfLine(Token t);
  base::Status ParseExemplar();
  base::Result<double> FloatValue(Token t, std::string_view after);
  // Whether the series is the _created series of a counter, histogram or summary.
  bool IsCreatedSeries() const;
  // The family name and the labels other than le (histogram) and quantile (summary): the
  // identity a _created line shares with the series it belongs to.
  std::string CreatedKey(std::string_view family) const;

  ParserOptions options_;
  std::string_view family_;       // the name of the last HELP/TYPE/UNIT line
  bool ignore_exemplar_ = false;  // set on the reader ahead
  std::string ct_key_;            // CreatedTimestamp's cache
  std::optional<model::Timestamp> ct_;
  bool ct_valid_ = false;
};

}  // namespace scrape::textparse
