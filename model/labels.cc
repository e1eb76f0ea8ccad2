#include "model/labels.h"

#include <algorithm>
#include <cstring>

#include "base/coding.h"

namespace model {
namespace {

constexpr uint64_t kP1 = 11400714785074694791ULL;
constexpr uint64_t kP2 = 14029467366897019727ULL;
constexpr uint64_t kP3 = 1609587929392839161ULL;
constexpr uint64_t kP4 = 9650029242287828579ULL;
constexpr uint64_t kP5 = 2870177450012600261ULL;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t Read64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Read32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t Round(uint64_t acc, uint64_t in) { return Rotl(acc + in * kP2, 31) * kP1; }
inline uint64_t Merge(uint64_t acc, uint64_t v) { return (acc ^ Round(0, v)) * kP1 + kP4; }

// Incremental xxHash64 so that labels can be hashed without first being copied together.
class XXH64 {
 public:
  explicit XXH64(uint64_t seed = 0)
      : v1_(seed + kP1 + kP2), v2_(seed + kP2), v3_(seed), v4_(seed - kP1), seed_(seed) {}
  void Update(const char* p, size_t n) {
    total_ += n;
    if (buf_len_ + n < 32) {
      std::memcpy(buf_ + buf_len_, p, n);
      buf_len_ += n;
      return;
    }
    if (buf_len_ > 0) {
      size_t fill = 32 - buf_len_;
      std::memcpy(buf_ + buf_len_, p, fill);
      Stripe(buf_);
      p += fill;
      n -= fill;
      buf_len_ = 0;
    }
    while (n >= 32) {
      Stripe(p);
      p += 32;
      n -= 32;
    }
    std::memcpy(buf_, p, n);
    buf_len_ = n;
  }
  uint64_t Digest() const {
    uint64_t h;
    if (total_ >= 32) {
      h = Rotl(v1_, 1) + Rotl(v2_, 7) + Rotl(v3_, 12) + Rotl(v4_, 18);
      h = Merge(h, v1_);
      h = Merge(h, v2_);
      h = Merge(h, v3_);
      h = Merge(h, v4_);
    } else {
      h = seed_ + kP5;
    }
    h += total_;
    const char* p = buf_;
    size_t n = buf_len_;
    while (n >= 8) {
      h ^= Round(0, Read64(p));
      h = Rotl(h, 27) * kP1 + kP4;
      p += 8;
      n -= 8;
    }
    if (n >= 4) {
      h ^= uint64_t{Read32(p)} * kP1;
      h = Rotl(h, 23) * kP2 + kP3;
      p += 4;
      n -= 4;
    }
    while (n > 0) {
      h ^= uint64_t{static_cast<uint8_t>(*p)} * kP5;
      h = Rotl(h, 11) * kP1;
      ++p;
      --n;
    }
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
  }

 private:
  void Stripe(const char* p) {
    v1_ = Round(v1_, Read64(p));
    v2_ = Round(v2_, Read64(p + 8));
    v3_ = Round(v3_, Read64(p + 16));
    v4_ = Round(v4_, Read64(p + 24));
  }
  uint64_t v1_, v2_, v3_, v4_, seed_;
  uint64_t total_ = 0;
  char buf_[32];
  size_t buf_len_ = 0;
};

constexpr char kSep = '\xff';

void AppendPair(std::string* out, std::string_view name, std::string_view value) {
  base::PutUvarint(out, name.size());
  out->append(name);
  base::PutUvarint(out, value.size());
  out->append(value);
}

uint64_t HashEncoded(std::string_view data) {
  XXH64 h;
  for (Labels::Iterator it(data.data(), data.data() + data.size()),
       end(data.data() + data.size(), data.data() + data.size());
       it != end; ++it) {
    h.Update(it->name.data(), it->name.size());
    h.Update(&kSep, 1);
    h.Update(it->value.data(), it->value.size());
    h.Update(&kSep, 1);
  }
  return h.Digest();
}

}  // namespace

uint64_t XXHash64(std::string_view data, uint64_t seed) {
  XXH64 h(seed);
  h.Update(data.data(), data.size());
  return h.Digest();
}

uint64_t HashPairs(const std::vector<Label>& sorted_pairs) {
  XXH64 h;
  for (const Label& l : sorted_pairs) {
    h.Update(l.name.data(), l.name.size());
    h.Update(&kSep, 1);
    h.Update(l.value.data(), l.value.size());
    h.Update(&kSep, 1);
  }
  return h.Digest();
}

void Labels::Iterator::Decode() {
  if (p_ >= end_) {
    p_ = end_;
    return;
  }
  // The encoding is produced only by this file; lengths are trusted.
  uint64_t n = 0;
  const char* q = base::GetUvarint(p_, end_, &n);
  cur_.name = std::string_view(q, n);
  q += n;
  q = base::GetUvarint(q, end_, &n);
  cur_.value = std::string_view(q, n);
  next_ = q + n;
}

Labels::Labels(std::string data) : data_(std::move(data)), hash_(HashEncoded(data_)) {}

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  std::vector<Label> v;
  v.reserve(pairs.size());
  for (const auto& [n, val] : pairs) v.push_back({n, val});
  *this = FromVector(std::move(v));
}

