// ScrapeLoop: scrapes one target at its interval and appends what it exposes, with the
// synthetic series and staleness markers exactly as Prometheus's scrape/scrape.go writes them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "model/labels.h"
#include "model/relabel.h"
#include "scrape/textparse/parser.h"
#include "storage/appender.h"

namespace scrape {

// What a scrape of a target must know, from its scrape config and its labels.
struct LoopOptions {
  model::Labels target_labels;  // job, instance and the others, after relabeling
  std::chrono::milliseconds interval{15000};
  std::chrono::milliseconds timeout{10000};
  bool honor_labels = false;
  bool honor_timestamps = true;
  uint64_t sample_limit = 0, label_limit = 0, label_name_length_limit = 0,
           label_value_length_limit = 0;
  std::vector<model::RelabelConfig> metric_relabel_configs;
};

// The result of fetching a target: the body and its Content-Type, or the error.
struct FetchResult {
  base::Status status;
  std::string body;
  std::string content_type;
};
// Fetches the target within `timeout`. Called from the loop's thread.
using Fetcher = std::function<FetchResult(std::chrono::milliseconds timeout)>;

// How one scrape went, for the targets API and the synthetic series.
struct ScrapeReport {
  model::Timestamp time = 0;
  double duration_seconds = 0;
  base::Status error;  // OK when the scrape succeeded
  uint64_t samples_scraped = 0;
  uint64_t samples_post_relabeling = 0;
  uint64_t series_added = 0;
};

// The metadata of one metric family as a target exposes it (# TYPE, # HELP, # UNIT).
struct MetricMetadata {
  std::string metric;  // the family name ("http_requests" for OpenMetrics' http_requests_total)
  textparse::MetricType type = textparse::MetricType::kUnknown;
  std::string help;
  std::string unit;
};

// How many scrapes a family's metadata outlives its last TYPE, HELP or UNIT line (Prometheus's
// scrapeCache.iterDone keeps it "around for 10 scrapes after its metric disappeared").
inline constexpr uint64_t kMetadataKeepScrapes = 10;

// The timestamp of a scrape starting at `now` (ms): Prometheus's alignment to the slot `*aligned`
// (the first scrape's time, advanced by whole intervals) when within 2 ms of it, else `now`.
// `*aligned` is 0 before the first scrape. Intervals of 200 ms or less are never aligned.
model::Timestamp AlignScrapeTimestamp(model::Timestamp now, int64_t interval_ms,
                                      model::Timestamp* aligned);

// Thread-safety: Start/Stop from one thread; LastReport, ListMetadata and GetMetadata from any.
// Lock order: mu_ and meta_mu_ are never held together.
class ScrapeLoop {
 public:
  ScrapeLoop(LoopOptions options, storage::Appendable& appendable, Fetcher fetch,
             base::Clock& clock = base::Clock::Real());
  ~ScrapeLoop();
  ScrapeLoop(const ScrapeLoop&) = delete;
  ScrapeLoop& operator=(const ScrapeLoop&) = delete;

  // Starts scraping on a thread of its own, first after `offset` (spreading targets over the
  // interval).
  void Start(std::chrono::milliseconds offset);
  // Stops the thread; with `stale`, marks every series of the last scrape stale (a target
  // removed by a reload), as Prometheus's endOfRunStaleness does.
  void Stop(bool stale);

  // One scrape at `ts`: fetch, parse, append, report. Public for tests and for the loop.
  ScrapeReport ScrapeOnce(model::Timestamp ts);
  // Appends a fetched body as the scrape at `ts` (the part of ScrapeOnce after the fetch); a
  // failed fetch is passed as `fetch_status` and appends an empty scrape with up 0.
  ScrapeReport AppendBody(std::string_view body, std::string_view content_type,
                          model::Timestamp ts, double fetch_seconds,
                          const base::Status& fetch_status = base::Status::Ok());
  // Marks every series of the last scrape stale at `ts`.
  base::Status MarkAllStale(model::Timestamp ts);

  ScrapeReport LastReport() const;

