#include "tsdb/block/tombstones.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/coding.h"
#include "base/crc32c.h"
#include "tsdb/block/file_util.h"

namespace tsdb::block {

void AddInterval(Intervals* ivs, Interval iv) {
  // Find the intervals that overlap or touch iv and replace them by their union.
  auto gap = [](model::Timestamp lo, model::Timestamp hi) {  // hi - lo without overflow, lo < hi
    return static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  };
  auto touches = [&](const Interval& x) {
    return !(x.max_time < iv.min_time && gap(x.max_time, iv.min_time) > 1) &&
           !(iv.max_time < x.min_time && gap(iv.max_time, x.min_time) > 1);
  };
  auto first = std::find_if(ivs->begin(), ivs->end(), touches);
  if (first == ivs->end()) {
    auto pos = std::lower_bound(
        ivs->begin(), ivs->end(), iv,
        [](const Interval& a, const Interval& b) { return a.min_time < b.min_time; });
    ivs->insert(pos, iv);
    return;
  }
  auto last = first;
  while (last != ivs->end() && touches(*last)) {
    iv.min_time = std::min(iv.min_time, last->min_time);
    iv.max_time = std::max(iv.max_time, last->max_time);
    ++last;
  }
  *first = iv;
  ivs->erase(first + 1, last);
}

bool IsDeleted(const Intervals& ivs, model::Timestamp t) {
  auto it = std::upper_bound(ivs.begin(), ivs.end(), t,
                             [](model::Timestamp v, const Interval& x) { return v < x.min_time; });
  return it != ivs.begin() && std::prev(it)->Contains(t);
}

bool CoversRange(const Intervals& ivs, model::Timestamp mint, model::Timestamp maxt) {
  auto it = std::upper_bound(ivs.begin(), ivs.end(), mint,
                             [](model::Timestamp v, const Interval& x) { return v < x.min_time; });
  return it != ivs.begin() && std::prev(it)->Contains(mint) && std::prev(it)->Contains(maxt);
}

uint64_t Tombstones::NumIntervals() const {
  uint64_t n = 0;
  for (const auto& [ref, ivs] : by_ref_) n += ivs.size();
  return n;
}

std::string EncodeTombstones(const Tombstones& t) {
  std::string out;
  base::PutBE32(&out, kTombstonesMagic);
  out.push_back(static_cast<char>(kTombstonesVersion));
  const size_t start = out.size();
  base::PutUvarint(&out, t.by_ref().size());
  uint64_t prev = 0;
  for (const auto& [ref, ivs] : t.by_ref()) {
    base::PutUvarint(&out, ref - prev);
    prev = ref;
    base::PutUvarint(&out, ivs.size());
    for (const Interval& iv : ivs) {
      base::PutVarint(&out, iv.min_time);
      base::PutUvarint(&out,
                       static_cast<uint64_t>(iv.max_time) - static_cast<uint64_t>(iv.min_time));
    }
  }
  base::PutBE32(&out, base::Crc32cExtend(0, out.data() + start, out.size() - start));
  return out;
}

base::Result<Tombstones> DecodeTombstones(std::string_view data, const std::string& path) {
  auto bad = [&](std::string_view what) {
    return base::Corruption(fmt::format("{}: {}", path, what));
  };
  if (data.size() < 5 + 4) return bad("tombstones file too short");
  if (base::DecodeBE32(data.data()) != kTombstonesMagic) return bad("bad tombstones magic");
  if (static_cast<uint8_t>(data[4]) != kTombstonesVersion)
    return bad(fmt::format("unsupported tombstones version {}", static_cast<uint8_t>(data[4])));
  std::string_view body = data.substr(5, data.size() - 5 - 4);
  if (base::Crc32c(body) != base::DecodeBE32(data.data() + data.size() - 4))
    return bad("tombstones checksum mismatch");
  base::Decoder dec(body);
  Tombstones t;
  const uint64_t n = dec.Uvarint();
  if (n > body.size()) return bad("tombstones count too large");
  uint64_t ref = 0;
  for (uint64_t i = 0; i < n && dec.ok(); ++i) {
    ref += dec.Uvarint();
    const uint64_t nivs = dec.Uvarint();
    if (nivs > body.size()) return bad("tombstones interval count too large");
    for (uint64_t j = 0; j < nivs && dec.ok(); ++j) {
      const int64_t mint = dec.Varint();
      const uint64_t dur = dec.Uvarint();
      t.Add(ref, {mint, static_cast<int64_t>(static_cast<uint64_t>(mint) + dur)});
    }
  }
  if (!dec.ok() || !dec.empty()) return bad("malformed tombstones");
  return t;
}

base::Result<Tombstones> ReadTombstones(const std::string& dir) {
  const std::string path = dir + "/" + kTombstonesFileName;
  auto data = ReadFile(path);
  if (!data) {
    if (data.error().code() == base::StatusCode::kNotFound) return Tombstones();
    return data.error();
  }
  return DecodeTombstones(*data, path);
}

base::Status WriteTombstones(const std::string& dir, const Tombstones& t) {
  const std::string path = dir + "/" + kTombstonesFileName;
  RETURN_IF_ERROR(WriteFileSync(path + ".tmp", EncodeTombstones(t)));
  return RenameSync(path + ".tmp", path);
}

}  // namespace tsdb::block
