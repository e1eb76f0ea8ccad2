// Labels: the identity of a series, an immutable sorted set of name/value pairs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace model {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

// Labels is immutable and sorted by name, with no duplicate names and no empty values.
// Representation (as Prometheus's stringlabels): one flat string of
//   pair := uvarint(len(name)) name uvarint(len(value)) value
// in name order, and a cached 64-bit hash. Thread-compatible; cheap to move, one allocation to
// copy. Views returned by accessors are valid while the Labels lives.
class Labels {
 public:
  Labels() = default;
  // Sorts the pairs and drops those with an empty value. REQUIRES: no duplicate names
  // (checked by Validate; a duplicate here keeps both and Validate reports it).
  Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  static Labels FromVector(std::vector<Label> pairs);
  // Builds from pairs already sorted by name with no empty values; no checks.
  static Labels FromSorted(const std::vector<Label>& pairs);

  class Iterator {
   public:
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(const char* p, const char* end) : p_(p), end_(end) { Decode(); }
    const Label& operator*() const { return cur_; }
    const Label* operator->() const { return &cur_; }
    Iterator& operator++() {
      p_ = next_;
      Decode();
      return *this;
    }
    bool operator==(const Iterator& o) const { return p_ == o.p_; }

   private:
    void Decode();
    const char* p_ = nullptr;
    const char* end_ = nullptr;
    const char* next_ = nullptr;
    Label cur_;
  };
  Iterator begin() const { return Iterator(data_.data(), data_.data() + data_.size()); }
  Iterator end() const { return Iterator(data_.data() + data_.size(), data_.data() + data_.size()); }

  bool empty() const { return data_.empty(); }
  size_t size() const;
  // The value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view metric_name() const { return Get(kMetricName); }
  uint64_t hash() const { return hash_; }
  // The flat encoding, for hashing and storage.
  std::string_view bytes() const { return data_; }
  // Memory held, for accounting.
  size_t ByteSize() const { return data_.capacity() + sizeof(*this); }

  // Checks metric name and label names against Prometheus's charsets ([a-zA-Z_:][a-zA-Z0-9_:]*
  // for __name__'s value, [a-zA-Z_][a-zA-Z0-9_]* for names), UTF-8 values and unique names.
  // Errors: kInvalidArgument naming the offending label.
  base::Status Validate() const;

  // {__name__="up", job="x"}, as Prometheus's Labels.String().
  std::string ToString() const;

  friend bool operator==(const Labels& a, const Labels& b) {
    return a.hash_ == b.hash_ && a.data_ == b.data_;
  }
  // Prometheus's labels.Compare: pairwise by name then value, shorter first.
  static int Compare(const Labels& a, const Labels& b);
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }

 private:
  explicit Labels(std::string data);
  Labels(std::string data, uint64_t hash) : data_(std::move(data)), hash_(hash) {}
  std::string data_;
  uint64_t hash_ = kEmptyHash;
  static constexpr uint64_t kEmptyHash = 0xef46db3751d8e999ULL;  // XXHash64 of no bytes
};

// Stable 64-bit hash of sorted label pairs, equal to Labels::hash() of the same pairs: xxHash64
// over name 0xff value 0xff ... as Prometheus's labels.Hash. Used to hash labels before
// building a Labels (the remote-write hot path).
uint64_t HashPairs(const std::vector<Label>& sorted_pairs);
uint64_t XXHash64(std::string_view data, uint64_t seed = 0);

bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);
bool IsValidUtf8(std::string_view s);

// LabelsBuilder changes a Labels: Set and Del, then Labels() for the result.
// Setting an empty value deletes the name. Not thread-safe.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }
  void Reset(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  Labels Build() const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;  // sorted by name
};

}  // namespace model
