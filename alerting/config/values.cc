// Value types of the configuration: URLs as Go's net/url parses and prints them, host:port as
// net.SplitHostPort, Go durations (time.ParseDuration), MIME header canonicalisation.
#include "alerting/config/values.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "model/matcher.h"

namespace alerting::config {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

base::Status UrlError(std::string_view raw, std::string_view why) {
  return base::InvalidArgument("parse " + model::GoQuote(raw) + ": " + std::string(why));
}

}  // namespace

std::string Url::ToString() const {
  std::string out;
  if (!scheme.empty()) out += scheme + ":";
  if (!opaque.empty()) {
    out += opaque;
  } else {
    if (!scheme.empty() || !host.empty() || has_user) {
      if (!host.empty() || !path.empty() || has_user) out += "//";
      if (has_user) out += user + "@";
      out += host;
    }
    if (!path.empty() && path[0] != '/' && !host.empty()) out += "/";
    if (out.empty()) {
      std::string_view seg = std::string_view(path).substr(0, path.find('/'));
      if (seg.find(':') != std::string_view::npos) out += "./";
    }
    out += path;
  }
  if (force_query || !raw_query.empty()) out += "?" + raw_query;
  if (has_fragment && !fragment.empty()) out += "#" + fragment;
  return out;
}

base::Result<Url> ParseUrl(std::string_view raw) {
  Url u;
  std::string_view rest = raw;
  std::string_view without_fragment = raw;
  if (size_t hash = raw.find('#'); hash != std::string_view::npos) {
    without_fragment = raw.substr(0, hash);
    u.fragment = std::string(raw.substr(hash + 1));
    u.has_fragment = true;
  }
  rest = without_fragment;
  for (char c : rest) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return UrlError(without_fragment, "net/url: invalid control character in URL");
    }
  }
  if (rest == "*") {
    u.path = "*";
    return u;
  }
  // Scheme: [a-zA-Z][a-zA-Z0-9+.-]* followed by ':'.
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (IsAlpha(c)) continue;
    if (IsDigit(c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return UrlError(without_fragment, "missing protocol scheme");
      u.scheme = std::string(rest.substr(0, i));
      for (char& s : u.scheme) s = static_cast<char>(std::tolower(static_cast<unsigned char>(s)));
      rest.remove_prefix(i + 1);
    }
    break;
  }
  if (!rest.empty() && rest.back() == '?' && rest.find('?') == rest.size() - 1) {
    u.force_query = true;
    rest.remove_suffix(1);
  } else if (size_t q = rest.find('?'); q != std::string_view::npos) {
    u.raw_query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest.front() != '/') {
    if (!u.scheme.empty()) {
      u.opaque = std::string(rest);
      return u;
    }
    std::string_view seg = rest.substr(0, rest.find('/'));
    if (seg.find(':') != std::string_view::npos) {
      return UrlError(without_fragment, "first path segment in URL cannot contain colon");
    }
  }
  if ((!u.scheme.empty() || rest.substr(0, 3) != "///") && rest.substr(0, 2) == "//") {
    std::string_view authority = rest.substr(2);
    rest = "";
    if (size_t slash = authority.find('/'); slash != std::string_view::npos) {
      rest = authority.substr(slash);
      authority = authority.substr(0, slash);
    }
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      u.user = std::string(authority.substr(0, at));
      u.has_user = true;
      authority = authority.substr(at + 1);
    }
    // Port, when present, must be digits.
    std::string_view host = authority;
    size_t colon = host.rfind(':');
    size_t bracket = host.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
      std::string_view port = host.substr(colon + 1);
      for (char c : port) {
        if (!IsDigit(c)) {
          return UrlError(without_fragment,
                          "invalid port " + model::GoQuote(host.substr(colon)) + " after host");
        }
      }
    }
    u.host = std::string(host);
  }
  u.path = std::string(rest);
  return u;
}

base::Result<Url> ParseHttpUrl(std::string_view s) {
  ASSIGN_OR_RETURN(Url u, ParseUrl(s));
  if (u.scheme != "http" && u.scheme != "https") {
    return base::InvalidArgument("unsupported scheme " + model::GoQuote(u.scheme) + " for URL");
  }
  if (u.host.empty()) return base::InvalidArgument("missing host for URL");
  return u;
}

