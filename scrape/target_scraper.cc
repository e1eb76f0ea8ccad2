#include "scrape/target_scraper.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "base/strconv.h"
#include "config/secret.h"

namespace scrape {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Prometheus 2.42's Accept header (scrape/scrape.go scrapeAcceptHeader).
constexpr std::string_view kAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
constexpr std::string_view kDeadline = "context deadline exceeded";
constexpr int kMaxRedirects = 10;  // Go's http.Client default
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxHeaderBytes = 1 << 20;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                 uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Go's syscall error text: strerror with a lower-case first letter ("connection refused").
std::string Errno(int e) {
  std::string s = std::strerror(e);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// host:port as Go prints a TCP address ("[::1]:80" for IPv6).
std::string AddrString(const sockaddr* sa) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (sa->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
    return "[" + std::string(ip) + "]:" + std::to_string(port);
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(sa);
  inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
  port = ntohs(a->sin_port);
  return std::string(ip) + ":" + std::to_string(port);
}

// scheme://host[:port]/path?query, split. `host` keeps IPv6 brackets off; `authority` is the
// Host header (as in the URL).
struct Url {
  std::string scheme, authority, host, port, target;
};

base::Result<Url> ParseUrl(std::string_view url) {
  Url u;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return base::InvalidArgument("unsupported protocol scheme");
  u.scheme = std::string(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  size_t slash = rest.find_first_of("/?#");
  u.authority = std::string(rest.substr(0, slash));
  std::string_view target = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  u.target = target.empty() || target[0] != '/' ? "/" + std::string(target) : std::string(target);
  std::string_view a = u.authority;
  if (size_t at = a.rfind('@'); at != std::string_view::npos) a = a.substr(at + 1);
  if (!a.empty() && a[0] == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return base::InvalidArgument("missing ']' in host");
    u.host = std::string(a.substr(1, close - 1));
    if (close + 1 < a.size() && a[close + 1] == ':') u.port = std::string(a.substr(close + 2));
  } else if (size_t c = a.rfind(':'); c != std::string_view::npos) {
    u.host = std::string(a.substr(0, c));
    u.port = std::string(a.substr(c + 1));
  } else {
    u.host = std::string(a);
  }
  if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
  if (u.host.empty()) return base::InvalidArgument("no Host in request URL");
  return u;
}

// A Location header resolved against the URL it answered.
std::string ResolveLocation(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return std::string(location);
  if (location.starts_with("//")) return base.scheme + ":" + std::string(location);
  if (location.starts_with("/")) return base.scheme + "://" + base.authority + std::string(location);
  std::string dir = base.target.substr(0, base.target.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return base.scheme + "://" + base.authority + dir + std::string(location);
}

FetchResult Fail(base::Status s) {
  FetchResult r;
  r.status = std::move(s);
  return r;
}

}  // namespace

// The plain-HTTP connection and the buffers kept across scrapes.
// Invariants: between scrapes fd < 0, or fd is a connected non-blocking socket to `origin`
// with no request in flight, and `in` is empty; during one, in[in_pos:] holds the bytes read
// and not consumed yet.
struct TargetScraper::Impl {
  int fd = -1;
  std::string origin;  // host:port of fd
  std::string local, remote;
  std::string in;
  size_t in_pos = 0;
  z_stream zs{};
  bool zs_init = false;
  bool gzip_done = false;  // the current gzip member ended
  size_t last_body_size = 0;  // of the last successful scrape, decoded
  SteadyClock::time_point deadline;

  ~Impl() {
    Close();
    if (zs_init) inflateEnd(&zs);
  }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    in.clear();
    in_pos = 0;
  }
  // Milliseconds left until the deadline for poll(); <= 0 when it has passed.
  int Remaining() const {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    return static_cast<int>(std::clamp<int64_t>(left, 0, 1 << 30));
  }
  // Waits until fd is ready for `events`; false when the deadline passed first.
  bool Wait(short events) {
    for (;;) {
      int left = Remaining();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      int n = ::poll(&p, 1, left);
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return true;  // the following call reports the error
    }
  }

  // Connects to u; the error is Go's dial error text, "" on success.
  std::string Dial(const Url& u) {
    Close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int g = ::getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &res);
    if (g != 0) {
      return "dial tcp: lookup " + u.host + ": " +
             (g == EAI_NONAME ? std::string("no such host") : std::string(gai_strerror(g)));
    }
    std::string err;
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      std::string addr = AddrString(ai->ai_addr);
      int s = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (s < 0) {
        err = "dial tcp " + addr + ": socket: " + Errno(errno);
        continue;
      }
      fd = s;
      int rc = ::connect(s, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        if (!Wait(POLLOUT)) {
          // Go's transport answers with the context's error when the deadline ends a dial.
          err = std::string(kDeadline);
          Close();
          break;
        }
        int so = 0;
        socklen_t len = sizeof(so);
        ::getsockopt(s, SOL_SOCKET, SO_ERROR, &so, &len);
        rc = so == 0 ? 0 : -1;
        errno = so;
      }
      if (rc != 0) {
        err = "dial tcp " + addr + ": connect: " + Errno(errno);
        Close();
        continue;
      }
      int one = 1;
      ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      sockaddr_storage local_addr{};
      socklen_t len = sizeof(local_addr);
      ::getsockname(s, reinterpret_cast<sockaddr*>(&local_addr), &len);
      local = AddrString(reinterpret_cast<sockaddr*>(&local_addr));
      remote = addr;
      origin = u.host + ":" + u.port;
      err.clear();
      break;
    }
    ::freeaddrinfo(res);
    return err;
  }

