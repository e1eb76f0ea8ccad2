#include "tsdb/block/meta.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <variant>

#include "base/json_reader.h"
#include "base/json_writer.h"
#include "tsdb/block/file_util.h"

namespace tsdb::block {
namespace {

using base::JsonValue;

// The member `key` of an object (the last one, as Go's decoder keeps), or null.
const JsonValue* Get(const JsonValue& j, std::string_view key) {
  if (j.kind != JsonValue::Kind::kObject) return nullptr;
  const JsonValue* found = nullptr;
  for (const auto& [k, v] : j.object)
    if (k == key) found = &v;
  return found;
}

bool GetInt(const JsonValue& j, const char* key, int64_t* out, bool required) {
  const JsonValue* f = Get(j, key);
  if (f == nullptr) return !required;
  if (f->kind != JsonValue::Kind::kNumber) return false;
  const std::string& t = f->text;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && p == t.data() + t.size();
}

bool GetUint(const JsonValue& j, const char* key, uint64_t* out) {
  int64_t v = 0;
  if (!GetInt(j, key, &v, false) || v < 0) return false;
  if (Get(j, key) != nullptr) *out = static_cast<uint64_t>(v);
  return true;
}

const std::string* GetString(const JsonValue& j, const char* key) {
  const JsonValue* f = Get(j, key);
  return f == nullptr || f->kind != JsonValue::Kind::kString ? nullptr : &f->text;
}

base::Status Bad(std::string_view what) {
  return base::Corruption(fmt::format("meta.json: {}", what));
}

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string EncodeMeta(const BlockMeta& m) {
  std::string o;
  o += "{\n";
  o += fmt::format("\t\"ulid\": \"{}\",\n", m.ulid);
  o += fmt::format("\t\"minTime\": {},\n\t\"maxTime\": {},\n", m.min_time, m.max_time);
  o += fmt::format(
      "\t\"stats\": {{\n\t\t\"numSamples\": {},\n\t\t\"numSeries\": {},\n\t\t\"numChunks\": {}",
      m.stats.num_samples, m.stats.num_series, m.stats.num_chunks);
  if (m.stats.num_tombstones > 0)
    o += fmt::format(",\n\t\t\"numTombstones\": {}", m.stats.num_tombstones);
  o += "\n\t},\n";
  o += fmt::format("\t\"compaction\": {{\n\t\t\"level\": {}", m.compaction.level);
  if (m.compaction.deletable) o += ",\n\t\t\"deletable\": true";
  if (!m.compaction.sources.empty()) {
    o += ",\n\t\t\"sources\": [";
    for (size_t i = 0; i < m.compaction.sources.size(); ++i) {
      o += i == 0 ? "\n" : ",\n";
      o += "\t\t\t";
      base::AppendJsonString(&o, m.compaction.sources[i]);
    }
    o += "\n\t\t]";
  }
  if (!m.compaction.parents.empty()) {
    o += ",\n\t\t\"parents\": [";
    for (size_t i = 0; i < m.compaction.parents.size(); ++i) {
      const BlockDesc& p = m.compaction.parents[i];
      o += i == 0 ? "\n" : ",\n";
      o += "\t\t\t{\n\t\t\t\t\"ulid\": ";
      base::AppendJsonString(&o, p.ulid);
      o += fmt::format(",\n\t\t\t\t\"minTime\": {},\n\t\t\t\t\"maxTime\": {}\n\t\t\t}}", p.min_time,
                       p.max_time);
    }
    o += "\n\t\t]";
  }
  o += "\n\t},\n";
  o += fmt::format("\t\"version\": {}\n}}\n", m.version);
  return o;
}

base::Result<BlockMeta> DecodeMeta(std::string_view text) {
  auto parsed = base::ParseJson(text);
  if (!parsed) return Bad("malformed JSON: " + parsed.error().message());
  const JsonValue& j = *parsed;
  if (j.kind != JsonValue::Kind::kObject) return Bad("not a JSON object");
  BlockMeta m;
  int64_t version = 0;
  if (!GetInt(j, "version", &version, true)) return Bad("missing or invalid version");
  if (version != kMetaVersion) return Bad(fmt::format("unsupported version {}", version));
  m.version = static_cast<int>(version);
  const std::string* ulid = GetString(j, "ulid");
  if (ulid == nullptr || !ParseUlid(*ulid).ok()) return Bad("missing or invalid ulid");
  m.ulid = *ulid;
  if (!GetInt(j, "minTime", &m.min_time, true) || !GetInt(j, "maxTime", &m.max_time, true))
    return Bad("missing or invalid minTime/maxTime");
  if (m.min_time >= m.max_time) return Bad("minTime not before maxTime");
  if (const JsonValue* st = Get(j, "stats"); st != nullptr) {
    if (!GetUint(*st, "numSamples", &m.stats.num_samples) ||
        !GetUint(*st, "numSeries", &m.stats.num_series) ||
        !GetUint(*st, "numChunks", &m.stats.num_chunks) ||
        !GetUint(*st, "numTombstones", &m.stats.num_tombstones))
      return Bad("invalid stats");
  }
  if (const JsonValue* c = Get(j, "compaction"); c != nullptr) {
    int64_t level = 1;
    if (!GetInt(*c, "level", &level, false) || level < 1 || level > 1 << 20)
      return Bad("invalid compaction level");
    m.compaction.level = static_cast<int>(level);
    if (const JsonValue* d = Get(*c, "deletable"); d != nullptr) {
      if (d->kind != JsonValue::Kind::kBool) return Bad("invalid compaction deletable");
      m.compaction.deletable = d->boolean;
    }
    if (const JsonValue* s = Get(*c, "sources"); s != nullptr) {
      if (s->kind != JsonValue::Kind::kArray) return Bad("invalid compaction sources");
      for (const JsonValue& e : s->array) {
        if (e.kind != JsonValue::Kind::kString || !ParseUlid(e.text).ok())
          return Bad("invalid compaction source");
        m.compaction.sources.push_back(e.text);
      }
    }
    if (const JsonValue* p = Get(*c, "parents"); p != nullptr) {
      if (p->kind != JsonValue::Kind::kArray) return Bad("invalid compaction parents");
      for (const JsonValue& e : p->array) {
        BlockDesc d;
        const std::string* u = GetString(e, "ulid");
        if (u == nullptr || !GetInt(e, "minTime", &d.min_time, true) ||
            !GetInt(e, "maxTime", &d.max_time, true))
          return Bad("invalid compaction parent");
        d.ulid = *u;
        m.compaction.parents.push_back(std::move(d));
      }
    }
  }
  return m;
}

base::Result<BlockMeta> ReadMeta(const std::string& dir) {
  const std::string path = dir + "/meta.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto m = DecodeMeta(text);
  if (!m) return m.error().WithPrefix(dir);
  return m;
}

base::Status WriteMeta(const std::string& dir, const BlockMeta& meta) {
  const std::string tmp = dir + "/meta.json.tmp";
  RETURN_IF_ERROR(WriteFileSync(tmp, EncodeMeta(meta)));
  return RenameSync(tmp, dir + "/meta.json");
}

// A ULID's 26 digits are the 128 bits prefixed by two zero bits, five bits a digit.
std::string EncodeUlid(const UlidBytes& b) {
  auto bit = [&](int k) -> unsigned {  // bit k of the 130-bit string, most significant first
    if (k < 2) return 0;
    k -= 2;
    return (b[static_cast<size_t>(k / 8)] >> (7 - k % 8)) & 1u;
  };
  std::string out(26, '0');
  for (int i = 0; i < 26; ++i) {
    unsigned d = 0;
    for (int j = 0; j < 5; ++j) d = (d << 1) | bit(5 * i + j);
    out[static_cast<size_t>(i)] = kCrockford[d];
  }
  return out;
}

base::Result<UlidBytes> ParseUlid(std::string_view s) {
  if (s.size() != 26)
    return base::InvalidArgument(fmt::format("invalid ulid \"{}\": not 26 characters", s));
  UlidBytes b{};
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const char* p = std::find(kCrockford, kCrockford + 32, c);
    if (p == kCrockford + 32 || c == '\0')
      return base::InvalidArgument(fmt::format("invalid ulid \"{}\": bad character", s));
    const unsigned d = static_cast<unsigned>(p - kCrockford);
    if (i == 0 && d > 7)
      return base::InvalidArgument(fmt::format("invalid ulid \"{}\": overflows 128 bits", s));
    for (int j = 0; j < 5; ++j) {
      int k = static_cast<int>(5 * i) + j - 2;
      if (k < 0 || ((d >> (4 - j)) & 1u) == 0) continue;
      b[static_cast<size_t>(k / 8)] =
          static_cast<uint8_t>(b[static_cast<size_t>(k / 8)] | (0x80 >> (k % 8)));
    }
  }
  return b;
}

int64_t UlidTime(const UlidBytes& b) {
  int64_t t = 0;
  for (int i = 0; i < 6; ++i) t = (t << 8) | b[static_cast<size_t>(i)];
  return t;
}

UlidGenerator::UlidGenerator(const base::Clock& clock, uint64_t seed) : clock_(clock), rng_(seed) {}

std::string UlidGenerator::Next() {
  std::lock_guard lock(mu_);
  const int64_t now = std::max<int64_t>(0, clock_.NowMs()) & ((int64_t{1} << 48) - 1);
  UlidBytes b;
  if (has_last_ && now <= UlidTime(last_)) {
    // Same millisecond or the clock went back: the previous ULID plus one keeps the order.
    b = last_;
    for (int i = 15; i >= 0; --i)
      if (++b[static_cast<size_t>(i)] != 0) break;
  } else {
    for (int i = 0; i < 6; ++i)
      b[static_cast<size_t>(i)] = static_cast<uint8_t>(now >> (40 - 8 * i));
    uint64_t r1 = rng_(), r2 = rng_();
    for (int i = 0; i < 8; ++i) b[static_cast<size_t>(6 + i)] = static_cast<uint8_t>(r1 >> (8 * i));
    b[14] = static_cast<uint8_t>(r2);
    b[15] = static_cast<uint8_t>(r2 >> 8);
  }
  last_ = b;
  has_last_ = true;
  return EncodeUlid(b);
}

}  // namespace tsdb::block
