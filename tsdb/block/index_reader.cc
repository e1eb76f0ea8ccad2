#include "tsdb/block/index_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/coding.h"
#include "base/crc32c.h"
#include "tsdb/index/postings_for_matchers.h"

namespace tsdb::block {

base::Status IndexReader::Corrupt(std::string_view what) const {
  return base::Corruption(fmt::format("{}: {}", path_, what));
}

base::Result<std::unique_ptr<IndexReader>> IndexReader::Open(const std::string& path) {
  auto r = std::unique_ptr<IndexReader>(new IndexReader());
  r->path_ = path;
  ASSIGN_OR_RETURN(r->file_, MmapFile::Open(path));
  const std::string_view d = r->file_.data();
  if (d.size() < kIndexHeaderSize + kIndexTocSize)
    return r->Corrupt("index shorter than header and TOC");
  if (base::DecodeBE32(d.data()) != kIndexMagic) return r->Corrupt("bad index magic");
  if (static_cast<uint8_t>(d[4]) != kIndexVersion)
    return r->Corrupt(fmt::format("unsupported index version {}", static_cast<uint8_t>(d[4])));

  const char* toc = d.data() + d.size() - kIndexTocSize;
  if (base::Crc32cExtend(0, toc, kIndexTocSize - 4) != base::DecodeBE32(toc + kIndexTocSize - 4))
    return r->Corrupt("TOC checksum mismatch");
  const uint64_t symbols_off = base::DecodeBE64(toc);
  r->series_off_ = base::DecodeBE64(toc + 8);
  r->postings_off_ = base::DecodeBE64(toc + 16);
  r->label_index_off_ = base::DecodeBE64(toc + 24);
  r->all_off_ = base::DecodeBE64(toc + 32);
  const uint64_t toc_off = d.size() - kIndexTocSize;
  if (!(symbols_off == kIndexHeaderSize && symbols_off <= r->series_off_ &&
        r->series_off_ <= r->postings_off_ && r->postings_off_ <= r->label_index_off_ &&
        r->label_index_off_ < toc_off && r->all_off_ >= r->postings_off_ &&
        r->all_off_ < r->label_index_off_))
    return r->Corrupt("TOC section offsets out of order");

  // A section := len:u32be payload crc32c:u32be, ending before `limit`.
  auto section = [&](uint64_t off, uint64_t limit,
                     std::string_view name) -> base::Result<std::string_view> {
    if (limit - off < 8) return r->Corrupt(fmt::format("{} truncated", name));
    const uint64_t len = base::DecodeBE32(d.data() + off);
    if (len > limit - off - 8) return r->Corrupt(fmt::format("{} truncated", name));
    std::string_view payload(d.data() + off + 4, len);
    if (base::Crc32c(payload) != base::DecodeBE32(payload.data() + len))
      return r->Corrupt(fmt::format("{} checksum mismatch", name));
    return payload;
  };

  ASSIGN_OR_RETURN(std::string_view syms, section(symbols_off, r->series_off_, "symbol table"));
  base::Decoder dec(syms);
  const uint64_t nsyms = dec.Uvarint();
  if (nsyms > syms.size()) return r->Corrupt("symbol table count too large");
  r->symbols_.reserve(nsyms);
  for (uint64_t i = 0; i < nsyms && dec.ok(); ++i) r->symbols_.push_back(dec.UvarintBytes());
  if (!dec.ok() || !dec.empty()) return r->Corrupt("malformed symbol table");

  ASSIGN_OR_RETURN(std::string_view li, section(r->label_index_off_, toc_off, "label index"));
  dec = base::Decoder(li);
  const uint64_t nnames = dec.Uvarint();
  if (nnames > li.size()) return r->Corrupt("label index count too large");
  uint64_t off = r->postings_off_;
  auto sym = [&](uint64_t s, std::string_view* out) {
    if (s >= r->symbols_.size()) return false;
    *out = r->symbols_[s];
    return true;
  };
  for (uint64_t i = 0; i < nnames; ++i) {
    Name n;
    if (!sym(dec.Uvarint(), &n.name)) return r->Corrupt("label index names an unknown symbol");
    const uint64_t nvalues = dec.Uvarint();
    if (nvalues > li.size()) return r->Corrupt("label index value count too large");
    n.values.reserve(nvalues);
    for (uint64_t j = 0; j < nvalues; ++j) {
      Value v;
      if (!sym(dec.Uvarint(), &v.value)) return r->Corrupt("label index names an unknown symbol");
      off += dec.Uvarint();
      if (off >= r->label_index_off_) return r->Corrupt("label index postings offset out of range");
      v.postings_off = off;
      if (!n.values.empty() && n.values.back().value >= v.value)
        return r->Corrupt("label index values out of order");
      n.values.push_back(v);
    }
    if (!dec.ok()) return r->Corrupt("malformed label index");
    if (!r->names_.empty() && r->names_.back().name >= n.name)
      return r->Corrupt("label index names out of order");
    r->names_.push_back(std::move(n));
  }
  if (!dec.ok() || !dec.empty()) return r->Corrupt("malformed label index");
  // Parsing mapped the symbol table and label index (in the page cache's large folios, often
  // the whole file); queries map what they read again. An idle block costs no resident memory.
  r->file_.ReleaseResident();
  return r;
}

base::Status IndexReader::ReadPostings(uint64_t off, List* out) const {
  out->clear();
  const std::string_view d = file_.data();
  if (off < postings_off_ || off >= label_index_off_)
    return Corrupt(fmt::format("postings offset {} out of range", off));
  uint64_t len = 0;
  const char* end = d.data() + label_index_off_;
  const char* p = base::GetUvarint(d.data() + off, end, &len);
  if (p == nullptr || static_cast<uint64_t>(end - p) < 4 ||
      len > static_cast<uint64_t>(end - p) - 4)
    return Corrupt(fmt::format("postings at {} truncated", off));
  std::string_view payload(p, len);
  if (base::Crc32c(payload) != base::DecodeBE32(p + len))
    return Corrupt(fmt::format("postings at {}: checksum mismatch", off));
  base::Decoder dec(payload);
  const uint64_t n = dec.Uvarint();
  if (n > payload.size()) return Corrupt(fmt::format("postings at {}: count too large", off));
  out->reserve(n);
  uint64_t ref = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t delta = dec.Uvarint();
    if (i > 0 && delta == 0) return Corrupt(fmt::format("postings at {} not increasing", off));
    ref += delta;
    out->push_back(ref);
  }
  if (!dec.ok() || !dec.empty()) return Corrupt(fmt::format("postings at {} malformed", off));
  return base::Status::Ok();
}

