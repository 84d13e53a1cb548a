#include "pulse/render/text_escape.h"

#include <cstdint>

namespace pulse::render {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one UTF-8 sequence at text[i]. Returns the code point and sets `length`; an invalid or
// truncated sequence, an overlong form or a surrogate yields kReplacement with length 1, so the
// caller skips exactly one bad byte.
char32_t DecodeUtf8(std::string_view text, std::size_t i, std::size_t& length) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    length = 1;
    return b0;
  }
  int extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    length = 1;
    return kReplacement;
  }
  if (i + static_cast<std::size_t>(extra) >= text.size()) {
    length = 1;
    return kReplacement;
  }
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) {
      length = 1;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    length = 1;
    return kReplacement;
  }
  length = static_cast<std::size_t>(extra) + 1;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void AppendHex(std::string& out, const char* prefix, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

// Code points YAML, JSON consumers or JavaScript would treat as line breaks or invisible marks.
bool IsSpecialUnicode(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
         cp == kReplacement;
}

// Printable ASCII other than '"' and '\\': copied unchanged by all three quoting functions.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

// Appends the longest run of plain bytes starting at i and returns the index after it, so the
// common case (ASCII identifiers, PromQL) costs one append per run instead of one per byte.
std::size_t AppendPlainRun(std::string& out, std::string_view text, std::size_t i) {
  std::size_t end = i;
  while (end < text.size() && kPlain.plain[static_cast<unsigned char>(text[end])]) ++end;
  out.append(text.data() + i, end - i);
  return end;
}

// The three quoting dialects agree on the C-style escapes for quote, backslash, \n, \t and
// \r; they differ only in how other control and special characters are spelled.
enum class Dialect { kYamlOrPromQl, kJson };

void AppendEscaped(std::string& out, char32_t cp, Dialect dialect) {
  switch (cp) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\r':
      out += "\\r";
      return;
    default:
      break;
  }
  if (dialect == Dialect::kJson) {
    if (cp == '\b') {
      out += "\\b";
    } else if (cp == '\f') {
      out += "\\f";
    } else if (cp < 0x20 || cp == 0x7F || IsSpecialUnicode(cp)) {
      AppendHex(out, "\\u", cp, 4);
    } else {
      AppendUtf8(out, cp);
    }
    return;
  }
  if (cp < 0x20 || cp == 0x7F) {
    AppendHex(out, "\\x", cp, 2);
  } else if (IsSpecialUnicode(cp)) {
    AppendHex(out, "\\u", cp, 4);
  } else {
    AppendUtf8(out, cp);
  }
}

void AppendQuoted(std::string& out, std::string_view text, Dialect dialect) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    i = AppendPlainRun(out, text, i);
    if (i >= text.size()) break;
    std::size_t length = 1;
    const char32_t cp = DecodeUtf8(text, i, length);
    i += length;
    AppendEscaped(out, cp, dialect);
  }
  out += '"';
}

}  // namespace

void AppendYamlQuoted(std::string& out, std::string_view text) {
  AppendQuoted(out, text, Dialect::kYamlOrPromQl);
}

void AppendJsonQuoted(std::string& out, std::string_view text) {
  AppendQuoted(out, text, Dialect::kJson);
}

std::string PromQlQuoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendQuoted(out, text, Dialect::kYamlOrPromQl);
  return out;
}

bool IsPrintableUtf8(std::string_view text, bool allow_newline) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c >= 0x20 && c < 0x7F) || (c == '\n' && allow_newline)) {
      ++i;
      continue;
    }
    std::size_t length = 1;
    const char32_t cp = DecodeUtf8(text, i, length);
    if (cp < 0x20 || cp == 0x7F || IsSpecialUnicode(cp)) return false;
    i += length;
  }
  return true;
}

std::string RegexQuoteMeta(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) {
    switch (c) {
      case '\\':
      case '.':
      case '+':
      case '*':
      case '?':
      case '(':
      case ')':
      case '|':
      case '[':
      case ']':
      case '{':
      case '}':
      case '^':
      case '$':
        out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

std::string SanitizeLabelName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

std::string SafePathComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const bool dots_only = text.empty() || text == "." || text == "..";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || (c == '.' && !dots_only);
    if (ok) {
      out += ch;
    } else {
      AppendHex(out, "%", c, 2);
    }
  }
  if (out.empty()) out = "%";  // never empty; no other input yields a lone "%"
  return out;
}

}  // namespace pulse::render
