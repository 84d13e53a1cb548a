// gzip for what the operator stores in the API (the Prometheus config Secret) and what the
// config sync reads back. Deterministic: the header carries no file name and mtime 0, so the
// same text always gives the same bytes and the same Secret (no spurious writes).
//
// Thread-safety: pure functions; a GzipStream is used by one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "pulse/base/status.h"

namespace pulse::controller {

std::string Gzip(std::string_view data);

// Gzip over text that arrives in pieces (a render handed out as it is written): only the
// compressed output is held. Append any number of times, then Finish once.
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  void Append(std::string_view data);
  std::string Finish();

 private:
  void Deflate(std::string_view data, int flush);
  struct State;
  std::unique_ptr<State> state_;
  std::string out_;
};

// Fails with kDataLoss for input that is not gzip or is truncated, and with
// kResourceExhausted when the result would exceed `max_bytes` (a decompression bomb stops
// there instead of filling memory).
base::StatusOr<std::string> Gunzip(std::string_view data, std::size_t max_bytes);

}  // namespace pulse::controller