const IndexReader::Name* IndexReader::FindName(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const Name& n, std::string_view s) { return n.name < s; });
  return it != names_.end() && it->name == name ? &*it : nullptr;
}

// Reads postings for PostingsForMatchers; the first error is kept in `status`.
struct IndexReader::Reader {
  using List = IndexReader::List;
  const IndexReader& r;
  mutable base::Status status;

  List Read(uint64_t off) const {
    List l;
    if (!status.ok()) return l;
    if (base::Status s = r.ReadPostings(off, &l); !s.ok()) {
      status = s;
      l.clear();
    }
    return l;
  }
  List MergeOffsets(const std::vector<uint64_t>& offs) const {
    if (offs.size() == 1) return Read(offs[0]);
    std::vector<List> lists;
    lists.reserve(offs.size());
    for (uint64_t o : offs) lists.push_back(Read(o));
    std::vector<std::span<const uint64_t>> spans(lists.begin(), lists.end());
    return index::MergeSorted<uint64_t>(std::move(spans));
  }
  List All() const { return Read(r.all_off_); }
  bool HasName(std::string_view name) const { return r.FindName(name) != nullptr; }
  template <typename Pred>
  List Matching(std::string_view name, const Pred& pred) const {
    const Name* n = r.FindName(name);
    if (n == nullptr) return {};
    std::vector<uint64_t> offs;
    for (const Value& v : n->values)
      if (pred(v.value)) offs.push_back(v.postings_off);
    return offs.empty() ? List{} : MergeOffsets(offs);
  }
  List ForValues(std::string_view name, const std::vector<std::string>& literals) const {
    const Name* n = r.FindName(name);
    if (n == nullptr) return {};
    std::vector<uint64_t> offs;
    for (const std::string& lit : literals) {
      auto it = std::lower_bound(n->values.begin(), n->values.end(), lit,
                                 [](const Value& v, std::string_view s) { return v.value < s; });
      if (it != n->values.end() && it->value == lit) offs.push_back(it->postings_off);
    }
    return offs.empty() ? List{} : MergeOffsets(offs);
  }
};

