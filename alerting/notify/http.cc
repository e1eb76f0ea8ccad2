#include "alerting/notify/http.h"

#include <httplib.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace alerting::notify {
namespace {

// A secret given inline or as a file (prometheus/common reads *_file at each request).
base::Result<std::string> SecretOrFile(const config::Secret& inline_value,
                                       const std::string& file) {
  if (file.empty()) return inline_value.value;
  ASSIGN_OR_RETURN(std::string s, ReadFileContents(file));
  return TrimSpace(s);
}

}  // namespace

HttpClient::HttpClient(std::shared_ptr<const config::HttpClientConfig> config,
                       std::string user_agent, std::chrono::milliseconds timeout)
    : config_(std::move(config)), user_agent_(std::move(user_agent)), timeout_(timeout) {}

base::Result<HttpResponse> HttpClient::Send(
    std::string_view method, const std::string& url, std::string_view content_type,
    const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  // Go's error prefix: the method with only its first letter upper-case ("Post", "Put").
  std::string what(method);
  for (size_t i = 1; i < what.size(); ++i) what[i] = static_cast<char>(std::tolower(what[i]));
  what += " \"<redacted>\": ";
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return base::InvalidArgument(what + "unsupported protocol scheme");
  }
  const size_t path_start = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (path.empty() || path[0] == '?') path.insert(0, "/");

  const config::TlsConfig* tls = config_ ? &config_->tls_config : nullptr;
  std::unique_ptr<httplib::Client> client =
      tls ? std::make_unique<httplib::Client>(origin, tls->cert_file, tls->key_file)
          : std::make_unique<httplib::Client>(origin);
  if (!client->is_valid()) return base::InvalidArgument(what + "invalid URL");
  const auto t = timeout_.count();
  client->set_connection_timeout(t / 1000, (t % 1000) * 1000);
  client->set_read_timeout(t / 1000, (t % 1000) * 1000);
  client->set_write_timeout(t / 1000, (t % 1000) * 1000);
  client->set_keep_alive(false);
  httplib::Headers h = {{"User-Agent", user_agent_}};
  if (config_) {
    client->set_follow_location(config_->follow_redirects);
    if (!tls->ca_file.empty()) client->set_ca_cert_path(tls->ca_file.c_str());
    if (tls->insecure_skip_verify) client->enable_server_certificate_verification(false);
    if (config_->basic_auth) {
      const config::BasicAuth& ba = *config_->basic_auth;
      ASSIGN_OR_RETURN(std::string password, SecretOrFile(ba.password, ba.password_file));
      client->set_basic_auth(ba.username, password);
    }
    if (config_->authorization) {
      const config::Authorization& au = *config_->authorization;
      ASSIGN_OR_RETURN(std::string cred, SecretOrFile(au.credentials, au.credentials_file));
      h.emplace("Authorization", (au.type.empty() ? std::string("Bearer") : au.type) + " " + cred);
    }
  }
  for (const auto& [k, v] : headers) h.emplace(k, v);
  httplib::Result res = method == "PUT" ? client->Put(path, h, body, std::string(content_type))
                                        : client->Post(path, h, body, std::string(content_type));
  if (!res) return base::Unavailable(what + httplib::to_string(res.error()));
  return HttpResponse{res->status, res->body};
}

base::Status CheckStatus(int status, std::string_view details, bool* retry,
                         const std::vector<int>& retry_codes) {
  *retry = false;
  if (status / 100 == 2) return base::Status::Ok();
  *retry = status / 100 == 5;
  for (int c : retry_codes)
    if (c == status) *retry = true;
  std::string msg = "unexpected status code " + std::to_string(status);
  if (!details.empty()) {
    msg += ": ";
    msg += details;
  }
  return base::Unavailable(std::move(msg));
}

base::Result<std::string> ReadFileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::IOError("open " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TrimSpace(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

namespace {
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…", Alertmanager's truncationMarker

// Byte offsets of the starts of the first runes of s (UTF-8; invalid bytes count as one rune).
std::vector<size_t> RuneStarts(std::string_view s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size();) {
    starts.push_back(i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    size_t k = 1;
    while (k < len && i + k < s.size() && (static_cast<unsigned char>(s[i + k]) >> 6) == 2) ++k;
    i += k < len ? 1 : len;
  }
  return starts;
}
}  // namespace

std::string TruncateInRunes(std::string_view s, size_t n, bool* truncated) {
  std::vector<size_t> starts = RuneStarts(s);
  *truncated = starts.size() > n;
  if (!*truncated) return std::string(s);
  if (n <= 3) return std::string(s.substr(0, starts[n]));
  return std::string(s.substr(0, starts[n - 1])) + std::string(kEllipsis);
}

std::string TruncateInBytes(std::string_view s, size_t n, bool* truncated) {
  *truncated = s.size() > n;
  if (!*truncated) return std::string(s);
  if (n <= 3) return n == 3 ? std::string(kEllipsis) : std::string(n, '.');
  const size_t target = n - 3;
  // The longest prefix of whole runes that fits in n-3 bytes (Go cuts runes until it fits).
  size_t cut = 0;
  for (size_t start : RuneStarts(s))
    if (start <= target) cut = start;
  return std::string(s.substr(0, cut)) + std::string(kEllipsis);
}

}  // namespace alerting::notify
