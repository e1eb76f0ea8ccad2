#include "model/relabel.h"

#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>

#include "base/quote.h"
#include "model/matcher.h"
#include "model/regexp_error.h"

namespace model {
namespace {

// ---- UTF-8 and Unicode case, as Go's unicode and strings packages --------------------------

// The rune at s[i] and its width, as Go's utf8.DecodeRuneInString (invalid bytes: U+FFFD, 1).
std::pair<char32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  int32_t r = 0;
  const size_t w = base::DecodeRune(s, i, &r);
  return {static_cast<char32_t>(r), w};
}

// glibc's C.UTF-8 locale carries the Unicode simple case mappings and character classes that
// Go's unicode.ToLower/ToUpper/IsLetter use. Created once, never changed; nullptr when the C
// library lacks it (then only ASCII is mapped).
locale_t UnicodeLocale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return l;
  }();
  return loc;
}

char32_t MapRune(char32_t r, bool upper) {
  if (r < 0x80) {
    if (upper && r >= 'a' && r <= 'z') return r - ('a' - 'A');
    if (!upper && r >= 'A' && r <= 'Z') return r + ('a' - 'A');
    return r;
  }
  const locale_t loc = UnicodeLocale();
  if (loc == nullptr) return r;
  const auto w = static_cast<wint_t>(r);
  return static_cast<char32_t>(upper ? towupper_l(w, loc) : towlower_l(w, loc));
}

// strings.ToLower / strings.ToUpper: ASCII fast path, otherwise rune by rune with invalid
// bytes becoming U+FFFD.
std::string MapCase(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto [r, w] = DecodeRune(s, i);
    base::AppendRune(&out, static_cast<int32_t>(MapRune(r, upper)));
    i += w;
  }
  return out;
}

// unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_', the characters of a name in Expand.
bool IsNameRune(char32_t r) {
  if (r < 0x80)
    return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  if (r == static_cast<char32_t>(base::kRuneError)) return false;
  const locale_t loc = UnicodeLocale();
  return loc != nullptr && iswalnum_l(static_cast<wint_t>(r), loc);
}

// Go regexp's extract(): parses a group reference after '$'. On success sets `name`, `num`
// (the group index, or -1 for a named reference) and the bytes consumed.
bool ExtractReference(std::string_view s, std::string_view* name, int* num, size_t* consumed) {
  if (s.empty()) return false;
  bool brace = false;
  size_t start = 0;
  if (s[0] == '{') {
    brace = true;
    start = 1;
  }
  size_t i = start;
  while (i < s.size()) {
    const auto [r, w] = DecodeRune(s, i);
    if (!IsNameRune(r)) break;
    i += w;
  }
  if (i == start) return false;
  *name = s.substr(start, i - start);
  if (brace) {
    if (i >= s.size() || s[i] != '}') return false;
    ++i;
  }
  int n = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || n >= 100000000) {
      n = -1;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) n = -1;
  *num = n;
  *consumed = i;
  return true;
}


RE2::Options RegexOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(false);  // relabel.NewRegexp in 2.42: "^(?:" + s + ")$", no (?s)
  o.set_max_mem(64 << 20);
  return o;
}