base::Result<IndexReader::List> IndexReader::Select(
    const std::vector<model::Matcher>& matchers) const {
  Reader reader{*this, {}};
  List refs = index::PostingsForMatchers(reader, matchers);
  if (!reader.status.ok()) return reader.status;
  return refs;
}

base::Status IndexReader::ReadSeries(uint64_t ref, SeriesEntry* out) const {
  const std::string_view d = file_.data();
  if (ref < series_off_ || ref >= postings_off_)
    return Corrupt(fmt::format("series ref {} out of range", ref));
  uint64_t len = 0;
  const char* end = d.data() + postings_off_;
  const char* p = base::GetUvarint(d.data() + ref, end, &len);
  if (p == nullptr || static_cast<uint64_t>(end - p) < 4 ||
      len > static_cast<uint64_t>(end - p) - 4)
    return Corrupt(fmt::format("series {} truncated", ref));
  std::string_view payload(p, len);
  if (base::Crc32c(payload) != base::DecodeBE32(p + len))
    return Corrupt(fmt::format("series {}: checksum mismatch", ref));
  base::Decoder dec(payload);
  const uint64_t nlabels = dec.Uvarint();
  if (nlabels == 0 || nlabels > payload.size())
    return Corrupt(fmt::format("series {}: bad label count", ref));
  std::vector<model::Label> labels;
  labels.reserve(nlabels);
  uint64_t prev_name = 0;
  for (uint64_t i = 0; i < nlabels; ++i) {
    const uint64_t n = dec.Uvarint(), v = dec.Uvarint();
    if (!dec.ok() || n >= symbols_.size() || v >= symbols_.size() || (i > 0 && n <= prev_name) ||
        symbols_[v].empty())
      return Corrupt(fmt::format("series {}: bad labels", ref));
    prev_name = n;
    labels.push_back({symbols_[n], symbols_[v]});
  }
  out->labels = model::Labels::FromSorted(labels);
  const uint64_t nchunks = dec.Uvarint();
  if (nchunks > payload.size()) return Corrupt(fmt::format("series {}: bad chunk count", ref));
  out->chunks.clear();
  out->chunks.reserve(nchunks);
  for (uint64_t i = 0; i < nchunks; ++i) {
    ChunkMeta c;
    const int64_t mint = dec.Varint();
    const uint64_t dur = dec.Uvarint();
    const int64_t cref = dec.Varint();
    if (i == 0) {
      c.min_time = mint;
      c.ref = static_cast<uint64_t>(cref);
    } else {
      c.min_time = static_cast<int64_t>(static_cast<uint64_t>(out->chunks.back().max_time) +
                                        static_cast<uint64_t>(mint));
      c.ref = out->chunks.back().ref + static_cast<uint64_t>(cref);
    }
    c.max_time = static_cast<int64_t>(static_cast<uint64_t>(c.min_time) + dur);
    out->chunks.push_back(c);
  }
  if (!dec.ok() || !dec.empty()) return Corrupt(fmt::format("series {} malformed", ref));
  return base::Status::Ok();
}

std::vector<std::string> IndexReader::LabelNames() const {
  std::vector<std::string> out;
  out.reserve(names_.size());
  for (const Name& n : names_) out.emplace_back(n.name);
  return out;
}

std::vector<std::string> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  if (const Name* n = FindName(name)) {
    out.reserve(n->values.size());
    for (const Value& v : n->values) out.emplace_back(v.value);
  }
  return out;
}

}  // namespace tsdb::block
