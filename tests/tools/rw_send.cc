// rw_send: sends one remote-write request built from text and prints the server's answer, to
// pin down a receiver's behaviour (status codes and messages) by hand or from a script.
//
//   rw_send --url http://127.0.0.1:9090/api/v1/write [--file FILE] [--no-snappy]
//   rw_send --url ... --raw-body-file FILE      (sends FILE's bytes unchanged)
//
// Input lines (stdin or --file), one sample each; '#' lines and blank lines are skipped:
//   metric_name{label="value",...} VALUE TIMESTAMP_MS
// VALUE is a float, NaN, +Inf, -Inf, or "stale" (Prometheus's staleness marker). Consecutive
// lines with the same labels become one TimeSeries with several samples, in the given order;
// labels are sent sorted by name.
// Prints "HTTP <code>" and the response body. Exit status: 0 for 2xx, 1 for another status,
// 2 for bad input, 3 for a connection error.

#include <httplib.h>
#include <snappy.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/tools/flags.h"
#include "tests/tools/write_request_encoder.h"

namespace tools {
namespace {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct Line {
  LabelPairs labels;
  EncodedSample sample;
};

bool IsNameChar(char c, bool first) {
  return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (!first && c >= '0' && c <= '9');
}

// Parses `name{a="b",...}` at the front of `s`, leaving `pos` after it.
base::Result<LabelPairs> ParseLabels(const std::string& s, size_t* pos) {
  LabelPairs labels;
  size_t p = *pos;
  const size_t name_start = p;
  while (p < s.size() && IsNameChar(s[p], p == name_start)) ++p;
  if (p > name_start) labels.emplace_back("__name__", s.substr(name_start, p - name_start));
  if (p < s.size() && s[p] == '{') {
    ++p;
    for (;;) {
      while (p < s.size() && s[p] == ' ') ++p;
      if (p < s.size() && s[p] == '}') {
        ++p;
        break;
      }
      const size_t n0 = p;
      while (p < s.size() && IsNameChar(s[p], p == n0)) ++p;
      if (p == n0 || p + 1 >= s.size() || s[p] != '=' || s[p + 1] != '"') {
        return base::InvalidArgument("expected name=\"value\" at column " + std::to_string(p + 1));
      }
      std::string name = s.substr(n0, p - n0);
      p += 2;
      std::string value;
      for (;;) {
        if (p >= s.size()) return base::InvalidArgument("unterminated label value");
        const char c = s[p++];
        if (c == '"') break;
        if (c == '\\' && p < s.size()) {
          const char e = s[p++];
          value.push_back(e == 'n' ? '\n' : e);
        } else {
          value.push_back(c);
        }
      }
      labels.emplace_back(std::move(name), std::move(value));
      while (p < s.size() && s[p] == ' ') ++p;
      if (p < s.size() && s[p] == ',') ++p;
    }
  }
  if (labels.empty()) return base::InvalidArgument("missing metric name or labels");
  std::sort(labels.begin(), labels.end());
  *pos = p;
  return labels;
}

base::Result<double> ParseValue(const std::string& text) {
  if (text == "stale") {
    const uint64_t bits = 0x7ff0000000000002ull;  // Prometheus value.StaleNaN
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    return v;
  }
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return base::InvalidArgument("bad value '" + text + "'");
  return v;
}

base::Result<std::vector<Line>> ParseInput(std::istream& in) {
  std::vector<Line> lines;
  std::string text;
  for (int lineno = 1; std::getline(in, text); ++lineno) {
    const size_t start = text.find_first_not_of(" \t");
    if (start == std::string::npos || text[start] == '#') continue;
    size_t pos = start;
    auto labels = ParseLabels(text, &pos);
    if (!labels) return labels.error().WithPrefix("line " + std::to_string(lineno));
    std::istringstream rest(text.substr(pos));
    std::string value_text;
    long long ts = 0;
    if (!(rest >> value_text >> ts)) {
      return base::InvalidArgument("line " + std::to_string(lineno) +
                                   ": want LABELS VALUE TIMESTAMP_MS");
    }
    auto value = ParseValue(value_text);
    if (!value) return value.error().WithPrefix("line " + std::to_string(lineno));
    lines.push_back(Line{std::move(*labels), EncodedSample{ts, *value}});
  }
  return lines;
}

std::string Encode(const std::vector<Line>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size();) {
    std::vector<EncodedSample> samples;
    size_t j = i;
    while (j < lines.size() && lines[j].labels == lines[i].labels)
      samples.push_back(lines[j++].sample);
    AppendTimeSeries(lines[i].labels, samples, &out);
    i = j;
  }
  return out;
}

int Main(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv);
  if (!flags) {
    std::fprintf(stderr, "rw_send: %s\n", flags.error().message().c_str());
    return 2;
  }
  auto url = flags->String("url", "");
  auto file = flags->String("file", "");
  auto raw_file = flags->String("raw-body-file", "");
  auto no_snappy = flags->Bool("no-snappy", false);
  for (const base::Status& st :
       {url.status(), file.status(), raw_file.status(), no_snappy.status(), flags->Finish()}) {
    if (!st.ok()) {
      std::fprintf(stderr, "rw_send: %s\n", st.message().c_str());
      return 2;
    }
  }
  if (url->rfind("http://", 0) != 0) {
    std::fprintf(stderr, "rw_send: --url must be http://HOST:PORT/PATH\n");
    return 2;
  }
  std::string body;
  if (!raw_file->empty()) {
    std::ifstream in(*raw_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "rw_send: cannot read %s\n", raw_file->c_str());
      return 2;
    }
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    std::ifstream fin;
    if (!file->empty()) {
      fin.open(*file);
      if (!fin) {
        std::fprintf(stderr, "rw_send: cannot read %s\n", file->c_str());
        return 2;
      }
    }
    auto lines = ParseInput(file->empty() ? std::cin : fin);
    if (!lines) {
      std::fprintf(stderr, "rw_send: %s\n", lines.error().message().c_str());
      return 2;
    }
    const std::string raw = Encode(*lines);
    if (*no_snappy) {
      body = raw;
    } else {
      snappy::Compress(raw.data(), raw.size(), &body);
    }
  }

  const size_t slash = url->find('/', 7);
  httplib::Client client(url->substr(0, slash));
  client.set_connection_timeout(5, 0);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(30, 0);
  httplib::Headers headers = {{"X-Prometheus-Remote-Write-Version", "0.1.0"},
                              {"User-Agent", "hestia-rw-send/0.1"}};
  if (raw_file->empty() && !*no_snappy) headers.emplace("Content-Encoding", "snappy");
  auto res = client.Post(slash == std::string::npos ? "/api/v1/write" : url->substr(slash), headers,
                         body.data(), body.size(), "application/x-protobuf");
  if (!res) {
    std::printf("connection error: %s\n", httplib::to_string(res.error()).c_str());
    return 3;
  }
  std::printf("HTTP %d\n%s", res->status, res->body.c_str());
  if (!res->body.empty() && res->body.back() != '\n') std::printf("\n");
  return res->status >= 200 && res->status < 300 ? 0 : 1;
}

}  // namespace
}  // namespace tools

int main(int argc, char** argv) { return tools::Main(argc, argv); }