// relabelTarget of relabel.go: a label name that may contain $1, ${1}, $name references.
bool IsValidTemplateTarget(std::string_view s) {
  static const RE2 re(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)", RegexOptions());
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

// The label set being relabeled: sorted by name, no empty values, as Go's labels.Builder.
class Builder {
 public:
  explicit Builder(const Labels& base) {
    pairs_.reserve(base.size() + 2);
    for (const Label& l : base) pairs_.emplace_back(std::string(l.name), std::string(l.value));
  }
  std::string_view Get(std::string_view name) const {
    auto it = Find(name);
    return it != pairs_.end() && it->first == name ? std::string_view(it->second)
                                                   : std::string_view();
  }
  void Set(std::string_view name, std::string_view value) {
    if (value.empty()) {
      Del(name);
      return;
    }
    auto it = Find(name);
    if (it != pairs_.end() && it->first == name) {
      it->second.assign(value);
    } else {
      pairs_.emplace(it, std::string(name), std::string(value));
    }
  }
  void Del(std::string_view name) {
    auto it = Find(name);
    if (it != pairs_.end() && it->first == name) pairs_.erase(it);
  }
  // A copy of the current pairs, for the actions that iterate while changing the set.
  std::vector<std::pair<std::string, std::string>> Snapshot() const { return pairs_; }
  Labels Build() const {
    std::vector<Label> v;
    v.reserve(pairs_.size());
    for (const auto& [n, val] : pairs_) v.push_back({n, val});
    return Labels::FromSorted(v);
  }

 private:
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  Pairs::iterator Find(std::string_view name) {
    return std::lower_bound(pairs_.begin(), pairs_.end(), name,
                            [](const auto& p, std::string_view n) { return p.first < n; });
  }
  Pairs::const_iterator Find(std::string_view name) const {
    return std::lower_bound(pairs_.begin(), pairs_.end(), name,
                            [](const auto& p, std::string_view n) { return p.first < n; });
  }
  Pairs pairs_;
};

// Applies one rule; false when it drops the label set. Same as relabel.go relabel().
bool Apply(const RelabelConfig& cfg, Builder* lb, std::string* val,
           std::vector<std::string_view>* groups) {
  val->clear();
  for (size_t i = 0; i < cfg.source_labels.size(); ++i) {
    if (i > 0) val->append(cfg.separator);
    val->append(lb->Get(cfg.source_labels[i]));
  }
  switch (cfg.action) {
    case RelabelAction::kDrop:
      return !cfg.regex.Matches(*val);
    case RelabelAction::kKeep:
      return cfg.regex.Matches(*val);
    case RelabelAction::kDropEqual:
      return lb->Get(cfg.target_label) != *val;
    case RelabelAction::kKeepEqual:
      return lb->Get(cfg.target_label) == *val;
    case RelabelAction::kReplace: {
      if (!cfg.regex.Match(*val, groups)) return true;  // no match, no replacement
      std::string target;
      cfg.regex.Expand(cfg.target_label, *groups, &target);
      if (!IsValidLabelName(target)) return true;
      std::string res;
      cfg.regex.Expand(cfg.replacement, *groups, &res);
      if (res.empty()) {
        lb->Del(target);
      } else {
        lb->Set(target, res);
      }
      return true;
    }
    case RelabelAction::kLowercase:
      lb->Set(cfg.target_label, MapCase(*val, false));
      return true;
    case RelabelAction::kUppercase:
      lb->Set(cfg.target_label, MapCase(*val, true));
      return true;
    case RelabelAction::kHashMod: {
      const std::array<uint8_t, 16> sum = Md5(*val);
      uint64_t h = 0;
      for (size_t i = 8; i < 16; ++i) h = (h << 8) | sum[i];  // big-endian, last 8 bytes
      lb->Set(cfg.target_label, std::to_string(h % cfg.modulus));
      return true;
    }
    case RelabelAction::kLabelMap:
      for (const auto& [name, value] : lb->Snapshot()) {
        if (!cfg.regex.Match(name, groups)) continue;
        std::string res;
        cfg.regex.Expand(cfg.replacement, *groups, &res);
        lb->Set(res, value);
      }
      return true;
    case RelabelAction::kLabelDrop:
      for (const auto& [name, value] : lb->Snapshot())
        if (cfg.regex.Matches(name)) lb->Del(name);
      return true;
    case RelabelAction::kLabelKeep:
      for (const auto& [name, value] : lb->Snapshot())
        if (!cfg.regex.Matches(name)) lb->Del(name);
      return true;
  }
  return true;
}

// ---- MD5 (RFC 1321) -------------------------------------------------------------------------

uint32_t Rotl32(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

const std::array<uint32_t, 64>& Md5Constants() {
  // K[i] = floor(|sin(i + 1)| * 2^32), exact in double precision.
  static const std::array<uint32_t, 64> k = [] {
    std::array<uint32_t, 64> t{};
    for (int i = 0; i < 64; ++i)
      t[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
    return t;
  }();
  return k;
}

void Md5Block(const uint8_t* p, uint32_t st[4]) {
  static constexpr int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                     5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                     4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                     6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  const auto& k = Md5Constants();
  uint32_t m[16];
  for (int i = 0; i < 16; ++i)
    m[i] = uint32_t{p[4 * i]} | (uint32_t{p[4 * i + 1]} << 8) | (uint32_t{p[4 * i + 2]} << 16) |
           (uint32_t{p[4 * i + 3]} << 24);
  uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int g;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    f += a + k[i] + m[g];
    a = d;
    d = c;
    c = b;
    b += Rotl32(f, kShift[i]);
  }
  st[0] += a;
  st[1] += b;
  st[2] += c;
  st[3] += d;
}

}  // namespace

std::array<uint8_t, 16> Md5(std::string_view data) {
  uint32_t st[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  while (n >= 64) {
    Md5Block(p, st);
    p += 64;
    n -= 64;
  }
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a little-endian uint64.
  uint8_t tail[128] = {};
  std::memcpy(tail, p, n);
  tail[n] = 0x80;
  const size_t tail_len = n < 56 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 8 + i] = static_cast<uint8_t>(bits >> (8 * i));
  for (size_t off = 0; off < tail_len; off += 64) Md5Block(tail + off, st);
  std::array<uint8_t, 16> out;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(st[i] >> (8 * j));
  return out;
}

// ---- Actions --------------------------------------------------------------------------------

std::string_view RelabelActionName(RelabelAction a) {
  switch (a) {
    case RelabelAction::kReplace:
      return "replace";
    case RelabelAction::kKeep:
      return "keep";
    case RelabelAction::kDrop:
      return "drop";
    case RelabelAction::kKeepEqual:
      return "keepequal";
    case RelabelAction::kDropEqual:
      return "dropequal";
    case RelabelAction::kHashMod:
      return "hashmod";
    case RelabelAction::kLabelMap:
      return "labelmap";
    case RelabelAction::kLabelDrop:
      return "labeldrop";
    case RelabelAction::kLabelKeep:
      return "labelkeep";
    case RelabelAction::kLowercase:
      return "lowercase";
    case RelabelAction::kUppercase:
      return "uppercase";
  }
  return "replace";
}

std::optional<RelabelAction> ParseRelabelAction(std::string_view name) {
  // strings.ToLower, so that "Replace" and "KEEP" are accepted as Prometheus accepts them.
  const std::string lower = MapCase(name, false);
  for (RelabelAction a :
       {RelabelAction::kReplace, RelabelAction::kKeep, RelabelAction::kDrop,
        RelabelAction::kKeepEqual, RelabelAction::kDropEqual, RelabelAction::kHashMod,
        RelabelAction::kLabelMap, RelabelAction::kLabelDrop, RelabelAction::kLabelKeep,
        RelabelAction::kLowercase, RelabelAction::kUppercase}) {
    if (RelabelActionName(a) == lower) return a;
  }
  return std::nullopt;
}

// ---- RelabelRegex ---------------------------------------------------------------------------

struct RelabelRegex::Compiled {
  explicit Compiled(const std::string& anchored) : re(anchored, RegexOptions()) {}
  RE2 re;
};

const std::shared_ptr<const RelabelRegex::Compiled>& RelabelRegex::DefaultCompiled() {
  static const std::shared_ptr<const Compiled> c = std::make_shared<const Compiled>("^(?:(.*))$");
  return c;
}

RelabelRegex::RelabelRegex() : compiled_(DefaultCompiled()), source_("(.*)") {}

base::Result<RelabelRegex> RelabelRegex::Compile(std::string_view source) {
  const std::string anchored = "^(?:" + std::string(source) + ")$";
  auto c = std::make_shared<const Compiled>(anchored);
  if (!c->re.ok()) {
    return base::InvalidArgument(GoRegexpError(c->re));
  }
  return RelabelRegex(std::move(c), std::string(source));
}

bool RelabelRegex::is_default() const { return compiled_ == DefaultCompiled(); }

bool RelabelRegex::Matches(std::string_view s) const {
  return compiled_->re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH,
                             nullptr, 0);
}

