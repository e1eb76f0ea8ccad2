#include "tsdb/block/index_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "base/coding.h"
#include "base/crc32c.h"
#include "tsdb/block/file_util.h"

namespace tsdb::block {
namespace {

void PutCrcOf(std::string* out, size_t start) {
  base::PutBE32(out, base::Crc32cExtend(0, out->data() + start, out->size() - start));
}

// Appends uvarint(len(payload)) payload crc32c(payload).
void PutUvarintSection(std::string* out, std::string_view payload) {
  base::PutUvarint(out, payload.size());
  const size_t start = out->size();
  out->append(payload);
  PutCrcOf(out, start);
}

void PutBE32Section(std::string* out, std::string_view payload) {
  base::PutBE32(out, static_cast<uint32_t>(payload.size()));
  const size_t start = out->size();
  out->append(payload);
  PutCrcOf(out, start);
}

}  // namespace

base::Status IndexWriter::AddSeries(const model::Labels& labels, std::vector<ChunkMeta> chunks) {
  if (labels.empty()) return base::InvalidArgument("index: series without labels");
  if (!series_.empty() && model::Labels::Compare(series_.back().labels, labels) >= 0)
    return base::InvalidArgument(fmt::format("index: series {} out of order after {}",
                                             labels.ToString(), series_.back().labels.ToString()));
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].min_time > chunks[i].max_time ||
        (i > 0 && chunks[i].min_time <= chunks[i - 1].max_time))
      return base::InvalidArgument(
          fmt::format("index: chunks of {} overlap or are unsorted", labels.ToString()));
  }
  series_.push_back({labels, std::move(chunks)});
  return base::Status::Ok();
}

base::Status IndexWriter::Finish(const std::string& path) {
  // Symbols: every name and value, sorted, so that symbol order is string order.
  std::vector<std::string_view> syms;
  for (const Entry& e : series_)
    for (const model::Label& l : e.labels) {
      syms.push_back(l.name);
      syms.push_back(l.value);
    }
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  std::unordered_map<std::string_view, uint64_t> sym_ref;
  sym_ref.reserve(syms.size());
  for (size_t i = 0; i < syms.size(); ++i) sym_ref.emplace(syms[i], i);

  std::string out;
  base::PutBE32(&out, kIndexMagic);
  out.push_back(static_cast<char>(kIndexVersion));

  const uint64_t symbols_off = out.size();
  std::string payload;
  base::PutUvarint(&payload, syms.size());
  for (std::string_view s : syms) {
    base::PutUvarint(&payload, s.size());
    payload.append(s);
  }
  if (payload.size() > UINT32_MAX)
    return base::LimitExceeded("index: symbol table larger than 4 GiB");
  PutBE32Section(&out, payload);

  // Series, and the postings of every label pair (series are in label order, so refs ascend).
  const uint64_t series_off = out.size();
  std::vector<uint64_t> all;
  all.reserve(series_.size());
  std::map<std::pair<uint64_t, uint64_t>, std::vector<uint64_t>> postings;  // (name, value) syms
  for (const Entry& e : series_) {
    const uint64_t ref = out.size();
    all.push_back(ref);
    payload.clear();
    base::PutUvarint(&payload, e.labels.size());
    for (const model::Label& l : e.labels) {
      const uint64_t n = sym_ref[l.name], v = sym_ref[l.value];
      base::PutUvarint(&payload, n);
      base::PutUvarint(&payload, v);
      postings[{n, v}].push_back(ref);
    }
    base::PutUvarint(&payload, e.chunks.size());
    for (size_t i = 0; i < e.chunks.size(); ++i) {
      const ChunkMeta& c = e.chunks[i];
      base::PutVarint(
          &payload, i == 0 ? c.min_time
                           : static_cast<int64_t>(static_cast<uint64_t>(c.min_time) -
                                                  static_cast<uint64_t>(e.chunks[i - 1].max_time)));
      base::PutUvarint(&payload,
                       static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
      base::PutVarint(&payload, static_cast<int64_t>(i == 0 ? c.ref : c.ref - e.chunks[i - 1].ref));
    }
    PutUvarintSection(&out, payload);
  }

  auto put_postings = [&](const std::vector<uint64_t>& refs) {
    payload.clear();
    base::PutUvarint(&payload, refs.size());
    uint64_t prev = 0;
    for (uint64_t r : refs) {
      base::PutUvarint(&payload, r - prev);
      prev = r;
    }
    PutUvarintSection(&out, payload);
  };
  const uint64_t postings_off = out.size();
  const uint64_t all_off = out.size();
  put_postings(all);
  std::vector<uint64_t> pair_off;
  pair_off.reserve(postings.size());
  for (const auto& [pair, refs] : postings) {
    pair_off.push_back(out.size());
    put_postings(refs);
  }

  // Label index: the values of each name with the offsets of their postings.
  const uint64_t label_index_off = out.size();
  payload.clear();
  uint64_t nnames = 0;
  for (auto it = postings.begin(); it != postings.end();) {
    ++nnames;
    it = postings.upper_bound({it->first.first, UINT64_MAX});
  }
  base::PutUvarint(&payload, nnames);
  uint64_t prev_off = postings_off;
  size_t i = 0;
  for (auto it = postings.begin(); it != postings.end();) {
    const uint64_t name = it->first.first;
    auto end = postings.upper_bound({name, UINT64_MAX});
    base::PutUvarint(&payload, name);
    base::PutUvarint(&payload, static_cast<uint64_t>(std::distance(it, end)));
    for (; it != end; ++it, ++i) {
      base::PutUvarint(&payload, it->first.second);
      base::PutUvarint(&payload, pair_off[i] - prev_off);
      prev_off = pair_off[i];
    }
  }
  if (payload.size() > UINT32_MAX)
    return base::LimitExceeded("index: label index larger than 4 GiB");
  PutBE32Section(&out, payload);

  const size_t toc_start = out.size();
  for (uint64_t off : {symbols_off, series_off, postings_off, label_index_off, all_off})
    base::PutBE64(&out, off);
  PutCrcOf(&out, toc_start);
  return WriteFileSync(path, out);
}

}  // namespace tsdb::block
