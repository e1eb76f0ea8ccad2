// TargetScraper: the HTTP client of one scrape target, as Prometheus's targetScraper
// (scrape/scrape.go): one GET per scrape with Prometheus's request headers, one deadline for the
// whole request (connect, headers and body), gzip bodies decoded, body_size_limit applied to the
// decoded size, the connection kept alive between scrapes, and errors worded as Go's net/http
// client words them (they are the targets API's lastError).
//
// http:// targets use a small HTTP/1.1 client over a non-blocking socket: cpp-httplib 0.11's
// timeouts are per read, so a target trickling its body would never time out, and its errors
// carry no errno ("Connection" for a refused connection). https:// targets still go through
// cpp-httplib (TLS) with the deadline checked between reads; see docs/scrape.md, "Fetching".
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "config/scrape_config.h"
#include "scrape/scrape_loop.h"

namespace scrape {

// What every request of a target carries.
struct ScrapeRequest {
  std::string url;  // scheme://host[:port]/path?query
  std::string user_agent = "Hestia";
  // Added to Prometheus's Accept, Accept-Encoding, User-Agent and
  // X-Prometheus-Scrape-Timeout-Seconds (e.g. Authorization).
  std::vector<std::pair<std::string, std::string>> headers;
  // Basic auth for the https path (the http path gets it as an Authorization header).
  std::string basic_user, basic_password;
  bool has_basic_auth = false;
  bool insecure_skip_verify = false;
  // The decoded body must stay below this many bytes (Prometheus: n >= limit fails); 0: none.
  int64_t body_size_limit = 0;
  bool follow_redirects = true;
};

// Thread-compatible: one scrape at a time (the loop's thread); the connection is reused by the
// next Scrape.
class TargetScraper {
 public:
  explicit TargetScraper(ScrapeRequest request);
  ~TargetScraper();
  TargetScraper(const TargetScraper&) = delete;
  TargetScraper& operator=(const TargetScraper&) = delete;

  // Fetches the target within `timeout`, counted from the call. On success the status is OK and
  // the body is decoded (gzip). Errors (kUnavailable unless noted), with Go's wording:
  //   before the response headers: `Get "URL": context deadline exceeded`,
  //     `Get "URL": dial tcp ADDR: connect: connection refused`, `Get "URL": EOF`, ...;
  //   while reading the body: `context deadline exceeded`, `unexpected EOF`;
  //   `server returned HTTP status 500 Internal Server Error`;
  //   kLimitExceeded `body size limit exceeded`.
  FetchResult Scrape(std::chrono::milliseconds timeout);

  // The request, changeable between scrapes (headers from secret files).
  ScrapeRequest& request() { return request_; }

  // Connections opened so far (keep-alive reuses one across scrapes). For tests.
  uint64_t connections_opened() const { return connections_opened_; }

 private:
  struct Impl;  // the connection and the buffers kept across scrapes
  // Scrape for an https:// URL, through cpp-httplib.
  FetchResult ScrapeTls(std::chrono::milliseconds timeout);

  std::unique_ptr<Impl> impl_;
  ScrapeRequest request_;
  uint64_t connections_opened_ = 0;
};

// The Fetcher of a ScrapeLoop: a TargetScraper for `url` under the scrape config `cfg`
// (authorization, basic auth, TLS, redirects, body_size_limit).
Fetcher HttpFetcher(std::string url, const config::ScrapeConfig& cfg, std::string user_agent);

}  // namespace scrape