  // Writes all of `data`; the error text, "" on success.
  std::string WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!Wait(POLLOUT)) return std::string(kDeadline);
        continue;
      }
      return "write tcp " + local + "->" + remote + ": write: " + Errno(errno);
    }
    return "";
  }

  enum class ReadResult { kData, kEof, kDeadline, kError };
  // Appends what the socket has (waiting for it until the deadline) to `in`.
  ReadResult Fill(std::string* error) {
    if (in_pos > 0) {
      in.erase(0, in_pos);
      in_pos = 0;
    }
    for (;;) {
      size_t old = in.size();
      in.resize(old + kReadChunk);
      ssize_t n = ::recv(fd, in.data() + old, kReadChunk, 0);
      in.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
      if (n > 0) return ReadResult::kData;
      if (n == 0) return ReadResult::kEof;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!Wait(POLLIN)) return ReadResult::kDeadline;
        continue;
      }
      *error = "read tcp " + local + "->" + remote + ": read: " + Errno(errno);
      return ReadResult::kError;
    }
  }

  // Reads at least one more byte into `in`; the error of a body read otherwise (Go's texts).
  base::Status More() {
    std::string err;
    switch (Fill(&err)) {
      case ReadResult::kData: return base::Status::Ok();
      case ReadResult::kEof: return base::Unavailable("unexpected EOF");
      case ReadResult::kDeadline: return base::Unavailable(std::string(kDeadline));
      case ReadResult::kError: return base::Unavailable(err);
    }
    return base::Status::Ok();
  }
  std::string_view Available() const { return std::string_view(in).substr(in_pos); }
  // The position of the next CRLF in Available(), reading until there is one.
  base::Result<size_t> Line() {
    size_t eol;
    while ((eol = Available().find("\r\n")) == std::string_view::npos) RETURN_IF_ERROR(More());
    return eol;
  }

  using Sink = std::function<base::Status(std::string_view)>;
  // body := exactly `length` bytes.
  base::Status ReadLength(uint64_t length, const Sink& sink) {
    while (length > 0) {
      if (Available().empty()) RETURN_IF_ERROR(More());
      std::string_view part = Available().substr(0, std::min<uint64_t>(length, Available().size()));
      in_pos += part.size();
      length -= part.size();
      RETURN_IF_ERROR(sink(part));
    }
    return base::Status::Ok();
  }
  // body := { hex-size [;ext] CRLF data CRLF } "0" CRLF { trailer CRLF } CRLF  (RFC 9112 7.1)
  base::Status ReadChunked(const Sink& sink) {
    for (;;) {
      ASSIGN_OR_RETURN(size_t eol, Line());
      uint64_t size = 0;
      size_t digits = 0;
      for (char ch : Available().substr(0, eol)) {
        int d = (ch >= '0' && ch <= '9')   ? ch - '0'
                : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                           : -1;
        if (d < 0) break;
        size = size * 16 + static_cast<uint64_t>(d);
        if (++digits > 15) break;
      }
      if (digits == 0 || digits > 15) return base::Unavailable("malformed chunked encoding");
      in_pos += eol + 2;
      if (size == 0) {
        for (;;) {  // trailers, up to the empty line
          ASSIGN_OR_RETURN(size_t trailer_eol, Line());
          in_pos += trailer_eol + 2;
          if (trailer_eol == 0) return base::Status::Ok();
        }
      }
      RETURN_IF_ERROR(ReadLength(size, sink));
      while (Available().size() < 2) RETURN_IF_ERROR(More());
      if (!Available().starts_with("\r\n")) return base::Unavailable("malformed chunked encoding");
      in_pos += 2;
    }
  }
  // body := bytes until the target closes the connection.
  base::Status ReadToEof(const Sink& sink) {
    for (;;) {
      if (!Available().empty()) {
        std::string_view part = Available();
        in_pos = in.size();
        RETURN_IF_ERROR(sink(part));
      }
      std::string err;
      switch (Fill(&err)) {
        case ReadResult::kData: break;
        case ReadResult::kEof: return base::Status::Ok();
        case ReadResult::kDeadline: return base::Unavailable(std::string(kDeadline));
        case ReadResult::kError: return base::Unavailable(err);
      }
    }
  }

  base::Status ResetInflate() {
    gzip_done = false;
    if (zs_init) return inflateReset(&zs) == Z_OK ? base::Status::Ok() : base::Internal("inflateReset failed");
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return base::Internal("inflateInit2 failed");
    zs_init = true;
    return base::Status::Ok();
  }
  // Inflates `raw` onto *out; kLimitExceeded once *out reaches `limit` bytes.
  base::Status Inflate(std::string_view raw, size_t limit, std::string* out) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    zs.avail_in = static_cast<uInt>(raw.size());
    while (zs.avail_in > 0) {
      if (gzip_done) {
        // Another gzip member (Go's gzip.Reader reads multistream bodies).
        inflateReset(&zs);
        gzip_done = false;
      }
      const size_t old = out->size();
      // The spare capacity first (reserved for the body's usual size), then growth.
      const size_t spare = out->capacity() - old;
      const size_t room = spare >= 4096 ? spare : std::max<size_t>(raw.size() * 4, kReadChunk);
      out->resize(old + room);
      zs.next_out = reinterpret_cast<Bytef*>(out->data() + old);
      zs.avail_out = static_cast<uInt>(room);
      const int z = inflate(&zs, Z_NO_FLUSH);
      out->resize(old + room - zs.avail_out);
      if (out->size() >= limit) return base::LimitExceeded("body size limit exceeded");
      if (z == Z_STREAM_END) {
        gzip_done = true;
      } else if (z == Z_BUF_ERROR) {
        if (zs.avail_out > 0) break;  // needs more input
      } else if (z != Z_OK) {
        return base::Unavailable(z == Z_DATA_ERROR ? "gzip: invalid header" : "gzip: inflate error");
      }
    }
    return base::Status::Ok();
  }
};

