#include "gzip_cache.h"

#include <zlib.h>

#include <functional>
#include <stdexcept>

namespace pulse::serve {
namespace {

// Raw deflate of one chunk, ended by a sync flush: byte-aligned and not final, so the next
// chunk's deflate output can follow it directly in the same stream.
std::string DeflateChunk(std::string_view text) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(text.size())) + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  std::size_t used = 0;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(out.size() - used);
    const int rc = deflate(&z, Z_SYNC_FLUSH);
    used = out.size() - z.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      deflateEnd(&z);
      throw std::runtime_error("deflate failed");
    }
    // Done when the flush fit: all input consumed and room left over.
    if (z.avail_in == 0 && z.avail_out != 0) break;
    out.resize(out.size() * 2);
  }
  deflateEnd(&z);
  out.resize(used);
  return out;
}

void PutLe32(std::string& out, unsigned long v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::vector<std::size_t> ChunkEnds(std::string_view page) {
  std::vector<std::size_t> ends;
  std::size_t start = 0;
  while (start < page.size()) {
    std::size_t end = page.size();
    if (page.size() - start > GzipCache::kMinChunk) {
      const std::size_t hard = start + GzipCache::kMaxChunk;
      // The first family boundary at least kMinChunk in: cuts snap to family starts, so a
      // value that grows by a digit moves no cut unless it crosses a boundary.
      const std::size_t family = page.find("\n# HELP ", start + GzipCache::kMinChunk - 1);
      if (family != std::string_view::npos && family + 1 <= hard) {
        end = family + 1;
      } else if (hard < page.size()) {
        // One huge family: cut at a line end instead.
        const std::size_t line = page.find('\n', hard);
        end = line == std::string_view::npos ? page.size() : line + 1;
      }
    }
    ends.push_back(end);
    start = end;
  }
  return ends;
}

std::shared_ptr<const std::string> GzipCache::Compress(std::string_view page) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unordered_map<std::uint64_t, std::shared_ptr<const Chunk>> next;
  std::vector<const Chunk*> order;
  std::size_t start = 0;
  for (const std::size_t end : ChunkEnds(page)) {
    const std::string_view text = page.substr(start, end - start);
    start = end;
    const std::uint64_t key = std::hash<std::string_view>()(text);
    std::shared_ptr<const Chunk> chunk;
    if (auto it = chunks_.find(key); it != chunks_.end() && it->second->text == text) {
      chunk = it->second;
      ++reused_;
    } else if (auto again = next.find(key); again != next.end() && again->second->text == text) {
      chunk = again->second;  // the same chunk twice in one page
      ++reused_;
    } else {
      auto made = std::make_shared<Chunk>();
      made->text = std::string(text);
      made->deflated = DeflateChunk(text);
      made->crc =
          crc32(0L, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
      chunk = std::move(made);
      ++compressed_;
    }
    order.push_back(chunk.get());
    next.emplace(key, std::move(chunk));
  }
  const bool unchanged = last_ && order == last_order_;
  chunks_ = std::move(next);
  if (unchanged) return last_;  // the chunks (owned by chunks_) are the very same objects

  auto out = std::make_shared<std::string>();
  std::size_t deflated = 0;
  for (const Chunk* c : order) deflated += c->deflated.size();
  out->reserve(10 + deflated + 2 + 8);
  // gzip header: magic, CM=deflate, no flags, no mtime (stable bytes), XFL 0, OS unknown.
  static constexpr unsigned char kHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  out->append(reinterpret_cast<const char*>(kHeader), sizeof kHeader);
  unsigned long crc = crc32(0L, Z_NULL, 0);
  for (const Chunk* c : order) {
    out->append(c->deflated);
    crc = crc32_combine(crc, c->crc, static_cast<z_off_t>(c->text.size()));
  }
  // An empty final block with fixed Huffman codes (BFINAL=1, BTYPE=01, end-of-block) ends the
  // deflate stream; then CRC-32 and the length mod 2^32, little-endian.
  out->push_back(0x03);
  out->push_back(0x00);
  PutLe32(*out, crc);
  PutLe32(*out, static_cast<unsigned long>(page.size() & 0xffffffffUL));
  last_order_ = std::move(order);
  last_ = std::move(out);
  return last_;
}

std::uint64_t GzipCache::compressed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compressed_;
}

std::uint64_t GzipCache::reused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reused_;
}

}  // namespace pulse::serve
