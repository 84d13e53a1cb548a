#include "pulse/controller/gzip.h"

#include <zlib.h>

#include <stdexcept>

namespace pulse::controller {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip wrapper instead of zlib's
constexpr std::size_t kChunk = 64 * 1024;

}  // namespace

struct GzipStream::State {
  z_stream zs{};
};

GzipStream::GzipStream() : state_(std::make_unique<State>()) {
  // Level 6 is zlib's default trade-off; memLevel 8 its default memory use.
  if (deflateInit2(&state_->zs, 6, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
}

GzipStream::~GzipStream() { deflateEnd(&state_->zs); }

// Output in chunks: the compressed text is a tenth of the input or less, and a buffer of
// deflateBound (the input's size and then some) for a 13 MB config was a peak of its own.
void GzipStream::Deflate(std::string_view data, int flush) {
  z_stream& zs = state_->zs;
  char buf[kChunk];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    const int rc = deflate(&zs, flush);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      throw std::runtime_error("zlib: deflate failed");
    }
    out_.append(buf, sizeof buf - zs.avail_out);
    if (flush == Z_FINISH ? rc == Z_STREAM_END : zs.avail_in == 0 && zs.avail_out != 0) break;
  }
}

void GzipStream::Append(std::string_view data) {
  if (!data.empty()) Deflate(data, Z_NO_FLUSH);
}

std::string GzipStream::Finish() {
  Deflate({}, Z_FINISH);
  return std::move(out_);
}

std::string Gzip(std::string_view data) {
  GzipStream gz;
  gz.Append(data);
  return gz.Finish();
}

base::StatusOr<std::string> Gunzip(std::string_view data, std::size_t max_bytes) {
  using base::Status;
  using base::StatusCode;
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) {
    return Status(StatusCode::kInternal, "zlib: inflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[kChunk];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status(StatusCode::kDataLoss, std::string("not valid gzip data: ") +
                                               (zs.msg != nullptr ? zs.msg : "truncated"));
    }
    const std::size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_bytes) {
      inflateEnd(&zs);
      return Status(StatusCode::kResourceExhausted,
                    "gzip data expands beyond " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, got);
    if (rc == Z_OK && got == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return Status(StatusCode::kDataLoss, "not valid gzip data: truncated");
    }
  }
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing) return Status(StatusCode::kDataLoss, "not valid gzip data: bytes after the end");
  return out;
}

}  // namespace pulse::controller
