// The HTTP side shared by the HTTP notifiers (Alertmanager's notify/util.go PostJSON, Retrier,
// RedactURL; prometheus/common's HTTP client config): one POST with the configured auth and TLS,
// a deadline, and the retry decision from the status code.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/config/config.h"
#include "base/status.h"

namespace alerting::notify {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Thread-safe: each Post opens its own connection.
class HttpClient {
 public:
  // `config` may be null (no auth, default TLS). `timeout` bounds connecting and each read and
  // write, so a peer that stops answering fails the request instead of blocking it.
  HttpClient(std::shared_ptr<const config::HttpClientConfig> config, std::string user_agent,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // POSTs `body` to `url` with Content-Type `content_type`, User-Agent, auth from the config
  // and `headers`. Errors: kUnavailable `Post "<redacted>": REASON` when no response arrives
  // (the URL is redacted as Alertmanager's RedactURL does, since it may hold a secret);
  // kInvalidArgument for a URL that cannot be used.
  base::Result<HttpResponse> Post(
      const std::string& url, std::string_view content_type, const std::string& body,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return Send("POST", url, content_type, body, headers);
  }
  // The same with another method ("PUT"); errors name it ("Put \"<redacted>\": ...").
  base::Result<HttpResponse> Send(
      std::string_view method, const std::string& url, std::string_view content_type,
      const std::string& body,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) const;

 private:
  std::shared_ptr<const config::HttpClientConfig> config_;
  std::string user_agent_;
  std::chrono::milliseconds timeout_;
};

// Alertmanager's Retrier.Check: OK for 2xx; otherwise kUnavailable "unexpected status code N"
// followed by ": DETAILS" when details are not empty, with *retry set for 5xx and `retry_codes`.
base::Status CheckStatus(int status, std::string_view details, bool* retry,
                         const std::vector<int>& retry_codes = {});

// The file's contents (url_file, api_key_file, ...). Errors: kIOError "open PATH: REASON".
base::Result<std::string> ReadFileContents(const std::string& path);
// strings.TrimSpace.
std::string TrimSpace(std::string_view s);

// notify.TruncateInRunes / TruncateInBytes: s cut to n runes / bytes with "…" at the end when it
// was longer; *truncated says whether it was.
std::string TruncateInRunes(std::string_view s, size_t n, bool* truncated);
std::string TruncateInBytes(std::string_view s, size_t n, bool* truncated);

}  // namespace alerting::notify
