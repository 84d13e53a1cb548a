// gzip for what the operator stores in the API (the Prometheus config Secret) and what the
// config sync reads back. Deterministic: the header carries no file name and mtime 0, so the
// same text always gives the same bytes and the same Secret (no spurious writes).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "pulse/base/status.h"

namespace pulse::controller {

std::string Gzip(std::string_view data);

// Fails with kDataLoss for input that is not gzip or is truncated, and with
// kResourceExhausted when the result would exceed `max_bytes` (a decompression bomb stops
// there instead of filling memory).
base::StatusOr<std::string> Gunzip(std::string_view data, std::size_t max_bytes);

}  // namespace pulse::controller
