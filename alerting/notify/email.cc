#include "alerting/notify/email.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "alerting/notify/http.h"
#include "alerting/notify/template_data.h"
#include "alerting/notify/templates.h"
#include "base/quote.h"
#include "template/go_time.h"

namespace alerting::notify {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(n);
  return out;
}

base::Result<std::string> Unbase64(std::string_view s) {
  std::string out(3 * (s.size() / 4) + 3, '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return base::InvalidArgument("illegal base64 data");
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "tls error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// A reply: code and the lines' texts joined with "\n" (textproto.Reader.ReadResponse).
struct Reply {
  int code = 0;
  std::string msg;
  // textproto.Error's text.
  std::string Error() const {
    char c[8];
    std::snprintf(c, sizeof c, "%03d", code);
    return std::string(c) + " " + msg;
  }
};

// One SMTP connection: a socket with read/write deadlines, optionally wrapped in TLS.
// Not thread-safe.
class SmtpConn {
 public:
  SmtpConn() = default;
  SmtpConn(const SmtpConn&) = delete;
  SmtpConn& operator=(const SmtpConn&) = delete;
  ~SmtpConn() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  // Go's error text: "dial tcp HOST:PORT: connect: connection refused".
  base::Status Dial(const std::string& host, const std::string& port,
                    std::chrono::milliseconds timeout) {
    const std::string addr = host + ":" + port;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return base::Unavailable("dial tcp: lookup " + host + ": " + gai_strerror(rc));
    }
    std::string last = "no address";
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      int fd =
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (rc == 0) {
          errno = ETIMEDOUT;
          rc = -1;
        } else if (rc > 0) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
          errno = err;
          rc = err == 0 ? 0 : -1;
        }
      }
      if (rc != 0) {
        // Go's errno texts are lower case ("connection refused").
        std::string reason = std::strerror(errno);
        if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
        last = "connect: " + reason;
        if (errno == ETIMEDOUT) last = "i/o timeout";
        ::close(fd);
        continue;
      }
      // Back to blocking, with deadlines for each read and write.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{static_cast<time_t>(timeout.count() / 1000),
                 static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      fd_ = fd;
      break;
    }
    freeaddrinfo(res);
    if (fd_ < 0) return base::Unavailable("dial tcp " + addr + ": " + last);
    return base::Status::Ok();
  }

  // Wraps the connection in TLS and handshakes, verifying the certificate against the CA file
  // (or the system's) and `server_name` unless insecure_skip_verify.
  base::Status StartTls(const config::TlsConfig& tls, const std::string& server_name) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) return base::Internal(OpenSslError());
    if (tls.insecure_skip_verify) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    } else {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      if (!tls.ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx_, tls.ca_file.c_str(), nullptr) != 1)
          return base::InvalidArgument("unable to load specified CA cert " + tls.ca_file);
      } else {
        SSL_CTX_set_default_verify_paths(ctx_);
      }
    }
    if (!tls.cert_file.empty()) {
      if (SSL_CTX_use_certificate_chain_file(ctx_, tls.cert_file.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx_, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        return base::InvalidArgument("unable to use specified client cert (" + tls.cert_file +
                                     ") & key (" + tls.key_file + ")");
      }
    }
    ssl_ = SSL_new(ctx_);
    if (!ssl_) return base::Internal(OpenSslError());
    SSL_set_fd(ssl_, fd_);
    // As Go's crypto/tls: an IP address is matched against IP SANs and sent without SNI.
    unsigned char ip[sizeof(in6_addr)];
    const bool is_ip = inet_pton(AF_INET, server_name.c_str(), ip) == 1 ||
                       inet_pton(AF_INET6, server_name.c_str(), ip) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, server_name.c_str());
    if (!tls.insecure_skip_verify) {
      if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str());
      } else {
        SSL_set1_host(ssl_, server_name.c_str());
      }
    }
    if (SSL_connect(ssl_) != 1) {
      long v = SSL_get_verify_result(ssl_);
      if (v != X509_V_OK) {
        return base::Unavailable(std::string("tls: failed to verify certificate: ") +
                                 X509_verify_cert_error_string(v));
      }
      return base::Unavailable("tls: handshake failed: " + OpenSslError());
    }
    return base::Status::Ok();
  }

  bool tls() const { return ssl_ != nullptr; }

  base::Status Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n;
      if (ssl_) {
        n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
        if (n <= 0) return base::Unavailable("write: " + OpenSslError());
      } else {
        n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          return base::Unavailable(errno == EAGAIN || errno == EWOULDBLOCK
                                       ? std::string("write: i/o timeout")
                                       : std::string("write: ") + std::strerror(errno));
        }
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return base::Status::Ok();
  }

  // One line without its CRLF.
  base::Result<std::string> ReadLine() {
    while (true) {
      if (size_t nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (buf_.size() > 1 << 20) return base::Unavailable("smtp: reply line too long");
      char tmp[4096];
      ssize_t n;
      if (ssl_) {
        n = SSL_read(ssl_, tmp, sizeof tmp);
        if (n <= 0) {
          int err = SSL_get_error(ssl_, static_cast<int>(n));
          if (err == SSL_ERROR_ZERO_RETURN) return base::Unavailable("EOF");
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return base::Unavailable("read: i/o timeout");
          return base::Unavailable("read: " + OpenSslError());
        }
      } else {
        n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          return base::Unavailable(errno == EAGAIN || errno == EWOULDBLOCK
                                       ? std::string("read: i/o timeout")
                                       : std::string("read: ") + std::strerror(errno));
        }
        if (n == 0) return base::Unavailable("EOF");
      }
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

  // textproto.Reader.ReadResponse(expect): a 1-, 2- or 3-digit `expect` matches that prefix of
  // the code. A reply with another code is returned as an error with its text.
  base::Result<Reply> ReadReply(int expect) {
    Reply r;
    while (true) {
      ASSIGN_OR_RETURN(std::string line, ReadLine());
      if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
          !std::isdigit(static_cast<unsigned char>(line[1])) ||
          !std::isdigit(static_cast<unsigned char>(line[2]))) {
        return base::Unavailable("short response: " + line);
      }
      int code = std::stoi(line.substr(0, 3));
      if (r.code != 0 && code != r.code) return base::Unavailable("short response: " + line);
      r.code = code;
      std::string text = line.size() > 4 ? line.substr(4) : "";
      if (!r.msg.empty() || line.size() > 3) {
        if (!r.msg.empty()) r.msg += "\n";
        r.msg += text;
      }
      if (line.size() == 3 || line[3] != '-') break;
    }
    bool ok = expect >= 100  ? r.code == expect
              : expect >= 10 ? r.code / 10 == expect
              : expect > 0   ? r.code / 100 == expect
                             : true;
    if (!ok) return base::Unavailable(r.Error());
    return r;
  }

  base::Result<Reply> Cmd(int expect, const std::string& line) {
    RETURN_IF_ERROR(Write(line + "\r\n"));
    return ReadReply(expect);
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

// net/smtp.Client's state: extensions from EHLO.
struct Session {
  SmtpConn conn;
  std::map<std::string, std::string> ext;
  bool did_ehlo = false;

  // Client.hello: EHLO, falling back to HELO.
  base::Status Hello(const std::string& name) {
    auto r = conn.Cmd(250, "EHLO " + name);
    if (!r.ok()) {
      auto h = conn.Cmd(250, "HELO " + name);
      if (!h.ok()) return h.error();
      ext.clear();
      return base::Status::Ok();
    }
    ext.clear();
    size_t start = 0;
    bool first = true;
    std::string_view msg = r->msg;
    while (start <= msg.size()) {
      size_t end = msg.find('\n', start);
      if (end == std::string_view::npos) end = msg.size();
      std::string_view line = msg.substr(start, end - start);
      if (!first) {
        size_t sp = line.find(' ');
        ext[std::string(line.substr(0, sp))] =
            sp == std::string_view::npos ? "" : std::string(line.substr(sp + 1));
      }
      first = false;
      start = end + 1;
    }
    return base::Status::Ok();
  }

  const std::string* Extension(const std::string& name) const {
    auto it = ext.find(name);
    return it == ext.end() ? nullptr : &it->second;
  }
};

// textproto's DotWriter: bare LF becomes CRLF, a leading '.' is doubled, and ".\r\n" ends.
std::string DotEncode(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 16);
  enum { kBeginLine, kCR, kData } state = kBeginLine;
  for (char b : data) {
    switch (state) {
      case kBeginLine:
        state = kData;
        if (b == '.') out.push_back('.');
        [[fallthrough]];
      case kData:
        if (b == '\r') state = kCR;
        if (b == '\n') {
          out.push_back('\r');
          state = kBeginLine;
        }
        break;
      case kCR:
        state = kData;
        if (b == '\n') state = kBeginLine;
        break;
    }
    out.push_back(b);
  }
  if (state != kBeginLine) out += "\r\n";
  out += ".\r\n";
  return out;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    std::random_device rd;
    for (char& c : raw) c = static_cast<char>(rd());
  }
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

uint64_t RandomUint64() {
  uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
    std::random_device rd;
    v = (static_cast<uint64_t>(rd()) << 32) | rd();
  }
  return v;
}

