// Chunk factories: FromData and NewIterator dispatch on the encoding byte.
#include "tsdb/chunkenc/chunk.h"

#include <string>

#include "tsdb/chunkenc/packed_chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace tsdb::chunkenc {
namespace {

base::Status UnknownEncoding(Encoding e) {
  return base::Corruption("unknown chunk encoding " + std::to_string(static_cast<int>(e)));
}

// Stands in for an iterator over bytes of an encoding this build cannot decode.
class ErrorIterator final : public Iterator {
 public:
  explicit ErrorIterator(base::Status status) : status_(std::move(status)) {}
  bool Next() override { return false; }
  bool Seek(Timestamp) override { return false; }
  std::pair<Timestamp, double> At() const override { return {0, 0}; }
  base::Status status() const override { return status_; }
  Encoding encoding() const override { return Encoding::kNone; }

 private:
  base::Status status_;
};

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kNone:
      return "none";
    case Encoding::kXor:
      return "XOR";
    case Encoding::kPacked:
      return "packed";
  }
  return "<unknown>";
}

base::Result<std::unique_ptr<Chunk>> FromData(Encoding encoding, std::string bytes) {
  switch (encoding) {
    case Encoding::kXor: {
      ASSIGN_OR_RETURN(XorChunk c, XorChunk::FromBytes(bytes));
      return std::unique_ptr<Chunk>(std::make_unique<XorChunk>(std::move(c)));
    }
    case Encoding::kPacked: {
      ASSIGN_OR_RETURN(PackedChunk c, PackedChunk::FromBytes(std::move(bytes)));
      return std::unique_ptr<Chunk>(std::make_unique<PackedChunk>(std::move(c)));
    }
    case Encoding::kNone:
      break;
  }
  return UnknownEncoding(encoding);
}

base::Result<std::unique_ptr<Chunk>> EncodeBest(std::span<const model::Sample> samples) {
  ASSIGN_OR_RETURN(std::string packed, EncodePackedBest(samples));
  if (samples.size() <= static_cast<size_t>(XorChunk::kMaxSamples)) {
    auto x = std::make_unique<XorChunk>(packed.size() + 16);
    ASSIGN_OR_RETURN(XorAppender app, x->NewXorAppender());
    for (const model::Sample& s : samples) app.Append(s.t, s.v);
    if (x->bytes().size() <= packed.size()) {
      x->Compact();
      return std::unique_ptr<Chunk>(std::move(x));
    }
  }
  ASSIGN_OR_RETURN(PackedChunk c, PackedChunk::FromBytes(std::move(packed)));
  return std::unique_ptr<Chunk>(std::make_unique<PackedChunk>(std::move(c)));
}

std::unique_ptr<Iterator> NewIterator(Encoding encoding, std::string_view bytes,
                                      std::unique_ptr<Iterator> reuse) {
  switch (encoding) {
    case Encoding::kXor:
      return NewXorIterator(bytes, std::move(reuse));
    case Encoding::kPacked:
      return NewPackedIterator(bytes, std::move(reuse));
    case Encoding::kNone:
      break;
  }
  return std::make_unique<ErrorIterator>(UnknownEncoding(encoding));
}

}  // namespace tsdb::chunkenc
