// IndexReader: reads a block's index file (written by IndexWriter; docs/format/index.md)
// through a memory map.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/block/file_util.h"
#include "tsdb/block/index_writer.h"

namespace tsdb::block {

// A series as the index stores it.
struct SeriesEntry {
  model::Labels labels;
  std::vector<ChunkMeta> chunks;
};

// Thread-safe: immutable after Open.
class IndexReader {
 public:
  using List = std::vector<uint64_t>;

  // Maps the file and checks the header, the TOC, the symbol table and the label index (their
  // CRCs and that every reference in them is in range). kCorruption naming the file otherwise;
  // series and postings are checked when read.
  static base::Result<std::unique_ptr<IndexReader>> Open(const std::string& path);

  // Refs of the series matching all matchers (all series when empty), ascending, which is
  // label order. kCorruption for a damaged postings list.
  base::Result<List> Select(const std::vector<model::Matcher>& matchers) const;
  // The series at `ref` (an element of a postings list). kCorruption for a bad ref or entry.
  base::Status ReadSeries(uint64_t ref, SeriesEntry* out) const;
  // Every label name, sorted; the values of one name, sorted.
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;
  size_t num_symbols() const { return symbols_.size(); }
  const std::string& path() const { return path_; }

 private:
  struct Value {
    std::string_view value;
    uint64_t postings_off;
  };
  struct Name {
    std::string_view name;
    std::vector<Value> values;  // sorted by value
  };
  struct Reader;  // the view PostingsForMatchers reads

  IndexReader() = default;
  base::Status Corrupt(std::string_view what) const;
  base::Status ReadPostings(uint64_t off, List* out) const;
  const Name* FindName(std::string_view name) const;

  std::string path_;
  MmapFile file_;
  std::vector<std::string_view> symbols_;
  std::vector<Name> names_;  // sorted by name
  uint64_t series_off_ = 0, postings_off_ = 0, label_index_off_ = 0, all_off_ = 0;
};

}  // namespace tsdb::block