bool IsLocalhost(const std::string& host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1";
}

}  // namespace

std::string QuotedPrintable(std::string_view s) {
  constexpr size_t kLineMax = 76;
  std::string out;
  std::string line;
  bool cr = false;
  auto flush = [&] {
    out += line;
    line.clear();
  };
  auto insert_crlf = [&] {
    line += "\r\n";
    flush();
  };
  auto soft_break = [&] {
    line.push_back('=');
    insert_crlf();
  };
  auto encode = [&](unsigned char b) {
    if (kLineMax - 1 - line.size() < 3 || line.size() > kLineMax - 1) soft_break();
    line.push_back('=');
    line.push_back(kUpperHex[b >> 4]);
    line.push_back(kUpperHex[b & 15]);
  };
  auto check_last = [&] {
    if (line.empty()) return;
    unsigned char b = static_cast<unsigned char>(line.back());
    if (b == ' ' || b == '\t') {
      line.pop_back();
      encode(b);
    }
  };
  for (char ch : s) {
    unsigned char b = static_cast<unsigned char>(ch);
    bool literal =
        (b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t' || b == '\n' || b == '\r';
    if (!literal) {
      encode(b);
      continue;
    }
    if (b == '\n' || b == '\r') {
      if (cr && b == '\n') {
        cr = false;
        continue;
      }
      if (b == '\r') cr = true;
      check_last();
      insert_crlf();
      continue;
    }
    if (line.size() == kLineMax - 1) soft_break();
    line.push_back(static_cast<char>(b));
    cr = false;
  }
  check_last();
  flush();
  return out;
}

std::string QEncodeHeader(std::string_view s) {
  bool needs = false;
  for (unsigned char b : s)
    if ((b < ' ' || b > '~') && b != '\t') needs = true;
  if (!needs) return std::string(s);
  constexpr size_t kMaxContentLen = 75 - 10 - 2;  // len("=?UTF-8?q?"), len("?=")
  std::string out = "=?utf-8?q?";
  size_t current = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    size_t rune_len = 1, enc_len = 1;
    if (!(b >= ' ' && b <= '~' && b != '=' && b != '?' && b != '_')) {
      // The length of a valid UTF-8 sequence, else 1 (utf8.DecodeRuneInString).
      size_t want = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
      size_t k = 1;
      while (k < want && i + k < s.size() && (static_cast<unsigned char>(s[i + k]) >> 6) == 2) ++k;
      rune_len = k == want ? want : 1;
      enc_len = 3 * rune_len;
    }
    if (current + enc_len > kMaxContentLen) {
      out += "?= =?utf-8?q?";
      current = 0;
    }
    for (size_t k = i; k < i + rune_len; ++k) {
      unsigned char c = static_cast<unsigned char>(s[k]);
      if (c == ' ') {
        out.push_back('_');
      } else if (c >= '!' && c <= '~' && c != '=' && c != '?' && c != '_') {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('=');
        out.push_back(kUpperHex[c >> 4]);
        out.push_back(kUpperHex[c & 15]);
      }
    }
    current += enc_len;
    i += rune_len;
  }
  out += "?=";
  return out;
}

