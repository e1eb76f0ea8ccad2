// Muter: something that can keep an alert from being notified (notify/mute.go's
// types.Muter). Implemented by Inhibitor and Silences.
#pragma once

#include "model/labels.h"

namespace alerting {

// Implementations are thread-safe.
class Muter {
 public:
  virtual ~Muter() = default;
  // Whether an alert with these labels is muted now.
  virtual bool Mutes(const model::Labels& labels) const = 0;
};

}  // namespace alerting