base::Result<HostPort> ParseHostPort(std::string_view s) {
  HostPort hp;
  if (s.empty()) return hp;
  auto addr_err = [&](std::string_view why) {
    return base::InvalidArgument("address " + std::string(s) + ": " + std::string(why));
  };
  size_t i = s.rfind(':');
  if (i == std::string_view::npos) return addr_err("missing port in address");
  size_t j = 0, k = 0;
  if (s[0] == '[') {
    size_t end = s.find(']');
    if (end == std::string_view::npos) return addr_err("missing ']' in address");
    if (end + 1 == s.size()) return addr_err("missing port in address");
    if (end + 1 != i) {
      if (s[end + 1] == ':') return addr_err("too many colons in address");
      return addr_err("missing port in address");
    }
    hp.host = std::string(s.substr(1, end - 1));
    j = 1;
    k = end + 1;
  } else {
    hp.host = std::string(s.substr(0, i));
    if (hp.host.find(':') != std::string::npos) return addr_err("too many colons in address");
  }
  if (s.substr(j).find('[') != std::string_view::npos) return addr_err("unexpected '[' in address");
  if (s.substr(k).find(']') != std::string_view::npos) return addr_err("unexpected ']' in address");
  hp.port = std::string(s.substr(i + 1));
  if (hp.port.empty()) {
    return base::InvalidArgument("address " + model::GoQuote(s) + ": port cannot be empty");
  }
  return hp;
}

base::Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view orig) {
  auto invalid = [&] {
    return base::InvalidArgument("time: invalid duration " + model::GoQuote(orig));
  };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid();
  long double total = 0;
  while (!s.empty()) {
    if (!(IsDigit(s[0]) || s[0] == '.')) return invalid();
    size_t i = 0;
    long double v = 0;
    bool digits = false;
    while (i < s.size() && IsDigit(s[i])) {
      v = v * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && IsDigit(s[i])) {
        v += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return invalid();
    size_t u = i;
    while (u < s.size() && !IsDigit(s[u]) && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    if (unit.empty()) {
      return base::InvalidArgument("time: missing unit in duration " + model::GoQuote(orig));
    }
    long double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      mult = 1e3L;
    else if (unit == "ms")
      mult = 1e6L;
    else if (unit == "s")
      mult = 1e9L;
    else if (unit == "m")
      mult = 60e9L;
    else if (unit == "h")
      mult = 3600e9L;
    else {
      return base::InvalidArgument("time: unknown unit " + model::GoQuote(unit) + " in duration " +
                                   model::GoQuote(orig));
    }
    total += v * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return invalid();
    s.remove_prefix(u);
  }
  auto ns = static_cast<int64_t>(std::llround(total));
  return std::chrono::nanoseconds(neg ? -ns : ns);
}

std::string FormatGoDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  bool neg = ns < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (u < 1000000000ULL) {
    // Sub-second: ns, µs or ms with a fraction.
    const char* unit;
    uint64_t div;
    if (u < 1000) {
      unit = "ns";
      div = 1;
    } else if (u < 1000000) {
      unit = "\xc2\xb5s";
      div = 1000;
    } else {
      unit = "ms";
      div = 1000000;
    }
    std::string frac;
    uint64_t whole = u / div, rem = u % div;
    if (rem != 0) {
      std::string digits = std::to_string(rem + div).substr(1);
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      frac = "." + digits;
    }
    out = std::to_string(whole) + frac + unit;
  } else {
    uint64_t secs = u / 1000000000ULL, rem = u % 1000000000ULL;
    std::string frac;
    if (rem != 0) {
      std::string digits = std::to_string(rem + 1000000000ULL).substr(1);
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      frac = "." + digits;
    }
    uint64_t h = secs / 3600, m = (secs / 60) % 60, sec = secs % 60;
    if (h > 0) out += std::to_string(h) + "h";
    if (h > 0 || m > 0) out += std::to_string(m) + "m";
    out += std::to_string(sec) + frac + "s";
  }
  return neg ? "-" + out : out;
}

std::string CanonicalMimeHeaderKey(std::string_view s) {
  // Go's textproto: unchanged when a byte is not a token character.
  for (char c : s) {
    unsigned char b = static_cast<unsigned char>(c);
    bool token = b > 0x20 && b < 0x7f &&
                 std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
    if (!token) return std::string(s);
  }
  std::string out(s);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    else if (!upper && c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    upper = c == '-';
  }
  return out;
}

bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!(IsAlpha(c) || c == '_' || (IsDigit(c) && i > 0))) return false;
  }
  return true;
}

}  // namespace alerting::config
