// HeadMetrics: the head's self-metrics, named as Prometheus's tsdb names them where it has them.
#pragma once

#include "base/metrics.h"

namespace tsdb {

struct HeadMetrics {
  explicit HeadMetrics(base::metrics::Registry& r)
      : samples_appended(r.GetCounter("prometheus_tsdb_head_samples_appended_total",
                                      "Total number of appended samples.", {{"type", "float"}})),
        ooo_samples_appended(r.GetCounter("prometheus_tsdb_head_out_of_order_samples_appended_total",
                                          "Total number of appended out of order samples.",
                                          {{"type", "float"}})),
        out_of_order(r.GetCounter("prometheus_tsdb_out_of_order_samples_total",
                                  "Total number of out of order samples ingestion failed attempts.",
                                  {{"type", "float"}})),
        duplicate(r.GetCounter("hestia_tsdb_duplicate_samples_total",
                               "Total number of samples rejected for having the timestamp of an "
                               "existing sample with another value.")),
        too_old(r.GetCounter("prometheus_tsdb_too_old_samples_total",
                             "Total number of out of order samples ingestion failed attempts due "
                             "to OOO being enabled but the sample was too old.",
                             {{"type", "float"}})),
        out_of_bounds(r.GetCounter("prometheus_tsdb_out_of_bound_samples_total",
                                   "Total number of out of bound samples ingestion failed attempts.",
                                   {{"type", "float"}})),
        series_created(r.GetCounter("prometheus_tsdb_head_series_created_total",
                                    "Total number of series created in the head")),
        series_removed(r.GetCounter("prometheus_tsdb_head_series_removed_total",
                                    "Total number of series removed in the head")),
        chunks_created(r.GetCounter("prometheus_tsdb_head_chunks_created_total",
                                    "Total number of chunks created in the head")),
        truncations(r.GetCounter("prometheus_tsdb_head_truncations_total",
                                 "Total number of head truncations attempted.")),
        replay_seconds(r.GetGauge("prometheus_tsdb_data_replay_duration_seconds",
                                  "Time taken to replay the data on disk.")),
        commit_seconds(r.GetHistogram("hestia_tsdb_head_commit_duration_seconds",
                                      "Time taken to commit one appender batch, WAL included.",
                                      base::metrics::ExponentialBuckets(0.0001, 4, 9))),
        wal_replay_unknown_refs(r.GetCounter(
            "prometheus_tsdb_wal_replay_unknown_refs_total",
            "Total number of unknown series references encountered during WAL replay.",
            {{"type", "samples"}})) {}
  base::metrics::Counter& samples_appended;
  base::metrics::Counter& ooo_samples_appended;
  base::metrics::Counter& out_of_order;
  base::metrics::Counter& duplicate;
  base::metrics::Counter& too_old;
  base::metrics::Counter& out_of_bounds;
  base::metrics::Counter& series_created;
  base::metrics::Counter& series_removed;
  base::metrics::Counter& chunks_created;
  base::metrics::Counter& truncations;
  base::metrics::Gauge& replay_seconds;
  base::metrics::Histogram& commit_seconds;
  base::metrics::Counter& wal_replay_unknown_refs;
};

}  // namespace tsdb
