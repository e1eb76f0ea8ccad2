#include "alerting/nflog.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/coding.h"
#include "base/file_util.h"
#include "base/crc32c.h"
#include "base/quote.h"

namespace alerting {
namespace {

// nflog snapshot (docs/format/alertmanager_state.md):
//   file  := magic:u32be version:u8 count:uvarint entry*count crc32c:u32be
//   entry := group_name:str integration:str idx:uvarint group_key:str timestamp:varint
//            expires_at:varint n_firing:uvarint fp:u64be*n_firing n_resolved:uvarint
//            fp:u64be*n_resolved
//   str   := len:uvarint bytes
// The CRC32C covers every byte before it.
constexpr uint32_t kNflogMagic = 0x4e464c47;  // "NFLG"
constexpr uint8_t kNflogVersion = 1;

void PutString(std::string* out, std::string_view s) {
  base::PutUvarint(out, s.size());
  out->append(s);
}

bool Contains(const std::vector<uint64_t>& v, uint64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::string NflogReceiver::ToString() const {
  return "group_name:" + base::GoQuote(group_name) + " integration:" + base::GoQuote(integration) +
         " idx:" + std::to_string(idx);
}

bool NflogEntry::IsFiringSubset(const std::set<uint64_t>& subset) const {
  for (uint64_t fp : subset) {
    if (!Contains(firing_alerts, fp)) return false;
  }
  return true;
}

bool NflogEntry::IsResolvedSubset(const std::set<uint64_t>& subset) const {
  for (uint64_t fp : subset) {
    if (!Contains(resolved_alerts, fp)) return false;
  }
  return true;
}

Nflog::Nflog(const base::Clock& clock, Options options) : clock_(clock), options_(options) {}

void Nflog::Log(const NflogReceiver& receiver, const std::string& group_key,
                std::vector<uint64_t> firing, std::vector<uint64_t> resolved) {
  const int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  const std::string key = group_key + ":" + receiver.ToString();
  auto it = entries_.find(key);
  // Entry already exists: only overwrite if the timestamp is newer (clock drift).
  if (it != entries_.end() && it->second.timestamp > now) return;
  NflogEntry e;
  e.receiver = receiver;
  e.group_key = group_key;
  e.timestamp = now;
  e.firing_alerts = std::move(firing);
  e.resolved_alerts = std::move(resolved);
  e.expires_at = now + options_.retention.count();
  entries_[key] = std::move(e);
}

std::optional<NflogEntry> Nflog::Query(const NflogReceiver& receiver,
                                       const std::string& group_key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(group_key + ":" + receiver.ToString());
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

size_t Nflog::GC() {
  const int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  return std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires_at <= now; });
}

size_t Nflog::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

base::Status Nflog::SaveSnapshot(const std::string& path) const {
  std::string out;
  base::PutBE32(&out, kNflogMagic);
  out.push_back(static_cast<char>(kNflogVersion));
  {
    std::lock_guard lock(mu_);
    base::PutUvarint(&out, entries_.size());
    for (const auto& [key, e] : entries_) {
      PutString(&out, e.receiver.group_name);
      PutString(&out, e.receiver.integration);
      base::PutUvarint(&out, e.receiver.idx);
      PutString(&out, e.group_key);
      base::PutVarint(&out, e.timestamp);
      base::PutVarint(&out, e.expires_at);
      base::PutUvarint(&out, e.firing_alerts.size());
      for (uint64_t fp : e.firing_alerts) base::PutBE64(&out, fp);
      base::PutUvarint(&out, e.resolved_alerts.size());
      for (uint64_t fp : e.resolved_alerts) base::PutBE64(&out, fp);
    }
  }
  base::PutBE32(&out, base::Crc32c(out));
  return base::WriteFileAtomically(path, out);
}

base::Status Nflog::LoadSnapshot(const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> data, base::ReadFileIfExists(path));
  std::map<std::string, NflogEntry> entries;
  if (data.has_value()) {
    auto corrupt = [&](std::string_view what) {
      return base::Corruption("corrupt nflog snapshot " + path + ": " + std::string(what));
    };
    if (data->size() < 9) return corrupt("file too short");
    const std::string_view body(data->data(), data->size() - 4);
    if (base::DecodeBE32(data->data() + body.size()) != base::Crc32c(body)) {
      return corrupt("checksum mismatch");
    }
    base::Decoder d(body);
    if (d.BE32() != kNflogMagic) return corrupt("bad magic number");
    if (uint8_t v = d.Byte(); v != kNflogVersion) {
      return corrupt("unknown version " + std::to_string(v));
    }
    const uint64_t count = d.Uvarint();
    for (uint64_t i = 0; i < count && d.ok(); ++i) {
      NflogEntry e;
      e.receiver.group_name = std::string(d.UvarintBytes());
      e.receiver.integration = std::string(d.UvarintBytes());
      e.receiver.idx = static_cast<uint32_t>(d.Uvarint());
      e.group_key = std::string(d.UvarintBytes());
      e.timestamp = d.Varint();
      e.expires_at = d.Varint();
      const uint64_t nf = d.Uvarint();
      for (uint64_t j = 0; j < nf && d.ok(); ++j) e.firing_alerts.push_back(d.BE64());
      const uint64_t nr = d.Uvarint();
      for (uint64_t j = 0; j < nr && d.ok(); ++j) e.resolved_alerts.push_back(d.BE64());
      if (!d.ok()) break;
      const std::string key = e.group_key + ":" + e.receiver.ToString();
      entries[key] = std::move(e);
    }
    if (!d.ok()) return corrupt("truncated entry");
    if (!d.empty()) return corrupt("trailing bytes");
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(entries);
  return base::Status::Ok();
}

}  // namespace alerting
