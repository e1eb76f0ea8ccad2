// Alertmanager's alert fingerprint: model.LabelSet.Fingerprint() of prometheus/common, FNV-1a
// 64 over the label pairs sorted by name, each name and value followed by the byte 0xff. It
// identifies alerts in the API, in webhooks and in the inhibitor.
#pragma once

#include <cstdint>
#include <string>

#include "model/labels.h"

namespace alerting {

uint64_t Fingerprint(const model::Labels& labels);
// "%016x", as Fingerprint.String().
std::string FingerprintString(uint64_t fp);

}  // namespace alerting
