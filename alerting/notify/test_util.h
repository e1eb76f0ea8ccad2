// Test helpers for alerting/notify: a fixed alert group, an HTTP sink and a minimal SMTP server
// on 127.0.0.1 free ports. Test-only; included by the *_test.cc files of this folder.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/alert.h"
#include "alerting/notify/notifier.h"
#include "model/labels.h"

namespace alerting::notify::testing {

// 2024-03-10T11:30:15.123Z and friends.
inline constexpr int64_t kStart = 1710070215123;
inline constexpr int64_t kResolvedEnd = 1710071100000;  // 11:45:00Z
inline constexpr int64_t kNow = 1710072000000;          // 12:00:00Z

inline AlertPtr MakeAlert(model::Labels labels, model::Labels annotations, int64_t starts,
                          int64_t ends, std::string url = "http://prom:9090/graph?g0.expr=up") {
  auto a = std::make_shared<Alert>();
  a->labels = std::move(labels);
  a->annotations = std::move(annotations);
  a->starts_at = starts;
  a->ends_at = ends;
  a->generator_url = std::move(url);
  return a;
}

// One firing and one resolved alert of group {alertname="HighLoad"}.
inline Alerts MixedGroup() {
  return {MakeAlert({{"alertname", "HighLoad"}, {"instance", "a:9100"}, {"severity", "page"}},
                    {{"summary", "load is high"}}, kStart, 0),
          MakeAlert({{"alertname", "HighLoad"}, {"instance", "b:9100"}, {"severity", "page"}},
                    {{"summary", "load was high"}}, kStart - 3600000, kResolvedEnd)};
}

inline NotifyContext MakeContext(std::string receiver = "team-x") {
  NotifyContext ctx;
  ctx.receiver = std::move(receiver);
  ctx.group_key = "{}:{alertname=\"HighLoad\"}";
  ctx.group_labels = model::Labels{{"alertname", "HighLoad"}};
  ctx.now_ms = kNow;
  ctx.external_url = "http://am:9093";
  return ctx;
}

// An httplib server recording every POST and PUT, answering with a settable status.
class HttpSink {
 public:
  struct Request {
    std::string method, path, query, body;
    httplib::Headers headers;
    std::string Header(const std::string& k) const {
      auto it = headers.find(k);
      return it == headers.end() ? "" : it->second;
    }
  };

  HttpSink() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu_);
      Request r{req.method, req.path, "", req.body, req.headers};
      for (const auto& [k, v] : req.params) r.query += (r.query.empty() ? "" : "&") + k + "=" + v;
      requests_.push_back(std::move(r));
      res.status = status_;
      res.set_content(reply_, "text/plain");
    };
    server_.Post(".*", handler);
    server_.Put(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost: wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttpSink() {
    server_.stop();
    thread_.join();
  }
  void Reply(int status, std::string body) {
    std::lock_guard<std::mutex> l(mu_);
    status_ = status;
    reply_ = std::move(body);
  }
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  int status_ = 200;
  std::string reply_;
};

// A minimal SMTP server: EHLO (8BITMIME, and AUTH with the given mechanisms when a user is
// set), AUTH PLAIN / LOGIN / CRAM-MD5, MAIL, RCPT, DATA, QUIT. Records the commands and the
// message data (dot-unstuffed, CRLF line ends, without the final ".").
class SmtpServer {
 public:
  struct Options {
    std::string user;  // empty: no AUTH extension
    std::string password;
    std::string mechanisms = "PLAIN LOGIN CRAM-MD5";
    int rcpt_code = 250;
    bool hang_after_greeting = false;
    // When set: STARTTLS is advertised and upgrades the connection with this certificate.
    std::string tls_cert_file, tls_key_file;
  };

