// gzip for /metrics that does not re-compress what did not change. The page is cut into chunks
// at metric-family boundaries ("# HELP" lines, at least kMinChunk bytes apart, so a few bytes
// more or less in one family do not move later cuts); each chunk is deflated on its own with a
// sync flush, and the deflated chunks are concatenated into one gzip member (the technique of
// pigz: a stream that ends with a sync flush is byte-aligned and has no back-references into
// the next one; CRC-32s combine with crc32_combine). A chunk whose text equals one of the
// previous call's chunks reuses its deflated bytes, so a scrape of an unchanged page costs a
// hash and a copy, and a page whose small self-metrics head changes costs one chunk.
//
// Thread-safe (one mutex; the server calls it from its loop thread only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pulse::serve {

class GzipCache {
 public:
  static constexpr std::size_t kMinChunk = 16 * 1024;
  static constexpr std::size_t kMaxChunk = 256 * 1024;

  // The gzip encoding of `page`. The same shared string is returned while `page` is unchanged.
  std::shared_ptr<const std::string> Compress(std::string_view page);

  std::uint64_t compressed() const;  // chunks deflated so far
  std::uint64_t reused() const;      // chunks taken from the cache so far

 private:
  struct Chunk {
    std::string text;      // compared on a hash match: equal hash alone is not proof
    std::string deflated;  // raw deflate, ends with a sync flush (byte-aligned, not final)
    unsigned long crc = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<const Chunk>> chunks_;  // last call's chunks
  std::vector<const Chunk*> last_order_;
  std::shared_ptr<const std::string> last_;
  std::uint64_t compressed_ = 0;
  std::uint64_t reused_ = 0;
};

// Where GzipCache cuts `page` (chunk end offsets, the last one page.size()); exposed for tests.
std::vector<std::size_t> ChunkEnds(std::string_view page);

}  // namespace pulse::serve
