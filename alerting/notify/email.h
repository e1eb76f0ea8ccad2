// The email notifier (Alertmanager's notify/email): an SMTP client of our own over TCP, with
// EHLO/HELO, STARTTLS (OpenSSL) or implicit TLS on port 465, AUTH CRAM-MD5 / PLAIN / LOGIN, and
// the message Alertmanager writes: the configured headers (Q-encoded), Message-Id, Date, a
// multipart/alternative body with quoted-printable text and HTML parts.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/config/config.h"
#include "alerting/notify/notifier.h"
#include "base/clock.h"
#include "base/logger.h"
#include "template/template.h"

namespace alerting::notify {

// Go's mime/quotedprintable Writer output for `s` (text mode: line breaks become CRLF, lines
// are soft-broken at 76 characters, trailing spaces before a break are encoded).
std::string QuotedPrintable(std::string_view s);
// Go's mime.QEncoding.Encode("utf-8", s): `s` unchanged when it is printable ASCII, else
// "=?utf-8?q?...?=" encoded-words of at most 75 characters separated by spaces.
std::string QEncodeHeader(std::string_view s);
// net/mail.ParseAddressList, simplified: the addr-spec of each comma-separated address
// ("Name <a@b>" or "a@b"). Errors: kInvalidArgument "mail: no address",
// "mail: missing @ in addr-spec".
base::Result<std::vector<std::string>> ParseAddressList(std::string_view list);

// Thread-safe: each Notify opens its own connection.
class EmailNotifier final : public Notifier {
 public:
  // Headers Subject, To and From get Alertmanager's defaults when not configured.
  EmailNotifier(config::EmailConfig config, std::shared_ptr<const tmpl::Template> templates,
                base::Logger* logger, const base::Clock* clock,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Errors: connection, TLS and SMTP failures (retried), template and address errors (not
  // retried), each prefixed as Alertmanager does ("send MAIL command: 550 ...").
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override;

 private:
  const config::EmailConfig config_;
  std::map<std::string, std::string> headers_;
  const std::shared_ptr<const tmpl::Template> templates_;
  base::Logger* const logger_;
  const base::Clock* const clock_;
  const std::chrono::milliseconds timeout_;
  std::string hostname_;
};

}  // namespace alerting::notify
