// wal_bench: throughput of the WAL on the ingest path. Encodes realistic samples records
// (500 samples each, as a scrape or remote-write batch produces) and measures
//   - record::EncodeSamples and DecodeSamples alone,
//   - Writer::Log without fsync (wal-sync=segment/interval: write(2) per call),
//   - Writer::Log + Sync per call (wal-sync=always),
//   - Reader (WAL replay).
// Prints records/s, MB/s, samples/s and CPU-seconds per million samples.
//
// Usage: wal_bench [dir]   (default: a temporary directory under $TMPDIR or /tmp; give a
// directory on the disk the WAL would use, since fsync cost depends on it)
#include <stdlib.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tsdb/record/record.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/writer.h"

namespace {

constexpr int kSamplesPerRecord = 500;

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = CpuSeconds();
  double WallSeconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double CpuUsed() const { return CpuSeconds() - cpu; }
};

// Records of 500 samples from 10,000 series scraped every 15 s: refs ascending within a
// record, one timestamp per scrape with a little jitter, counter-like values.
std::vector<std::string> MakeRecords(int count) {
  std::mt19937_64 rng(1);
  std::vector<std::string> out;
  std::vector<tsdb::record::RefSample> samples(kSamplesPerRecord);
  int64_t t = 1700000000000;
  uint64_t next_ref = 1;
  for (int r = 0; r < count; ++r) {
    for (auto& s : samples) {
      s.ref = next_ref;
      next_ref = next_ref % 10000 + 1;
      s.t = t + static_cast<int64_t>(rng() % 50);
      s.v = static_cast<double>(rng() % 1000000) * 0.25;
    }
    if (next_ref == 1) t += 15000;
    std::string rec;
    tsdb::record::EncodeSamples(samples, &rec);
    out.push_back(std::move(rec));
  }
  return out;
}

void Report(const char* name, double wall, double cpu, size_t records, size_t bytes) {
  const double samples = static_cast<double>(records) * kSamplesPerRecord;
  std::printf("%-34s %10.0f rec/s %8.1f MB/s %12.0f samples/s  %6.3f CPU-s per 1M samples\n", name,
              static_cast<double>(records) / wall, static_cast<double>(bytes) / wall / 1e6,
              samples / wall, cpu / samples * 1e6);
}

int Fail(const base::Status& st) {
  std::fprintf(stderr, "wal_bench: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::string base_dir;
  bool remove_base = false;
  if (argc > 1) {
    base_dir = argv[1];
    fs::create_directories(base_dir);
  } else {
    std::string tmpl = (fs::temp_directory_path() / "wal-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    base_dir = tmpl;
    remove_base = true;
  }

  const int kRecords = 20000;  // 10M samples, ~110 MB
  const auto records = MakeRecords(kRecords);
  size_t total_bytes = 0;
  for (const auto& r : records) total_bytes += r.size();
  std::printf("records: %d x %d samples, %.1f bytes/record, %.2f bytes/sample\n", kRecords,
              kSamplesPerRecord, static_cast<double>(total_bytes) / kRecords,
              static_cast<double>(total_bytes) / kRecords / kSamplesPerRecord);

  {
    std::vector<tsdb::record::RefSample> samples;
    if (auto st = tsdb::record::DecodeSamples(records[0], &samples); !st.ok()) return Fail(st);
    std::string buf;
    Timer timer;
    size_t bytes = 0;
    for (int i = 0; i < kRecords; ++i) {
      buf.clear();
      tsdb::record::EncodeSamples(samples, &buf);
      bytes += buf.size();
    }
    Report("EncodeSamples", timer.WallSeconds(), timer.CpuUsed(), kRecords, bytes);
  }
  {
    std::vector<tsdb::record::RefSample> samples;
    Timer timer;
    for (const auto& r : records) {
      samples.clear();
      if (auto st = tsdb::record::DecodeSamples(r, &samples); !st.ok()) return Fail(st);
    }
    Report("DecodeSamples", timer.WallSeconds(), timer.CpuUsed(), records.size(), total_bytes);
  }

  const std::string dir = base_dir + "/wal";
  {
    auto w = tsdb::wal::Writer::Open(dir);
    if (!w.ok()) return Fail(w.error());
    Timer timer;
    for (const auto& r : records) {
      if (auto st = (*w)->Log(r); !st.ok()) return Fail(st);
    }
    const double wall = timer.WallSeconds();
    const double cpu = timer.CpuUsed();
    Report("Log, no fsync (1 record/call)", wall, cpu, records.size(), total_bytes);
    if (auto st = (*w)->Close(); !st.ok()) return Fail(st);
  }
  {
    auto w = tsdb::wal::Writer::Open(dir);
    if (!w.ok()) return Fail(w.error());
    std::vector<std::string_view> batch;
    Timer timer;
    for (size_t i = 0; i < records.size(); i += 10) {
      batch.assign(records.begin() + static_cast<ptrdiff_t>(i),
                   records.begin() + static_cast<ptrdiff_t>(std::min(records.size(), i + 10)));
      if (auto st = (*w)->Log(batch); !st.ok()) return Fail(st);
    }
    Report("Log, no fsync (10 records/call)", timer.WallSeconds(), timer.CpuUsed(), records.size(),
           total_bytes);
    if (auto st = (*w)->Close(); !st.ok()) return Fail(st);
  }
  {
    tsdb::wal::WriterOptions o;
    o.compress = true;
    auto w = tsdb::wal::Writer::Open(base_dir + "/wal-snappy", o);
    if (!w.ok()) return Fail(w.error());
    Timer timer;
    for (const auto& r : records) {
      if (auto st = (*w)->Log(r); !st.ok()) return Fail(st);
    }
    Report("Log + snappy, no fsync", timer.WallSeconds(), timer.CpuUsed(), records.size(),
           total_bytes);
    if (auto st = (*w)->Close(); !st.ok()) return Fail(st);
  }
  {
    auto w = tsdb::wal::Writer::Open(base_dir + "/wal-sync");
    if (!w.ok()) return Fail(w.error());
    const size_t n = 1000;
    Timer timer;
    for (size_t i = 0; i < n; ++i) {
      if (auto st = (*w)->Log(records[i]); !st.ok()) return Fail(st);
      if (auto st = (*w)->Sync(); !st.ok()) return Fail(st);
    }
    const double wall = timer.WallSeconds();
    Report("Log + fsync per call", wall, timer.CpuUsed(), n, n * records[0].size());
    std::printf("%-34s %10.3f ms per fsync'ed call\n", "", wall / static_cast<double>(n) * 1e3);
    if (auto st = (*w)->Close(); !st.ok()) return Fail(st);
  }
  {
    auto r = tsdb::wal::Reader::Open(dir);
    if (!r.ok()) return Fail(r.error());
    Timer timer;
    size_t n = 0;
    size_t bytes = 0;
    while ((*r)->Next()) {
      ++n;
      bytes += (*r)->Record().size();
    }
    if (!(*r)->status().ok()) return Fail((*r)->status());
    Report("Reader (replay, page cache warm)", timer.WallSeconds(), timer.CpuUsed(), n, bytes);
  }

  if (remove_base) fs::remove_all(base_dir);
  return 0;
}