TargetScraper::TargetScraper(ScrapeRequest request)
    : impl_(std::make_unique<Impl>()), request_(std::move(request)) {}

TargetScraper::~TargetScraper() = default;

FetchResult TargetScraper::Scrape(std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  c.deadline = SteadyClock::now() + timeout;
  std::string url = request_.url;
  if (url.starts_with("https://")) return ScrapeTls(timeout);

  std::string fixed_headers = "User-Agent: " + request_.user_agent + "\r\nAccept: " +
                              std::string(kAccept) +
                              "\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: " +
                              base::FormatFloatG(static_cast<double>(timeout.count()) / 1000.0) +
                              "\r\n";
  for (const auto& [name, value] : request_.headers) fixed_headers += name + ": " + value + "\r\n";

  for (int redirects = 0;; ++redirects) {
    const std::string get = "Get \"" + url + "\": ";  // Go names the request that failed
    auto parsed = ParseUrl(url);
    if (!parsed) return Fail(base::Unavailable(get + parsed.error().message()));
    const Url& u = *parsed;
    if (u.scheme != "http") {
      return Fail(base::Unavailable(get + "redirect to " + u.scheme +
                                    " is not supported for an http target"));
    }
    const std::string request = "GET " + u.target + " HTTP/1.1\r\nHost: " + u.authority + "\r\n" +
                                fixed_headers + "\r\n";

    // Send, on the kept connection if it goes to the same origin. A kept connection the target
    // closed while idle fails before any response byte: then once more on a new one, as Go's
    // transport retries a request on a reused connection.
    size_t header_end = std::string::npos;
    for (int attempt = 0;; ++attempt) {
      bool reused = c.fd >= 0 && c.origin == u.host + ":" + u.port;
      if (!reused) {
        std::string err = c.Dial(u);
        if (!err.empty()) {
          if (c.Remaining() <= 0) err = std::string(kDeadline);
          return Fail(base::Unavailable(get + err));
        }
        ++connections_opened_;
      }
      c.in.clear();
      c.in_pos = 0;
      std::string err = c.WriteAll(request);
      Impl::ReadResult rr = Impl::ReadResult::kData;
      while (err.empty()) {
        header_end = c.in.find("\r\n\r\n");
        if (header_end != std::string::npos) break;
        if (c.in.size() > kMaxHeaderBytes) {
          err = "net/http: server response headers exceeded " + std::to_string(kMaxHeaderBytes) +
                " bytes; aborted";
          break;
        }
        rr = c.Fill(&err);
        if (rr == Impl::ReadResult::kDeadline) err = std::string(kDeadline);
        if (rr == Impl::ReadResult::kEof) err = "EOF";
      }
      if (err.empty()) break;
      const bool nothing_read = c.in.empty() && err != kDeadline;
      c.Close();
      if (reused && attempt == 0 && nothing_read) continue;
      return Fail(base::Unavailable(get + err));
    }

    // Status line and headers.
    std::string_view head(c.in.data(), header_end);
    c.in_pos = header_end + 4;
    size_t eol = head.find("\r\n");
    std::string_view status_line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
      c.Close();
      return Fail(base::Unavailable(get + "malformed HTTP response \"" + std::string(status_line) + "\""));
    }
    const bool http10 = status_line[7] == '0';
    const std::string status_text(Trim(status_line.substr(9)));  // "200 OK"
    int code = 0;
    for (size_t i = 9; i < 12 && i < status_line.size(); ++i) code = code * 10 + (status_line[i] - '0');
    int64_t content_length = -1;
    bool chunked = false, gzip = false, close_after = http10;
    std::string content_type, location;
    while (!head.empty()) {
      size_t e = head.find("\r\n");
      std::string_view line = head.substr(0, e);
      head = e == std::string_view::npos ? std::string_view() : head.substr(e + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = line.substr(0, colon), value = Trim(line.substr(colon + 1));
      if (EqualsIgnoreCase(name, "Content-Length")) {
        content_length = 0;
        for (char ch : value) {
          if (ch < '0' || ch > '9') {
            c.Close();
            return Fail(base::Unavailable(get + "bad Content-Length \"" + std::string(value) + "\""));
          }
          content_length = content_length * 10 + (ch - '0');
        }
      } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
        chunked = EqualsIgnoreCase(value, "chunked");
      } else if (EqualsIgnoreCase(name, "Content-Encoding")) {
        gzip = EqualsIgnoreCase(value, "gzip");
      } else if (EqualsIgnoreCase(name, "Content-Type")) {
        content_type = std::string(value);
      } else if (EqualsIgnoreCase(name, "Location")) {
        location = std::string(value);
      } else if (EqualsIgnoreCase(name, "Connection")) {
        if (EqualsIgnoreCase(value, "close")) close_after = true;
        if (EqualsIgnoreCase(value, "keep-alive")) close_after = false;
      }
    }

    const bool redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    if (redirect && request_.follow_redirects && !location.empty()) {
      if (redirects + 1 >= kMaxRedirects) {
        c.Close();
        return Fail(base::Unavailable(get + "stopped after 10 redirects"));
      }
      url = ResolveLocation(u, location);
      c.Close();  // the redirect's body is not read
      continue;
    }
    if (code != 200) {
      // Prometheus does not read the body of a failed scrape; the connection goes with it.
      c.Close();
      return Fail(base::Unavailable("server returned HTTP status " + status_text));
    }

    // The body: raw bytes (de-chunked) go through gzip when encoded, into r.body, which must
    // stay under the limit.
    FetchResult r;
    r.content_type = std::move(content_type);
    // Bodies keep their size from scrape to scrape: one allocation instead of a growth series.
    r.body.reserve(std::max<size_t>(c.last_body_size + c.last_body_size / 8, kReadChunk));
    const size_t limit = request_.body_size_limit > 0
                             ? static_cast<size_t>(request_.body_size_limit)
                             : std::numeric_limits<size_t>::max();
    if (gzip) {
      if (base::Status z = c.ResetInflate(); !z.ok()) {
        c.Close();
        return Fail(std::move(z));
      }
    }
    auto sink = [&](std::string_view raw) {
      if (gzip) return c.Inflate(raw, limit, &r.body);
      if (r.body.size() + raw.size() >= limit) return base::LimitExceeded("body size limit exceeded");
      r.body.append(raw);
      return base::Status::Ok();
    };
    base::Status st;
    bool reusable = !close_after;
    if (code == 204 || code == 304) {
      // No body.
    } else if (chunked) {
      st = c.ReadChunked(sink);
    } else if (content_length >= 0) {
      st = c.ReadLength(static_cast<uint64_t>(content_length), sink);
    } else {
      reusable = false;
      st = c.ReadToEof(sink);
    }
    if (st.ok() && gzip && !c.gzip_done) st = base::Unavailable("unexpected EOF");
    // Bytes beyond the response (nothing was asked for): the connection is not trusted again.
    if (!st.ok() || !reusable || c.in_pos != c.in.size()) {
      c.Close();
    } else {
      c.in.clear();
      c.in_pos = 0;
    }
    if (!st.ok()) return Fail(std::move(st));
    c.last_body_size = r.body.size();
    return r;
  }
}

