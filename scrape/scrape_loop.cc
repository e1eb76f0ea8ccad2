#include "scrape/scrape_loop.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>

namespace scrape {
namespace {

constexpr std::string_view kExportedPrefix = "exported_";

bool Rejected(base::StatusCode c) {
  return c == base::StatusCode::kOutOfOrder || c == base::StatusCode::kDuplicateSample ||
         c == base::StatusCode::kOutOfBounds || c == base::StatusCode::kTooOld;
}

}  // namespace

std::chrono::milliseconds ScrapeOffset(const model::Labels& target_labels,
                                       std::chrono::milliseconds interval, model::Timestamp now) {
  // As Prometheus's Target.offset: the labels hash picks a point in the interval; the offset is
  // the time from now until the next occurrence of that point.
  int64_t iv = interval.count();
  if (iv <= 0) return std::chrono::milliseconds(0);
  int64_t base = iv - (now % iv);
  int64_t point = static_cast<int64_t>(target_labels.hash() % static_cast<uint64_t>(iv));
  int64_t offset = (point + base) % iv;
  return std::chrono::milliseconds(offset);
}

ScrapeLoop::ScrapeLoop(LoopOptions options, storage::Appendable& appendable, Fetcher fetch,
                       base::Clock& clock)
    : options_(std::move(options)), appendable_(appendable), fetch_(std::move(fetch)), clock_(clock) {}

ScrapeLoop::~ScrapeLoop() { Stop(false); }

void ScrapeLoop::Start(std::chrono::milliseconds offset) {
  thread_ = std::jthread([this, offset](std::stop_token stop) { Run(stop, offset); });
}

void ScrapeLoop::Stop(bool stale) {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (stale && (!cache_.empty() || !report_refs_.empty())) {
    // After the last scrape's timestamp even when the stop comes in the same millisecond:
    // a marker at that timestamp would be refused as a duplicate sample.
    MarkAllStale(std::max(clock_.NowMs(), LastReport().time + 1)).IgnoreError();
  }
}

model::Timestamp AlignScrapeTimestamp(model::Timestamp now, int64_t interval_ms,
                                      model::Timestamp* aligned) {
  // Prometheus's scrape timestamp alignment (scrape.AlignScrapeTimestamps, on by default): a
  // scrape at most 2 ms (and 1 % of the interval) after its slot gets the slot's time, so that
  // timestamps stay exactly one interval apart and compress to almost nothing.
  constexpr int64_t kToleranceMs = 2;
  if (*aligned == 0 || interval_ms <= 100 * kToleranceMs) {
    *aligned = now;
    return now;
  }
  const int64_t tolerance = std::min<int64_t>(interval_ms / 100, kToleranceMs);
  while (now - *aligned >= interval_ms) *aligned += interval_ms;  // skipped ticks
  if (now - *aligned <= tolerance) return *aligned;
  return now;
}

void ScrapeLoop::Run(std::stop_token stop, std::chrono::milliseconds offset) {
  std::mutex m;
  std::condition_variable_any cv;
  auto sleep = [&](std::chrono::milliseconds d) {
    std::unique_lock lock(m);
    return !cv.wait_for(lock, stop, d, [] { return false; });
  };
  if (!sleep(offset)) return;
  auto next = std::chrono::steady_clock::now();
  const int64_t interval_ms = options_.interval.count();
  model::Timestamp aligned = 0;
  while (!stop.stop_requested()) {
    ScrapeOnce(AlignScrapeTimestamp(clock_.NowMs(), interval_ms, &aligned));
    next += options_.interval;
    auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // a scrape longer than the interval: no catch-up burst
    if (!sleep(std::chrono::duration_cast<std::chrono::milliseconds>(next - now))) return;
  }
}

ScrapeReport ScrapeLoop::ScrapeOnce(model::Timestamp ts) {
  auto start = std::chrono::steady_clock::now();
  FetchResult fetched = fetch_(options_.timeout);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return AppendOwnedBody(std::move(fetched.body), fetched.content_type, ts, secs, fetched.status);
}

ScrapeReport ScrapeLoop::AppendBody(std::string_view body, std::string_view content_type,
                                    model::Timestamp ts, double fetch_seconds,
                                    const base::Status& fetch_status) {
  return AppendOwnedBody(std::string(body), content_type, ts, fetch_seconds, fetch_status);
}

ScrapeReport ScrapeLoop::AppendOwnedBody(std::string body, std::string_view content_type,
                                         model::Timestamp ts, double fetch_seconds,
                                         const base::Status& fetch_status) {
  ScrapeReport report;
  report.time = ts;
  report.duration_seconds = fetch_seconds;
  ++iteration_;
  ++scrapes_;
  auto app = appendable_.NewAppender();
  base::Status st = fetch_status;
  next_order_.clear();
  seen_count_ = 0;
  if (st.ok()) st = AppendSamples(body, content_type, ts, *app, &report);
  if (!st.ok()) {
    // Every entry goes below (the scrape counts as empty): no pointer may outlive it.
    prev_order_.clear();
    next_order_.clear();
    seen_count_ = 0;
    // As Prometheus: a failed scrape stores nothing of what it read and counts as empty, so
    // that every series of the last scrape goes stale.
    if (fetch_status.ok()) {
      app->Rollback();
      app = appendable_.NewAppender();
    }
    report.error = st;
    report.samples_post_relabeling = 0;
    report.series_added = 0;
    ++iteration_;
  }
  // Series stored by the last scrape and missing from this one get a staleness marker. When
  // every entry was seen there is nothing to look for.
  for (auto it = seen_count_ == cache_.size() ? cache_.end() : cache_.begin(); it != cache_.end();) {
    CacheEntry& e = it->second;
    if (e.seen == iteration_) {
      ++it;
      continue;
    }
    if (e.live) app->Append(e.ref, e.labels, ts, model::StaleNaN()).IgnoreError();
    it = cache_.erase(it);
  }
  AppendReport(*app, ts, report);
  base::Status committed = app->Commit();
  if (!committed.ok() && report.error.ok()) report.error = committed;
  if (committed.ok() && st.ok()) {
    for (const OrderSlot& slot : next_order_) slot.kv->second.live = !slot.kv->second.dropped;
  }
  prev_order_.swap(next_order_);
  // As Prometheus, only a successful non-empty scrape flushes the metadata cache.
  if (st.ok() && !body.empty()) FlushMetadata();
  prev_body_ = st.ok() ? std::move(body) : std::string();
  std::lock_guard lock(mu_);
  last_ = report;
  return report;
}

std::optional<model::Labels> ScrapeLoop::BuildLabels(std::string_view name,
                                                     std::span<const model::Label> labels) {
  model::LabelsBuilder b;
  b.Set(model::kMetricName, name);
  for (const model::Label& l : labels) b.Set(l.name, l.value);
  if (options_.honor_labels) {
    for (const model::Label& t : options_.target_labels)
      if (b.Get(t.name).empty()) b.Set(t.name, t.value);
  } else {
    // Exposed labels that collide with target labels are kept as exported_<name> (prefixed
    // again while that name is taken too), as Prometheus's resolveConflictingExposedLabels.
    std::vector<std::pair<std::string, std::string>> conflicts;
    for (const model::Label& t : options_.target_labels) {
      std::string_view exposed = b.Get(t.name);
      if (!exposed.empty()) conflicts.emplace_back(std::string(t.name), std::string(exposed));
      b.Set(t.name, t.value);
    }
    std::stable_sort(conflicts.begin(), conflicts.end(),
                     [](const auto& a, const auto& c) { return a.first.size() < c.first.size(); });
    for (const auto& [n, v] : conflicts) {
      std::string exported = n;
      do {
        exported.insert(0, kExportedPrefix);
      } while (!b.Get(exported).empty());
      b.Set(exported, v);
    }
  }
  model::Labels out = b.Build();
  if (!options_.metric_relabel_configs.empty()) {
    auto relabeled = model::Process(out, options_.metric_relabel_configs);
    if (!relabeled || relabeled->empty()) return std::nullopt;
    out = std::move(*relabeled);
  }
  return out;
}

base::Status ScrapeLoop::AppendSamples(std::string_view body, std::string_view content_type,
                                       model::Timestamp ts, storage::Appender& app,
                                       ScrapeReport* report) {
  auto parser = textparse::NewParser(body, content_type);
  for (;;) {
    auto entry = parser->Next();
    if (!entry) return entry.error();
    if (*entry == textparse::Entry::kEof) break;
    if (*entry == textparse::Entry::kType || *entry == textparse::Entry::kHelp ||
        *entry == textparse::Entry::kUnit) {
      UpdateMetadata(*entry, *parser);
      continue;
    }
    if (*entry != textparse::Entry::kSeries) continue;
    ++report->samples_scraped;
    const std::string_view series = parser->series();
    Cache::value_type* kv = nullptr;
    if (const size_t pos = next_order_.size();
        pos < prev_order_.size() && prev_order_[pos].size == series.size() &&
        prev_order_[pos].offset != kNoText &&
        std::memcmp(prev_body_.data() + prev_order_[pos].offset, series.data(), series.size()) == 0) {
      kv = prev_order_[pos].kv;
    } else if (auto found = cache_.find(series); found != cache_.end()) {
      kv = &*found;
    }
    if (kv == nullptr) {
      CacheEntry e;
      auto labels = BuildLabels(parser->metric_name(), parser->labels());
      if (labels) {
        e.labels = std::move(*labels);
        if (base::Status v = e.labels.Validate(); !v.ok()) return v;
        size_t n = 0;
        for (const model::Label& l : e.labels) {
          ++n;
          if (options_.label_name_length_limit > 0 && l.name.size() > options_.label_name_length_limit)
            return base::LimitExceeded("label_name_length_limit exceeded (metric: " +
                                       std::string(parser->metric_name()) + ", label name: " +
                                       std::string(l.name) + ", length: " +
                                       std::to_string(l.name.size()) + ", limit: " +
                                       std::to_string(options_.label_name_length_limit) + ")");
          if (options_.label_value_length_limit > 0 && l.value.size() > options_.label_value_length_limit)
            return base::LimitExceeded("label_value_length_limit exceeded (metric: " +
                                       std::string(parser->metric_name()) + ", label name: " +
                                       std::string(l.name) + ", value: \"" + std::string(l.value) +
                                       "\", length: " + std::to_string(l.value.size()) +
                                       ", limit: " + std::to_string(options_.label_value_length_limit) + ")");
        }
        if (options_.label_limit > 0 && n > options_.label_limit)
          return base::LimitExceeded("label_limit exceeded (metric: " +
                                     std::string(parser->metric_name()) + ", number of labels: " +
                                     std::to_string(n) + ", limit: " +
                                     std::to_string(options_.label_limit) + ")");
      } else {
        e.dropped = true;
      }
      kv = &*cache_.emplace(std::string(series), std::move(e)).first;
      if (!kv->second.dropped) ++report->series_added;
    }
    const auto at = reinterpret_cast<uintptr_t>(series.data()),
               begin = reinterpret_cast<uintptr_t>(body.data());
    const bool in_body = at >= begin && at + series.size() <= begin + body.size();
    next_order_.push_back({kv, in_body ? at - begin : kNoText, series.size()});
    CacheEntry& e = kv->second;
    if (e.seen != iteration_) ++seen_count_;
    e.seen = iteration_;
    if (e.dropped) continue;
    ++report->samples_post_relabeling;
    if (options_.sample_limit > 0 && report->samples_post_relabeling > options_.sample_limit)
      return base::LimitExceeded("sample limit exceeded");
    model::Timestamp t = ts;
    if (options_.honor_timestamps && parser->timestamp()) t = *parser->timestamp();
    auto ref = app.Append(e.ref, e.labels, t, parser->value());
    if (ref) {
      e.ref = *ref;
    } else if (!Rejected(ref.error().code())) {
      return ref.error();
    }
  }
  return base::Status::Ok();
}

void ScrapeLoop::AppendReport(storage::Appender& app, model::Timestamp ts, const ScrapeReport& r) {
  const std::pair<std::string_view, double> series[] = {
      {"up", r.error.ok() ? 1.0 : 0.0},
      {"scrape_duration_seconds", r.duration_seconds},
      {"scrape_samples_scraped", static_cast<double>(r.samples_scraped)},
      {"scrape_samples_post_metric_relabeling", static_cast<double>(r.samples_post_relabeling)},
      {"scrape_series_added", static_cast<double>(r.series_added)},
  };
  report_refs_.resize(std::size(series), 0);
  for (size_t i = 0; i < std::size(series); ++i) {
    model::LabelsBuilder b(options_.target_labels);
    b.Set(model::kMetricName, series[i].first);
    auto ref = app.Append(report_refs_[i], b.Build(), ts, series[i].second);
    if (ref) report_refs_[i] = *ref;
  }
}

base::Status ScrapeLoop::MarkAllStale(model::Timestamp ts) {
  auto app = appendable_.NewAppender();
  for (auto& [key, e] : cache_)
    if (e.live) app->Append(e.ref, e.labels, ts, model::StaleNaN()).IgnoreError();
  for (size_t i = 0; i < report_refs_.size(); ++i) {
    static constexpr std::string_view kNames[] = {"up", "scrape_duration_seconds",
                                                  "scrape_samples_scraped",
                                                  "scrape_samples_post_metric_relabeling",
                                                  "scrape_series_added"};
    model::LabelsBuilder b(options_.target_labels);
    b.Set(model::kMetricName, kNames[i]);
    app->Append(report_refs_[i], b.Build(), ts, model::StaleNaN()).IgnoreError();
  }
  cache_.clear();
  prev_order_.clear();
  next_order_.clear();
  prev_body_.clear();
  return app->Commit();
}

ScrapeReport ScrapeLoop::LastReport() const {
  std::lock_guard lock(mu_);
  return last_;
}

void ScrapeLoop::UpdateMetadata(textparse::Entry entry, const textparse::Parser& parser) {
  std::lock_guard lock(meta_mu_);
  auto it = metadata_.find(parser.metric_name());
  if (it == metadata_.end()) it = metadata_.emplace(std::string(parser.metric_name()), MetaEntry{}).first;
  MetaEntry& e = it->second;
  switch (entry) {
    case textparse::Entry::kType: e.type = parser.type(); break;
    case textparse::Entry::kHelp: e.help = parser.help(); break;
    case textparse::Entry::kUnit: e.unit = parser.unit(); break;
    default: break;
  }
  e.last_scrape = scrapes_;
}

void ScrapeLoop::FlushMetadata() {
  std::lock_guard lock(meta_mu_);
  std::erase_if(metadata_, [&](const auto& kv) {
    return scrapes_ - kv.second.last_scrape > kMetadataKeepScrapes;
  });
}

std::vector<MetricMetadata> ScrapeLoop::ListMetadata() const {
  std::lock_guard lock(meta_mu_);
  std::vector<MetricMetadata> out;
  out.reserve(metadata_.size());
  for (const auto& [name, e] : metadata_) out.push_back({name, e.type, e.help, e.unit});
  return out;
}

std::optional<MetricMetadata> ScrapeLoop::GetMetadata(std::string_view metric) const {
  std::lock_guard lock(meta_mu_);
  auto it = metadata_.find(metric);
  if (it == metadata_.end()) return std::nullopt;
  return MetricMetadata{it->first, it->second.type, it->second.help, it->second.unit};
}

}  // namespace scrape