Labels Labels::FromVector(std::vector<Label> pairs) {
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  std::erase_if(pairs, [](const Label& l) { return l.value.empty(); });
  return FromSorted(pairs);
}

Labels Labels::FromSorted(const std::vector<Label>& pairs) {
  size_t n = 0;
  for (const Label& l : pairs) n += l.name.size() + l.value.size() + 4;
  std::string data;
  data.reserve(n);
  for (const Label& l : pairs) AppendPair(&data, l.name, l.value);
  return Labels(std::move(data), HashPairs(pairs));
}

size_t Labels::size() const {
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

std::string_view Labels::Get(std::string_view name) const {
  for (const Label& l : *this) {
    if (l.name == name) return l.value;
    if (l.name > name) break;
  }
  return {};
}

bool Labels::Has(std::string_view name) const {
  for (const Label& l : *this) {
    if (l.name == name) return true;
    if (l.name > name) break;
  }
  return false;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  auto p = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = s.size(), i = 0;
  // Label values are nearly always ASCII: skip it eight bytes at a time.
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

base::Status Labels::Validate() const {
  std::string_view prev;
  bool first = true;
  for (const Label& l : *this) {
    if (!first && l.name == prev)
      return base::InvalidArgument("duplicate label name \"" + std::string(l.name) + "\"");
    if (!IsValidLabelName(l.name))
      return base::InvalidArgument("invalid label name \"" + std::string(l.name) + "\"");
    if (l.name == kMetricName && !IsValidMetricName(l.value))
      return base::InvalidArgument("invalid metric name \"" + std::string(l.value) + "\"");
    if (!IsValidUtf8(l.value))
      return base::InvalidArgument("invalid UTF-8 in value of label \"" + std::string(l.name) +
                                   "\"");
    prev = l.name;
    first = false;
  }
  return base::Status::Ok();
}

std::string Labels::ToString() const {
  std::string out = "{";
  bool first = true;
  for (const Label& l : *this) {
    if (!first) out += ", ";
    first = false;
    out.append(l.name);
    out += "=\"";
    for (char c : l.value) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out.push_back(c);
    }
    out += "\"";
  }
  out += "}";
  return out;
}

int Labels::Compare(const Labels& a, const Labels& b) {
  auto ia = a.begin(), ib = b.begin();
  for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
    if (int c = ia->name.compare(ib->name); c != 0) return c < 0 ? -1 : 1;
    if (int c = ia->value.compare(ib->value); c != 0) return c < 0 ? -1 : 1;
  }
  if (ia != a.end()) return 1;
  if (ib != b.end()) return -1;
  return 0;
}

void LabelsBuilder::Reset(const Labels& base) {
  pairs_.clear();
  for (const Label& l : base) pairs_.emplace_back(l.name, l.value);
}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const auto& p, std::string_view n) { return p.first < n; });
  if (it != pairs_.end() && it->first == name) {
    it->second = value;
  } else {
    pairs_.emplace(it, std::string(name), std::string(value));
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  std::erase_if(pairs_, [&](const auto& p) { return p.first == name; });
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  for (const auto& [n, v] : pairs_)
    if (n == name) return v;
  return {};
}

Labels LabelsBuilder::Build() const {
  std::vector<Label> v;
  v.reserve(pairs_.size());
  for (const auto& [n, val] : pairs_) v.push_back({n, val});
  return Labels::FromSorted(v);
}

}  // namespace model