FetchResult TargetScraper::ScrapeTls(std::chrono::milliseconds timeout) {
  // cpp-httplib: its timeouts are per read, so the deadline is also checked between reads of
  // the body; a client per scrape (TLS connections are not kept).
  FetchResult r;
  const auto deadline = SteadyClock::now() + timeout;
  const std::string& url = request_.url;
  size_t host_start = url.find("://") + 3;
  size_t path_start = url.find('/', host_start);
  std::string origin = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  httplib::Client client(origin);
  auto secs = timeout.count() / 1000;
  auto usecs = (timeout.count() % 1000) * 1000;
  client.set_connection_timeout(secs, usecs);
  client.set_read_timeout(secs, usecs);
  client.set_write_timeout(secs, usecs);
  client.set_follow_location(request_.follow_redirects);
  client.set_decompress(true);
  if (request_.insecure_skip_verify) client.enable_server_certificate_verification(false);
  if (request_.has_basic_auth) client.set_basic_auth(request_.basic_user, request_.basic_password);
  httplib::Headers headers = {
      {"Accept", std::string(kAccept)},
      {"Accept-Encoding", "gzip"},
      {"User-Agent", request_.user_agent},
      {"X-Prometheus-Scrape-Timeout-Seconds",
       base::FormatFloatG(static_cast<double>(timeout.count()) / 1000.0)},
  };
  for (const auto& [name, value] : request_.headers) headers.emplace(name, value);
  const size_t limit = request_.body_size_limit > 0 ? static_cast<size_t>(request_.body_size_limit)
                                                    : std::numeric_limits<size_t>::max();
  bool too_large = false, late = false, got_headers = false;
  auto res = client.Get(
      path, headers,
      [&](const httplib::Response& resp) {
        got_headers = true;
        r.content_type = resp.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, size_t n) {
        if (r.body.size() + n >= limit) {
          too_large = true;
          return false;
        }
        if (SteadyClock::now() >= deadline) {
          late = true;
          return false;
        }
        r.body.append(data, n);
        return true;
      });
  const bool past = SteadyClock::now() >= deadline;
  if (too_large) {
    r.status = base::LimitExceeded("body size limit exceeded");
  } else if (late || (!res && past && got_headers)) {
    r.status = base::Unavailable(std::string(kDeadline));
  } else if (!res) {
    r.status = base::Unavailable("Get \"" + url + "\": " +
                                 (past ? std::string(kDeadline) : httplib::to_string(res.error())));
  } else if (res->status != 200) {
    r.status = base::Unavailable("server returned HTTP status " + std::to_string(res->status) +
                                 " " + res->reason);
  }
  if (!r.status.ok()) r.body.clear();
  return r;
}

