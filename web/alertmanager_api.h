// AlertmanagerApi: the handlers of Alertmanager 0.25's API v2 (api/v2/api.go, served by
// go-swagger from api/v2/openapi.yaml) over an alerting::Alertmanager, independent of the HTTP
// library: a request in, an HttpResponse with Alertmanager's status codes and JSON out. The
// Server mounts them under /api/v2 (docs/api.md, "Alertmanager API v2").
//
// Responses as go-swagger writes them: JSON followed by a newline (Go's json.Encoder); handler
// errors as a JSON string ("silence not found"\n); request validation errors of the go-openapi
// runtime as {"code":602,"message":"..."} with its status (400 parse errors, 422 validation).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "alerting/alertmanager.h"
#include "web/api_v1.h"
#include "web/params.h"

namespace web {

// Thread-safe: any number of requests may be handled at once (the Alertmanager is).
class AlertmanagerApi {
 public:
  struct Options {
    alerting::Alertmanager* alertmanager = nullptr;  // required; outlives the AlertmanagerApi
    BuildInfo build_info;                            // /api/v2/status versionInfo
    int64_t start_ms = 0;                            // /api/v2/status uptime
    std::function<int64_t()> now;                    // the time "now"; the real clock when empty
  };

  // REQUIRES: options.alertmanager != nullptr.
  explicit AlertmanagerApi(Options options);

  // One API v2 request. `path` starts with "/api/v2/" (the route prefix removed, not decoded
  // further: the silence id segment is taken as is); `query` is the raw query string;
  // `content_type` and `body` those of the request. Unknown paths answer go-openapi's 404,
  // known paths with another method its 405 with an Allow header.
  HttpResponse Serve(std::string_view method, std::string_view path, std::string_view query,
                     std::string_view content_type, std::string_view body) const;

  // The handlers (also reached through Serve).
  // GET /api/v2/alerts: filter (repeated matchers), active, silenced, inhibited (booleans,
  // default true), receiver (an anchored regex); `unprocessed` is accepted and ignored, as in
  // Alertmanager 0.25.
  HttpResponse GetAlerts(const Form& form) const;
  // POST /api/v2/alerts: a JSON array of postableAlert.
  HttpResponse PostAlerts(std::string_view body) const;
  // GET /api/v2/alerts/groups: filter, active, silenced, inhibited, receiver.
  HttpResponse GetAlertGroups(const Form& form) const;
  // GET /api/v2/silences: filter (a silence is listed when each filter matcher equals one of its
  // matchers), sorted active, pending, expired as Alertmanager's SortSilences.
  HttpResponse GetSilences(const Form& form) const;
  // POST /api/v2/silences: a postableSilence; {"silenceID":"..."}.
  HttpResponse PostSilences(std::string_view body) const;
  // GET and DELETE /api/v2/silence/{silenceID}.
  HttpResponse GetSilence(std::string_view id) const;
  HttpResponse DeleteSilence(std::string_view id) const;
  // GET /api/v2/status and /api/v2/receivers.
  HttpResponse Status() const;
  HttpResponse Receivers() const;

 private:
  int64_t Now() const;

  Options options_;
};

}  // namespace web
