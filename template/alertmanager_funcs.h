// Alertmanager's template functions (prometheus/alertmanager template/template.go DefaultFuncs),
// for notification templates: toUpper, toLower, title, trimSpace, join, match, safeHtml,
// safeUrl, urlUnescape, reReplaceAll, stringSlice, date, tz, since, humanizeDuration, toJson.
#pragma once

#include <functional>

#include "template/go_time.h"
#include "template/value.h"

namespace tmpl {

struct AlertmanagerFuncOptions {
  // The current time, for "since"; the system clock when empty.
  std::function<Time()> now;
};

FuncMap AlertmanagerFuncs(AlertmanagerFuncOptions options = {});

}  // namespace tmpl
