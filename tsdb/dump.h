// Dump: every sample of the selected series as text, in promtool's `tsdb dump` format:
//   {__name__="up", instance="localhost:9090", job="prometheus"} 1 1700000000000
// (labels, value as Go's %g, timestamp in ms), series sorted by labels.
#pragma once

#include <cstdio>
#include <vector>

#include "base/status.h"
#include "storage/querier.h"

namespace tsdb {

// Writes the samples in [mint, maxt] of the series matching `matchers` (all series when empty)
// to out. Errors: those of the querier and iterators, and kIOError when out fails.
base::Status DumpSamples(storage::Queryable& db, model::Timestamp mint, model::Timestamp maxt,
                         const std::vector<model::Matcher>& matchers, std::FILE* out);

}  // namespace tsdb
