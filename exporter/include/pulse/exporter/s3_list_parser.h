// A small, strict reader for exactly the parts of S3 XML responses the exporter needs: a
// ListObjectsV2 page (object count, total size, truncation, continuation token) and an <Error>
// body. Not a general XML parser: no DTDs (rejected, so no entity expansion), bounded depth and
// text sizes, every malformed input is an error rather than a guess. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pulse::exporter::s3 {

struct ListPage {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  bool truncated = false;
  std::string next_continuation_token;
};

struct ErrorBody {
  std::string code;  // e.g. SignatureDoesNotMatch, InvalidAccessKeyId, NoSuchBucket
  std::string message;
};

inline constexpr std::size_t kMaxXmlDepth = 32;
inline constexpr std::size_t kMaxXmlText = 64 * 1024;

// Returns false with *error set when the document is not a well-formed ListBucketResult.
bool ParseListPage(std::string_view xml, ListPage* out, std::string* error);
// Returns false when the document is not a well-formed <Error> body.
bool ParseErrorBody(std::string_view xml, ErrorBody* out);

}  // namespace pulse::exporter::s3
