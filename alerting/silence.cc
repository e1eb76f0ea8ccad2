#include "alerting/silence.h"

#include <re2/re2.h>

#include <cstdio>

#include "base/coding.h"
#include "base/file_util.h"
#include "base/crc32c.h"
#include "model/matcher.h"

namespace alerting {
namespace {

bool IsRegex(MatchType t) { return t == MatchType::kRegexMatch || t == MatchType::kRegexNoMatch; }

// silence.go matchesEmpty: only = and =~ count (a != or !~ matcher is treated as not matching
// the empty string, as Alertmanager does).
bool MatchesEmpty(const SilenceMatcher& m) {
  switch (m.type) {
    case MatchType::kEqual:
      return m.pattern.empty();
    case MatchType::kRegexMatch: {
      auto re = CompileGoRegexp(m.pattern);
      return re.has_value() && RE2::PartialMatch("", **re);
    }
    default:
      return false;
  }
}

// silence.go canUpdate: whether `b` may replace `a` in place at `now`.
bool CanUpdate(const Silence& a, const Silence& b, int64_t now) {
  if (a.matchers != b.matchers) return false;
  switch (StateAt(a, now)) {
    case SilenceState::kActive: {
      auto unix = [](int64_t ms) { return ms / 1000 - (ms % 1000 < 0); };
      if (unix(b.starts_at) != unix(a.starts_at)) return false;
      if (b.ends_at < now) return false;
      return true;
    }
    case SilenceState::kPending:
      return b.starts_at >= now;
    case SilenceState::kExpired:
      return false;
  }
  return false;
}

// Silences snapshot (docs/format/alertmanager_state.md):
//   file    := magic:u32be version:u8 count:uvarint silence*count crc32c:u32be
//   silence := id:str n_matchers:uvarint matcher*n_matchers starts_at:varint ends_at:varint
//              updated_at:varint created_by:str comment:str
//   matcher := type:u8 (0 =, 1 !=, 2 =~, 3 !~) name:str pattern:str
//   str     := len:uvarint bytes
// Times are ms since the epoch; the CRC32C covers every byte before it.
constexpr uint32_t kSilencesMagic = 0x53494c53;  // "SILS"
constexpr uint8_t kSilencesVersion = 1;

uint8_t MatchTypeCode(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return 0;
    case MatchType::kNotEqual:
      return 1;
    case MatchType::kRegexMatch:
      return 2;
    case MatchType::kRegexNoMatch:
      return 3;
  }
  return 0;
}

void PutString(std::string* out, std::string_view s) {
  base::PutUvarint(out, s.size());
  out->append(s);
}

}  // namespace

std::string_view SilenceStateName(SilenceState s) {
  switch (s) {
    case SilenceState::kPending:
      return "pending";
    case SilenceState::kActive:
      return "active";
    case SilenceState::kExpired:
      return "expired";
  }
  return "";
}

SilenceState StateAt(const Silence& s, int64_t now_ms) {
  if (now_ms < s.starts_at) return SilenceState::kPending;
  if (now_ms >= s.ends_at) return SilenceState::kExpired;
  return SilenceState::kActive;
}

base::Status ValidateSilenceMatcher(const SilenceMatcher& m) {
  if (!model::IsValidLabelName(m.name)) {
    return base::InvalidArgument("invalid label name " + model::GoQuote(m.name));
  }
  if (IsRegex(m.type)) {
    auto re = CompileGoRegexp(m.pattern);
    if (!re.has_value()) {
      return base::InvalidArgument("invalid regular expression " + model::GoQuote(m.pattern) +
                                   ": " + re.error().message());
    }
  } else if (!model::IsValidUtf8(m.pattern)) {
    return base::InvalidArgument("invalid label value " + model::GoQuote(m.pattern));
  }
  return base::Status::Ok();
}