  explicit SmtpServer(Options options) : options_(std::move(options)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 8) != 0) {
      throw std::runtime_error("smtp test server: bind");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~SmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  std::vector<std::string> commands() const {
    std::lock_guard<std::mutex> l(mu_);
    return commands_;
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> l(mu_);
    return messages_;
  }
  // How many connections completed a STARTTLS handshake.
  int tls_sessions() const {
    std::lock_guard<std::mutex> l(mu_);
    return tls_sessions_;
  }

 private:
  static std::string B64(const std::string& s) {
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(s.data()),
                               static_cast<int>(s.size())));
    return out;
  }
  static std::string Unb64(const std::string& s) {
    std::string out(3 * (s.size() / 4) + 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    if (n < 0) return "";
    size_t pad = 0;
    for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
  }

  void Run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Serve(c);
      if (ssl_) {
        SSL_free(ssl_);
        ssl_ = nullptr;
      }
      ::close(c);
    }
  }

  // Reads one line (without CRLF); false at EOF or when stopping.
  bool ReadLine(int c, std::string* buf, std::string* line) {
    while (true) {
      if (size_t nl = buf->find("\r\n"); nl != std::string::npos) {
        *line = buf->substr(0, nl);
        buf->erase(0, nl + 2);
        return true;
      }
      pollfd p{c, POLLIN, 0};
      int rc = ::poll(&p, 1, 50);
      if (stop_) return false;
      if (rc <= 0 && (ssl_ == nullptr || SSL_pending(ssl_) == 0)) continue;
      char tmp[4096];
      ssize_t n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf->append(tmp, static_cast<size_t>(n));
    }
  }

  void Send(int c, const std::string& s) {
    if (ssl_) {
      SSL_write(ssl_, s.data(), static_cast<int>(s.size()));
    } else {
      (void)!::send(c, s.data(), s.size(), MSG_NOSIGNAL);
    }
  }

  void Serve(int c) {
    Send(c, "220 test ESMTP\r\n");
    std::string buf, line;
    if (options_.hang_after_greeting) {
      while (!stop_ && ReadLine(c, &buf, &line)) {
      }
      return;
    }
    auto record = [&](const std::string& s) {
      std::lock_guard<std::mutex> l(mu_);
      commands_.push_back(s);
    };
    while (ReadLine(c, &buf, &line)) {
      record(line);
      std::string verb = line.substr(0, line.find(' '));
      if (verb == "EHLO") {
        std::string r = "250-test greets you\r\n250-8BITMIME\r\n";
        if (!options_.tls_cert_file.empty() && ssl_ == nullptr) r += "250-STARTTLS\r\n";
        if (!options_.user.empty()) r += "250-AUTH " + options_.mechanisms + "\r\n";
        Send(c, r + "250 SIZE 1000000\r\n");
      } else if (verb == "AUTH") {
        std::string mech = line.substr(
            5, line.find(' ', 5) == std::string::npos ? std::string::npos : line.find(' ', 5) - 5);
        bool ok = false;
        if (mech == "PLAIN") {
          std::string creds = Unb64(line.substr(11));
          ok = creds ==
               std::string("\0", 1) + options_.user + std::string("\0", 1) + options_.password;
        } else if (mech == "LOGIN") {
          Send(c, "334 " + B64("Username:") + "\r\n");
          std::string u, p;
          if (!ReadLine(c, &buf, &u)) return;
          record(u);
          Send(c, "334 " + B64("Password:") + "\r\n");
          if (!ReadLine(c, &buf, &p)) return;
          record(p);
          ok = Unb64(u) == options_.user && Unb64(p) == options_.password;
        } else if (mech == "CRAM-MD5") {
          const std::string challenge = "<1896.697170952@test>";
          Send(c, "334 " + B64(challenge) + "\r\n");
          std::string r;
          if (!ReadLine(c, &buf, &r)) return;
          record(r);
          unsigned char mac[EVP_MAX_MD_SIZE];
          unsigned int len = 0;
          HMAC(EVP_md5(), options_.password.data(), static_cast<int>(options_.password.size()),
               reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac,
               &len);
          std::string want = options_.user + " ";
          static constexpr char kHex[] = "0123456789abcdef";
          for (unsigned int i = 0; i < len; ++i) {
            want.push_back(kHex[mac[i] >> 4]);
            want.push_back(kHex[mac[i] & 15]);
          }
          ok = Unb64(r) == want;
        }
        Send(c, ok ? "235 2.7.0 Authentication successful\r\n"
                   : "535 5.7.8 Authentication credentials invalid\r\n");
      } else if (verb == "STARTTLS" && !options_.tls_cert_file.empty()) {
        Send(c, "220 2.0.0 Ready to start TLS\r\n");
        SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_use_certificate_file(ctx, options_.tls_cert_file.c_str(), SSL_FILETYPE_PEM);
        SSL_CTX_use_PrivateKey_file(ctx, options_.tls_key_file.c_str(), SSL_FILETYPE_PEM);
        ssl_ = SSL_new(ctx);
        SSL_CTX_free(ctx);  // the SSL keeps a reference
        SSL_set_fd(ssl_, c);
        if (SSL_accept(ssl_) != 1) return;  // the client refused the certificate
        {
          std::lock_guard<std::mutex> l(mu_);
          tls_sessions_++;
        }
      } else if (verb == "MAIL") {
        Send(c, "250 2.1.0 Ok\r\n");
      } else if (verb == "RCPT") {
        Send(c, options_.rcpt_code == 250
                    ? "250 2.1.5 Ok\r\n"
                    : std::to_string(options_.rcpt_code) + " 5.1.1 Recipient address rejected\r\n");
      } else if (verb == "DATA") {
        Send(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
        std::string msg;
        while (ReadLine(c, &buf, &line) && line != ".") {
          if (!line.empty() && line[0] == '.') line.erase(0, 1);
          msg += line + "\r\n";
        }
        {
          std::lock_guard<std::mutex> l(mu_);
          messages_.push_back(msg);
        }
        Send(c, "250 2.0.0 Ok: queued\r\n");
      } else if (verb == "QUIT") {
        Send(c, "221 2.0.0 Bye\r\n");
        return;
      } else {
        Send(c, "502 5.5.2 Error: command not recognized\r\n");
      }
    }
  }

  Options options_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> commands_;
  std::vector<std::string> messages_;
  int tls_sessions_ = 0;
  SSL* ssl_ = nullptr;  // the current connection's TLS, owned by the server thread
};

// Writes a self-signed certificate for 127.0.0.1 and localhost (cert.pem) and its key
// (key.pem) into `dir`.
inline void WriteSelfSignedCert(const std::string& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("hestia test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  X509_add_ext(x, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(x, key, EVP_sha256());
  FILE* f = std::fopen((dir + "/cert.pem").c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen((dir + "/key.pem").c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

}  // namespace alerting::notify::testing