base::Result<std::vector<std::string>> ParseAddressList(std::string_view list) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  int angle = 0;
  for (char c : list) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '<') ++angle;
    if (!quoted && c == '>') --angle;
    if (c == ',' && !quoted && angle == 0) {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  parts.push_back(cur);
  std::vector<std::string> out;
  for (const std::string& p : parts) {
    std::string t = TrimSpace(p);
    if (t.empty()) return base::InvalidArgument("mail: no address");
    std::string addr = t;
    size_t lt = t.rfind('<');
    if (lt != std::string::npos) {
      size_t gt = t.find('>', lt);
      if (gt == std::string::npos) return base::InvalidArgument("mail: unclosed angle-addr");
      addr = t.substr(lt + 1, gt - lt - 1);
    }
    if (addr.find('@') == std::string::npos)
      return base::InvalidArgument("mail: missing @ in addr-spec");
    out.push_back(addr);
  }
  return out;
}

EmailNotifier::EmailNotifier(config::EmailConfig config,
                             std::shared_ptr<const tmpl::Template> templates, base::Logger* logger,
                             const base::Clock* clock, std::chrono::milliseconds timeout)
    : config_(std::move(config)),
      headers_(config_.headers.begin(), config_.headers.end()),
      templates_(std::move(templates)),
      logger_(logger),
      clock_(clock ? clock : &base::Clock::Real()),
      timeout_(timeout) {
  headers_.emplace("Subject", R"({{ template "email.default.subject" . }})");
  headers_.emplace("To", config_.to);
  headers_.emplace("From", config_.from);
  char host[256] = {};
  hostname_ = ::gethostname(host, sizeof host - 1) == 0 ? host : "localhost.localdomain";
}

