// Chunk factories: FromData and NewIterator dispatch on the encoding byte.
#include "tsdb/chunkenc/chunk.h"

#include <string>

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
  }
  return "<unknown>";
}

base::Result<std::unique_ptr<Chunk>> FromData(Encoding encoding, std::string bytes) {
  switch (encoding) {
    case Encoding::kXor: {
      ASSIGN_OR_RETURN(XorChunk c, XorChunk::FromBytes(bytes));
      return std::unique_ptr<Chunk>(std::make_unique<XorChunk>(std::move(c)));
    }
    case Encoding::kNone:
      break;
  }
  return UnknownEncoding(encoding);
}

std::unique_ptr<Iterator> NewIterator(Encoding encoding, std::string_view bytes,
                                      std::unique_ptr<Iterator> reuse) {
  switch (encoding) {
    case Encoding::kXor:
      return NewXorIterator(bytes, std::move(reuse));
    case Encoding::kNone:
      break;
  }
  return std::make_unique<ErrorIterator>(UnknownEncoding(encoding));
}

}  // namespace tsdb::chunkenc