base::Status ValidateSilence(const Silence& s) {
  if (s.id.empty()) return base::InvalidArgument("ID missing");
  if (s.matchers.empty()) return base::InvalidArgument("at least one matcher required");
  bool all_match_empty = true;
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    if (base::Status st = ValidateSilenceMatcher(s.matchers[i]); !st.ok()) {
      return base::InvalidArgument("invalid label matcher " + std::to_string(i) + ": " +
                                   st.message());
    }
    all_match_empty = all_match_empty && MatchesEmpty(s.matchers[i]);
  }
  if (all_match_empty) {
    return base::InvalidArgument("at least one matcher must not match the empty string");
  }
  if (s.starts_at == 0) return base::InvalidArgument("invalid zero start timestamp");
  if (s.ends_at == 0) return base::InvalidArgument("invalid zero end timestamp");
  if (s.ends_at < s.starts_at)
    return base::InvalidArgument("end time must not be before start time");
  if (s.updated_at == 0) return base::InvalidArgument("invalid zero update timestamp");
  return base::Status::Ok();
}

Silences::Silences(const base::Clock& clock, Options options)
    : clock_(clock), options_(options), rng_(std::random_device{}()) {}

std::string Silences::NewId() {
  // A random (version 4) UUID, as Alertmanager's silence ids.
  uint64_t hi = rng_(), lo = rng_();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

base::Status Silences::Store(Silence s, int64_t now) {
  s.updated_at = now;
  Entry e;
  for (const SilenceMatcher& m : s.matchers) {
    ASSIGN_OR_RETURN(Matcher compiled, Matcher::Make(m.type, m.name, m.pattern));
    e.matchers.push_back(std::move(compiled));
  }
  e.expires_at = s.ends_at + options_.retention.count();
  std::string id = s.id;
  e.silence = std::move(s);
  silences_[id] = std::move(e);
  ++version_;
  return base::Status::Ok();
}

base::Result<std::string> Silences::Set(Silence s) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMs();
  const Entry* prev = nullptr;
  if (!s.id.empty()) {
    auto it = silences_.find(s.id);
    if (it == silences_.end()) return base::NotFound("silence not found");
    prev = &it->second;
  }
  const bool in_place = prev != nullptr && CanUpdate(prev->silence, s, now);
  Silence candidate = s;
  candidate.updated_at = now;
  if (!in_place) {
    candidate.id = NewId();
    if (candidate.starts_at < now) candidate.starts_at = now;
  }
  if (base::Status st = ValidateSilence(candidate); !st.ok()) {
    return base::InvalidArgument("silence invalid: " + st.message());
  }
  if (prev != nullptr && !in_place && StateAt(prev->silence, now) != SilenceState::kExpired) {
    Silence old = prev->silence;
    if (StateAt(old, now) == SilenceState::kPending) old.starts_at = now;
    old.ends_at = now;
    RETURN_IF_ERROR(Store(std::move(old), now));
  }
  std::string id = candidate.id;
  RETURN_IF_ERROR(Store(std::move(candidate), now));
  return id;
}

base::Status Silences::Expire(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return base::NotFound("silence not found");
  const int64_t now = clock_.NowMs();
  Silence s = it->second.silence;
  switch (StateAt(s, now)) {
    case SilenceState::kExpired:
      return base::Status::Ok();
    case SilenceState::kActive:
      s.ends_at = now;
      break;
    case SilenceState::kPending:
      s.starts_at = now;
      s.ends_at = now;
      break;
  }
  return Store(std::move(s), now);
}

base::Result<Silence> Silences::Get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return base::NotFound("silence not found");
  return it->second.silence;
}

std::vector<Silence> Silences::Query(const std::vector<SilenceState>& states,
                                     const model::Labels* labels) const {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMs();
  std::vector<Silence> out;
  for (const auto& [id, e] : silences_) {
    if (!states.empty() &&
        std::find(states.begin(), states.end(), StateAt(e.silence, now)) == states.end()) {
      continue;
    }
    if (labels != nullptr && !MatchesAll(e.matchers, *labels)) continue;
    out.push_back(e.silence);
  }
  return out;
}

std::vector<std::string> Silences::ActiveFor(const model::Labels& labels) const {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMs();
  std::vector<std::string> ids;
  for (const auto& [id, e] : silences_) {
    if (StateAt(e.silence, now) == SilenceState::kActive && MatchesAll(e.matchers, labels)) {
      ids.push_back(id);
    }
  }
  return ids;
}