bool RelabelRegex::Match(std::string_view s, std::vector<std::string_view>* groups) const {
  const int n = 1 + compiled_->re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> sp(static_cast<size_t>(n));
  if (!compiled_->re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH,
                           sp.data(), n)) {
    return false;
  }
  groups->clear();
  for (const re2::StringPiece& p : sp)
    groups->push_back(p.data() == nullptr ? std::string_view()
                                          : std::string_view(p.data(), p.size()));
  return true;
}

void RelabelRegex::Expand(std::string_view tmpl, std::span<const std::string_view> groups,
                          std::string* out) const {
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name;
    int num = -1;
    size_t consumed = 0;
    if (!ExtractReference(tmpl, &name, &num, &consumed)) {
      out->push_back('$');  // malformed: the '$' is literal text
      continue;
    }
    tmpl.remove_prefix(consumed);
    int index = num;
    if (index < 0) {
      const auto& named = compiled_->re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it == named.end()) continue;
      index = it->second;
    }
    if (static_cast<size_t>(index) < groups.size() && groups[index].data() != nullptr)
      out->append(groups[index]);
  }
  out->append(tmpl);
}

// ---- RelabelConfig --------------------------------------------------------------------------

base::Status RelabelConfig::Validate() const {
  using A = RelabelAction;
  const std::string act(RelabelActionName(action));
  auto invalid_target = [&] {
    return base::InvalidArgument(GoQuote(target_label) + " is invalid 'target_label' for " + act +
                                 " action");
  };
  for (const std::string& l : source_labels)
    if (!IsValidLabelName(l))
      return base::InvalidArgument(GoQuote(l) + " is not a valid label name");
  if (modulus == 0 && action == A::kHashMod)
    return base::InvalidArgument("relabel configuration for hashmod requires non-zero modulus");
  const bool needs_target = action == A::kReplace || action == A::kHashMod ||
                            action == A::kLowercase || action == A::kUppercase ||
                            action == A::kKeepEqual || action == A::kDropEqual;
  if (needs_target && target_label.empty())
    return base::InvalidArgument("relabel configuration for " + act +
                                 " action requires 'target_label' value");
  const bool templated = target_label.find('$') != std::string::npos;
  if (action == A::kReplace && !templated && !IsValidLabelName(target_label))
    return invalid_target();
  if (action == A::kReplace && templated && !IsValidTemplateTarget(target_label))
    return invalid_target();
  const bool case_or_equal = action == A::kLowercase || action == A::kUppercase ||
                             action == A::kKeepEqual || action == A::kDropEqual;
  if (case_or_equal && !IsValidLabelName(target_label)) return invalid_target();
  if (case_or_equal && replacement != "$1")
    return base::InvalidArgument("'replacement' can not be set for " + act + " action");
  if (action == A::kLabelMap && !IsValidTemplateTarget(replacement))
    return base::InvalidArgument(GoQuote(replacement) + " is invalid 'replacement' for " + act +
                                 " action");
  if (action == A::kHashMod && !IsValidLabelName(target_label)) return invalid_target();
  if ((action == A::kDropEqual || action == A::kKeepEqual) &&
      (!regex.is_default() || modulus != 0 || separator != ";" || replacement != "$1")) {
    return base::InvalidArgument(
        act + " action requires only 'source_labels' and `target_label`, and no other fields");
  }
  if ((action == A::kLabelDrop || action == A::kLabelKeep) &&
      (!source_labels.empty() || !target_label.empty() || modulus != 0 || separator != ";" ||
       replacement != "$1")) {
    return base::InvalidArgument(act + " action requires only 'regex', and no other fields");
  }
  return base::Status::Ok();
}

std::optional<Labels> Process(const Labels& labels, std::span<const RelabelConfig> configs) {
  Builder lb(labels);
  std::string val;
  std::vector<std::string_view> groups;
  for (const RelabelConfig& cfg : configs)
    if (!Apply(cfg, &lb, &val, &groups)) return std::nullopt;
  return lb.Build();
}

}  // namespace model