Fetcher HttpFetcher(std::string url, const config::ScrapeConfig& cfg, std::string user_agent) {
  ScrapeRequest req;
  req.url = std::move(url);
  req.user_agent = std::move(user_agent);
  req.body_size_limit = cfg.body_size_limit;
  req.follow_redirects = cfg.http.follow_redirects;
  req.insecure_skip_verify = cfg.http.tls_config.insecure_skip_verify;
  const bool tls = req.url.starts_with("https://");
  auto scraper = std::make_shared<TargetScraper>(std::move(req));
  const config::HttpClientConfig http = cfg.http;
  // Secrets in files are read before every scrape, as Prometheus reads them per request.
  return [scraper, http, tls](std::chrono::milliseconds timeout) {
    ScrapeRequest& r = scraper->request();
    r.headers.clear();
    if (const auto& ba = http.basic_auth) {
      r.has_basic_auth = true;
      r.basic_user = ba->username_file.empty() ? ba->username : config::ReadSecretFile(ba->username_file);
      r.basic_password =
          ba->password_file.empty() ? ba->password : config::ReadSecretFile(ba->password_file);
      if (!tls)
        r.headers.emplace_back("Authorization",
                               "Basic " + Base64(r.basic_user + ":" + r.basic_password));
    }
    if (const auto& a = http.authorization) {
      r.headers.emplace_back("Authorization",
                             a->type + " " +
                                 (a->credentials_file.empty() ? a->credentials
                                                              : config::ReadSecretFile(a->credentials_file)));
    }
    return scraper->Scrape(timeout);
  };
}

}  // namespace scrape
