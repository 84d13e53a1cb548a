// The byte encodings HTTP work needs, in one place: RFC 3986 percent-encoding (URLs, SigV4),
// base64 (Basic authentication, kubeconfig *-data fields), lower-case hex (digests).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pulse/base/base64.h"

namespace pulse::http {

// Percent-encodes every byte except RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~),
// with upper-case hex digits as SigV4 requires. With keep_slash, '/' is kept too (paths made of
// encoded segments, such as S3 object keys).
std::string PercentEncode(std::string_view text, bool keep_slash = false);

// Base64 lives in pulse::base (the pure model decodes Secret data with it too).
using base::Base64Decode;
using base::Base64Encode;

// Lower-case hex of each byte ("\x01\xab" -> "01ab").
std::string HexEncode(std::string_view bytes);

// The value of an HTTP Basic Authorization header: "Basic " + base64(user ":" password).
std::string BasicAuthorization(std::string_view user, std::string_view password);

}  // namespace pulse::http
