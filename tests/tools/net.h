// Loopback helpers shared by the benchmarks (bench/ingest_bench, bench/scrape_bench): a free
// port for a server to start on, and waiting until a started server answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <csignal>
#include <string>

#include "base/status.h"
#include "tests/tools/child_process.h"

namespace tools {

// A port that was free on 127.0.0.1 a moment ago (the kernel's pick for port 0).
// Errors: kIOError when no socket can be bound.
base::Result<int> FreePort();

// Polls GET http://127.0.0.1:<port><path> until it answers 200. `interrupted` (may be null) is
// the benchmark's signal flag, checked between polls.
// Errors: kCanceled when *interrupted is set; kUnavailable when `child` exits first, and
// kTimeout after `limit`, both with the tail of the child's log.
base::Status WaitReady(ChildProcess& child, int port, const std::string& path,
                       std::chrono::seconds limit,
                       const volatile std::sig_atomic_t* interrupted = nullptr);

// Sleeps for `d`, waking every 50 ms to check `interrupted` (may be null); false when it was set.
bool InterruptibleSleep(std::chrono::duration<double> d,
                        const volatile std::sig_atomic_t* interrupted);

// The kCanceled status of an interrupted benchmark.
base::Status Interrupted();

// The status of a child that exited at a bad time: "<what> <how it exited> <when>; log tail:".
base::Status Died(ChildProcess& child, const std::string& what, const std::string& when);

// count({__name__=~".+"}) at `time_s` through the Prometheus query API of the server on
// 127.0.0.1:port, a check that samples were stored and not just acknowledged; nullopt when the
// server does not answer it.
std::optional<uint64_t> CountStoredSeries(int port, int64_t time_s);

}  // namespace tools
