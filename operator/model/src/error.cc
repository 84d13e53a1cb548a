#include "pulse/model/error.h"

namespace pulse::model {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kSyntax:
      return "syntax";
    case ErrorCode::kType:
      return "type";
    case ErrorCode::kUnknownField:
      return "unknown_field";
    case ErrorCode::kMissingField:
      return "missing_field";
    case ErrorCode::kInvalidValue:
      return "invalid_value";
    case ErrorCode::kOutOfRange:
      return "out_of_range";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kDuplicate:
      return "duplicate";
    case ErrorCode::kUnresolved:
      return "unresolved";
    case ErrorCode::kUnsupportedKind:
      return "unsupported_kind";
    case ErrorCode::kIo:
      return "io";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out;
  auto part = [&out](const std::string& text) {
    if (text.empty()) return;
    if (!out.empty()) out += ": ";
    out += text;
  };
  part(file);
  std::string object = kind;
  if (!name.empty()) {
    if (!object.empty()) object += ' ';
    object += namespace_.empty() ? name : namespace_ + "/" + name;
  }
  part(object);
  part(path);
  part(detail);
  return out;
}

}  // namespace pulse::model
