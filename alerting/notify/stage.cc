#include "alerting/notify/stage.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace alerting::notify {

bool StageContext::Done() const {
  return stop.stop_requested() || std::chrono::steady_clock::now() >= deadline;
}

bool StageContext::SleepUntil(std::chrono::steady_clock::time_point t) const {
  const auto until = std::min(t, deadline);
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_until(lock, stop, until, [] { return false; });
  return !stop.stop_requested() && std::chrono::steady_clock::now() >= t &&
         std::chrono::steady_clock::now() < deadline;
}

std::string StageContext::DoneReason() const {
  return stop.stop_requested() ? "context canceled" : "context deadline exceeded";
}

base::Result<Alerts> MultiStage::Exec(StageContext& ctx, Alerts alerts) const {
  for (const auto& stage : stages_) {
    if (alerts.empty()) return Alerts{};
    ASSIGN_OR_RETURN(alerts, stage->Exec(ctx, std::move(alerts)));
  }
  return alerts;
}

base::Result<Alerts> FanoutStage::Exec(StageContext& ctx, Alerts alerts) const {
  std::vector<std::optional<base::Status>> results(stages_.size());
  auto run = [&](size_t i) {
    StageContext branch = ctx;
    auto r = stages_[i]->Exec(branch, alerts);
    results[i] = r.status();
  };
  if (stages_.size() == 1) {
    run(0);
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(stages_.size());
    for (size_t i = 0; i < stages_.size(); ++i) threads.emplace_back(run, i);
  }  // joined here
  std::string errors;
  for (const auto& st : results) {
    if (st.has_value() && !st->ok()) {
      if (!errors.empty()) errors += "; ";
      errors += st->message();
    }
  }
  if (!errors.empty()) return base::Status(base::StatusCode::kUnavailable, errors);
  return Alerts{};
}

}  // namespace alerting::notify