  // The metadata cache, as Prometheus's scrapeCache: a family's entry is created by its first
  // TYPE, HELP or UNIT line (type unknown until a TYPE line says otherwise), updated by later
  // ones, also those of a scrape that then fails, and dropped after a successful scrape when no
  // line of it was seen in the last kMetadataKeepScrapes scrapes. Sorted by family name.
  std::vector<MetricMetadata> ListMetadata() const;
  // The cached metadata of the family `metric`, or nullopt.
  std::optional<MetricMetadata> GetMetadata(std::string_view metric) const;

 private:
  struct CacheEntry {
    model::Labels labels;        // after target labels and metric relabeling
    storage::SeriesRef ref = 0;  // from the last Append
    bool dropped = false;        // metric relabeling dropped it
    bool live = false;           // stored by a committed scrape: needs a marker when it goes
    uint64_t seen = 0;           // the scrape iteration it was last exposed in
  };
  // AppendBody on a body the loop may keep (as prev_body_).
  ScrapeReport AppendOwnedBody(std::string body, std::string_view content_type,
                               model::Timestamp ts, double fetch_seconds,
                               const base::Status& fetch_status);
  // Appends what the body exposes; fills report counts; returns the parse or limit error.
  base::Status AppendSamples(std::string_view body, std::string_view content_type,
                             model::Timestamp ts, storage::Appender& app, ScrapeReport* report);
  void AppendReport(storage::Appender& app, model::Timestamp ts, const ScrapeReport& r);
  // The final labels of an exposed series, or nullopt when metric relabeling drops it.
  std::optional<model::Labels> BuildLabels(std::string_view name,
                                           std::span<const model::Label> labels);
  void Run(std::stop_token stop, std::chrono::milliseconds offset);

  LoopOptions options_;
  storage::Appendable& appendable_;
  Fetcher fetch_;
  base::Clock& clock_;
  // Keyed by the series text as exposed ("up{job=\"x\"}"), as Prometheus's scrapeCache.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Cache = std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>>;
  Cache cache_;  // loop thread
  // The entries of the last successful scrape in exposition order, and those of the scrape in
  // progress: the series at position i of a body is first compared with slot i of the last
  // scrape (targets expose in a stable order), which avoids hashing the series text on most
  // lookups, as Prometheus's scrapeCache does with its series-by-bytes map. A slot names its
  // series text by its place in the body, and the last successful scrape's body is kept, so
  // that comparing runs through memory in order instead of missing the cache on every entry's
  // own key. Loop thread only.
  // Invariants: every slot's kv is an element of cache_ (node pointers survive rehashing); a
  // prev_order_ slot's [offset, offset + size) lies in prev_body_ unless offset is kNoText; the
  // slots are emptied whenever entries may be erased other than by the staleness pass of a
  // successful scrape, which keeps every entry of next_order_.
  struct OrderSlot {
    Cache::value_type* kv;
    size_t offset, size;  // the series text in the body
  };
  static constexpr size_t kNoText = ~size_t{0};  // the parser's series text is not in the body
  std::vector<OrderSlot> prev_order_, next_order_;
  std::string prev_body_;
  size_t seen_count_ = 0;  // distinct entries seen by the scrape in progress

  struct MetaEntry {
    textparse::MetricType type = textparse::MetricType::kUnknown;
    std::string help, unit;
    uint64_t last_scrape = 0;  // the scrape (scrapes_) whose body last had a line of the family
  };
  // Applies one TYPE, HELP or UNIT entry of the parser to the metadata cache.
  void UpdateMetadata(textparse::Entry entry, const textparse::Parser& parser);
  // Drops the entries not seen for more than kMetadataKeepScrapes scrapes.
  void FlushMetadata();

  uint64_t iteration_ = 0;                              // loop thread only
  uint64_t scrapes_ = 0;                                // loop thread only: AppendBody calls
  std::vector<storage::SeriesRef> report_refs_;         // refs of the synthetic series
  mutable std::mutex mu_;
  ScrapeReport last_;  // GUARDED_BY(mu_)
  mutable std::mutex meta_mu_;
  std::map<std::string, MetaEntry, std::less<>> metadata_;  // GUARDED_BY(meta_mu_); by family
  std::jthread thread_;
};

// Prometheus's offset of a target within its interval, from a hash of its labels, so that
// targets spread over the interval and keep their phase across restarts.
std::chrono::milliseconds ScrapeOffset(const model::Labels& target_labels,
                                       std::chrono::milliseconds interval, model::Timestamp now);

}  // namespace scrape