bool Silences::Mutes(const model::Labels& labels) const { return !ActiveFor(labels).empty(); }

size_t Silences::GC() {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMs();
  return std::erase_if(silences_, [&](const auto& kv) { return kv.second.expires_at <= now; });
}

uint64_t Silences::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

base::Status Silences::SaveSnapshot(const std::string& path) const {
  std::string out;
  base::PutBE32(&out, kSilencesMagic);
  out.push_back(static_cast<char>(kSilencesVersion));
  {
    std::lock_guard lock(mu_);
    base::PutUvarint(&out, silences_.size());
    for (const auto& [id, e] : silences_) {
      const Silence& s = e.silence;
      PutString(&out, s.id);
      base::PutUvarint(&out, s.matchers.size());
      for (const SilenceMatcher& m : s.matchers) {
        out.push_back(static_cast<char>(MatchTypeCode(m.type)));
        PutString(&out, m.name);
        PutString(&out, m.pattern);
      }
      base::PutVarint(&out, s.starts_at);
      base::PutVarint(&out, s.ends_at);
      base::PutVarint(&out, s.updated_at);
      PutString(&out, s.created_by);
      PutString(&out, s.comment);
    }
  }
  base::PutBE32(&out, base::Crc32c(out));
  return base::WriteFileAtomically(path, out);
}

base::Status Silences::LoadSnapshot(const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> data, base::ReadFileIfExists(path));
  if (!data.has_value()) return base::Status::Ok();
  auto corrupt = [&](std::string_view what) {
    return base::Corruption("corrupt silences snapshot " + path + ": " + std::string(what));
  };
  if (data->size() < 9) return corrupt("file too short");
  const std::string_view body(data->data(), data->size() - 4);
  if (base::DecodeBE32(data->data() + body.size()) != base::Crc32c(body)) {
    return corrupt("checksum mismatch");
  }
  base::Decoder d(body);
  if (d.BE32() != kSilencesMagic) return corrupt("bad magic number");
  if (uint8_t v = d.Byte(); v != kSilencesVersion) {
    return corrupt("unknown version " + std::to_string(v));
  }
  std::map<std::string, Entry> loaded;
  const uint64_t count = d.Uvarint();
  for (uint64_t i = 0; i < count && d.ok(); ++i) {
    Entry e;
    Silence& s = e.silence;
    s.id = std::string(d.UvarintBytes());
    const uint64_t n = d.Uvarint();
    for (uint64_t j = 0; j < n && d.ok(); ++j) {
      SilenceMatcher m;
      const uint8_t type = d.Byte();
      if (type > 3) return corrupt("unknown matcher type " + std::to_string(type));
      static constexpr MatchType kTypes[] = {MatchType::kEqual, MatchType::kNotEqual,
                                             MatchType::kRegexMatch, MatchType::kRegexNoMatch};
      m.type = kTypes[type];
      m.name = std::string(d.UvarintBytes());
      m.pattern = std::string(d.UvarintBytes());
      s.matchers.push_back(std::move(m));
    }
    s.starts_at = d.Varint();
    s.ends_at = d.Varint();
    s.updated_at = d.Varint();
    s.created_by = std::string(d.UvarintBytes());
    s.comment = std::string(d.UvarintBytes());
    if (!d.ok()) break;
    for (const SilenceMatcher& m : s.matchers) {
      auto compiled = Matcher::Make(m.type, m.name, m.pattern);
      if (!compiled.has_value()) {
        return corrupt("silence " + s.id + ": " + compiled.error().message());
      }
      e.matchers.push_back(std::move(*compiled));
    }
    e.expires_at = s.ends_at + options_.retention.count();
    std::string id = s.id;
    loaded[id] = std::move(e);
  }
  if (!d.ok()) return corrupt("truncated silence");
  if (!d.empty()) return corrupt("trailing bytes");
  std::lock_guard lock(mu_);
  silences_ = std::move(loaded);
  ++version_;
  return base::Status::Ok();
}

}  // namespace alerting