base::Status EmailNotifier::Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) {
  const config::EmailConfig& c = config_;
  *retry = true;
  Session s;
  const std::string& host = c.smarthost.host;
  if (c.smarthost.port == "465") {
    if (base::Status st = s.conn.Dial(host, c.smarthost.port, timeout_); !st.ok())
      return st.WithPrefix("establish TLS connection to server");
    const std::string name = c.tls_config.server_name.empty() ? host : c.tls_config.server_name;
    if (base::Status st = s.conn.StartTls(c.tls_config, name); !st.ok())
      return st.WithPrefix("establish TLS connection to server");
  } else {
    if (base::Status st = s.conn.Dial(host, c.smarthost.port, timeout_); !st.ok())
      return st.WithPrefix("establish connection to server");
  }
  if (auto greeting = s.conn.ReadReply(220); !greeting.ok())
    return greeting.error().WithPrefix("create SMTP client");

  const std::string hello = c.hello.empty() ? "localhost" : c.hello;
  if (base::Status st = s.Hello(hello); !st.ok()) return st.WithPrefix("send EHLO command");

  if (c.require_tls.value_or(true)) {
    // As Alertmanager, also on port 465 (implicit TLS): the server must advertise STARTTLS.
    if (s.Extension("STARTTLS") == nullptr) {
      return base::Unavailable("'require_tls' is true (default) but " +
                               base::GoQuote(c.smarthost.ToString()) +
                               " does not advertise the STARTTLS extension");
    }
    if (!s.conn.tls()) {
      const std::string name = c.tls_config.server_name.empty() ? host : c.tls_config.server_name;
      if (auto r = s.conn.Cmd(220, "STARTTLS"); !r.ok())
        return r.error().WithPrefix("send STARTTLS command");
      if (base::Status st = s.conn.StartTls(c.tls_config, name); !st.ok())
        return st.WithPrefix("send STARTTLS command");
      if (base::Status st = s.Hello(hello); !st.ok()) return st.WithPrefix("send STARTTLS command");
    }
  }

  if (const std::string* mechs = s.Extension("AUTH");
      mechs != nullptr && !c.auth_username.empty()) {
    // Alertmanager's auth(): the first of the server's mechanisms that is configured.
    std::string mech_used, initial, auth_type;
    std::vector<std::string> errors;
    std::string password;
    bool found = false;
    std::string_view list = *mechs;
    size_t start = 0;
    while (!found && start <= list.size()) {
      size_t end = list.find(' ', start);
      if (end == std::string_view::npos) end = list.size();
      std::string mech(list.substr(start, end - start));
      start = end + 1;
      auto get_password = [&]() -> base::Result<std::string> {
        if (!c.auth_password_file.empty()) {
          auto content = ReadFileContents(c.auth_password_file);
          if (!content.ok())
            return base::IOError("could not read " + c.auth_password_file + ": " +
                                 content.error().message());
          return *content;
        }
        return c.auth_password.value;
      };
      if (mech == "CRAM-MD5") {
        if (c.auth_secret.empty()) {
          errors.push_back("missing secret for CRAM-MD5 auth mechanism");
          continue;
        }
        mech_used = mech;
        auth_type = "*smtp.cramMD5Auth";
        found = true;
      } else if (mech == "PLAIN" || mech == "LOGIN") {
        auto pw = get_password();
        if (!pw.ok()) {
          errors.push_back(pw.error().message());
          continue;
        }
        if (pw->empty()) {
          errors.push_back("missing password for " + mech + " auth mechanism");
          continue;
        }
        password = *pw;
        mech_used = mech;
        auth_type = mech == "PLAIN" ? "*smtp.plainAuth" : "*email.loginAuth";
        found = true;
      }
    }
    if (!found) {
      std::string msg;
      if (errors.empty()) errors.push_back("unknown auth mechanism: " + *mechs);
      // types.MultiError: the errors joined by "; ".
      for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
      return base::Unavailable("find auth mechanism: " + msg);
    }
    auto fail = [&](const std::string& why) {
      return base::Unavailable(auth_type + " auth: " + why);
    };
    if (mech_used == "PLAIN") {
      // smtp.PlainAuth refuses to send the password in the clear, except to localhost.
      if (!s.conn.tls() && !IsLocalhost(host)) return fail("unencrypted connection");
      initial = c.auth_identity + std::string(1, '\0') + c.auth_username + std::string(1, '\0') +
                password;
    }
    auto r = s.conn.Cmd(0, "AUTH " + mech_used + (initial.empty() ? "" : " " + Base64(initial)));
    while (true) {
      if (!r.ok()) return fail(r.error().message());
      if (r->code == 235) break;
      if (r->code != 334) return fail(r->Error());
      auto challenge = Unbase64(r->msg);
      if (!challenge.ok()) return fail(challenge.error().message());
      std::string resp;
      if (mech_used == "CRAM-MD5") {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        HMAC(EVP_md5(), c.auth_secret.value.data(), static_cast<int>(c.auth_secret.value.size()),
             reinterpret_cast<const unsigned char*>(challenge->data()), challenge->size(), mac,
             &mac_len);
        resp = c.auth_username + " ";
        static constexpr char kHex[] = "0123456789abcdef";
        for (unsigned int i = 0; i < mac_len; ++i) {
          resp.push_back(kHex[mac[i] >> 4]);
          resp.push_back(kHex[mac[i] & 15]);
        }
      } else if (mech_used == "LOGIN") {
        std::string lower;
        for (char ch : *challenge) lower.push_back(static_cast<char>(std::tolower(ch)));
        if (lower == "username:") {
          resp = c.auth_username;
        } else if (lower == "password:") {
          resp = password;
        } else {
          (void)s.conn.Cmd(0, "*");
          return fail("unexpected server challenge");
        }
      }
      r = s.conn.Cmd(0, Base64(resp));
    }
  }

  *retry = false;
  TemplateData td =
      MakeTemplateData(ctx.receiver, ctx.group_labels, alerts, ctx.external_url, ctx.now_ms);
  const tmpl::Value data = TemplateDataValue(td);
  auto from = ExecuteText(*templates_, c.from, data);
  if (!from.ok()) return from.error().WithPrefix("execute 'from' template");
  auto to = ExecuteText(*templates_, c.to, data);
  if (!to.ok()) return to.error().WithPrefix("execute 'to' template");
  auto from_addrs = ParseAddressList(*from);
  if (!from_addrs.ok()) return from_addrs.error().WithPrefix("parse 'from' addresses");
  if (from_addrs->size() != 1) {
    return base::InvalidArgument(
        "must be exactly one 'from' address (got: " + std::to_string(from_addrs->size()) + ")");
  }
  std::string mail = "MAIL FROM:<" + (*from_addrs)[0] + ">";
  if (s.Extension("8BITMIME")) mail += " BODY=8BITMIME";
  if (s.Extension("SMTPUTF8")) mail += " SMTPUTF8";
  if (auto r = s.conn.Cmd(250, mail); !r.ok()) {
    *retry = true;
    return r.error().WithPrefix("send MAIL command");
  }
  auto to_addrs = ParseAddressList(*to);
  if (!to_addrs.ok()) return to_addrs.error().WithPrefix("parse 'to' addresses");
  for (const std::string& addr : *to_addrs) {
    if (auto r = s.conn.Cmd(25, "RCPT TO:<" + addr + ">"); !r.ok()) {
      *retry = true;
      return r.error().WithPrefix("send RCPT command");
    }
  }

  // Build the whole message before DATA so that a template error sends nothing.
  std::string message;
  for (const auto& [header, text] : headers_) {
    auto value = ExecuteText(*templates_, text, data);
    if (!value.ok())
      return value.error().WithPrefix("execute " + base::GoQuote(header) + " header template");
    message += header + ": " + QEncodeHeader(*value) + "\r\n";
  }
  if (headers_.count("Message-Id") == 0) {
    const int64_t now_ns = clock_->NowMs() * 1000000;
    message += "Message-Id: <" + std::to_string(now_ns) + "." + std::to_string(RandomUint64()) +
               "@" + hostname_ + ">\r\n";
  }
  const std::string boundary = RandomHex(30);
  auto local = tmpl::Location::Load("Local");
  tmpl::Time now = tmpl::Time::FromUnixMilli(clock_->NowMs());
  if (local.ok()) now = now.In(*local);
  message += "Date: " + now.Format("Mon, 02 Jan 2006 15:04:05 -0700") + "\r\n";
  message += "Content-Type: multipart/alternative;  boundary=" + boundary + "\r\n";
  message += "MIME-Version: 1.0\r\n\r\n";

  bool first_part = true;
  auto add_part = [&](std::string_view content_type, const std::string& body) {
    message += first_part ? "--" + boundary + "\r\n" : "\r\n--" + boundary + "\r\n";
    first_part = false;
    message += "Content-Transfer-Encoding: quoted-printable\r\n";
    message += "Content-Type: " + std::string(content_type) + "\r\n\r\n";
    message += QuotedPrintable(body);
  };
  if (!c.text.empty()) {
    auto body = ExecuteText(*templates_, c.text, data);
    if (!body.ok()) return body.error().WithPrefix("execute text template");
    add_part("text/plain; charset=UTF-8", *body);
  }
  if (!c.html.empty()) {
    auto body = ExecuteHtml(*templates_, c.html, data);
    if (!body.ok()) return body.error().WithPrefix("execute html template");
    add_part("text/html; charset=UTF-8", *body);
  }
  message += "\r\n--" + boundary + "--\r\n";

  *retry = true;
  if (auto r = s.conn.Cmd(354, "DATA"); !r.ok()) return r.error().WithPrefix("send DATA command");
  if (base::Status st = s.conn.Write(DotEncode(message)); !st.ok())
    return st.WithPrefix("write body buffer");
  // Alertmanager 0.25 ignores the reply to the end of DATA; Hestia reports a rejection.
  if (auto r = s.conn.ReadReply(250); !r.ok()) return r.error().WithPrefix("close data writer");
  *retry = false;
  if (auto q = s.conn.Cmd(221, "QUIT"); !q.ok() && logger_ != nullptr) {
    logger_->Warn("notify", "failed to close SMTP connection", {{"err", q.error().message()}});
  }
  return base::Status::Ok();
}

}  // namespace alerting::notify
