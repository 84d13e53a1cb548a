#include "pulse/exporter/s3_list_parser.h"

#include <functional>
#include <vector>

namespace pulse::exporter::s3 {
namespace {

bool IsNameChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '-' || u == '.' || u == ':' || u >= 0x80;
}

// Appends the UTF-8 encoding of a code point; false for invalid ones.
bool AppendUtf8(unsigned long cp, std::string* out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return true;
}

// Decodes the five predefined entities and numeric references; anything else is an error.
bool DecodeText(std::string_view raw, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      *out += raw[i];
      continue;
    }
    const std::size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) return false;
    const std::string_view ent = raw.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      *out += '&';
    } else if (ent == "lt") {
      *out += '<';
    } else if (ent == "gt") {
      *out += '>';
    } else if (ent == "quot") {
      *out += '"';
    } else if (ent == "apos") {
      *out += '\'';
    } else if (ent.size() >= 2 && ent[0] == '#') {
      const bool hex = ent[1] == 'x';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty() || digits.size() > 8) return false;
      unsigned long cp = 0;
      for (char c : digits) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0) return false;
        cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      }
      if (!AppendUtf8(cp, out)) return false;
    } else {
      return false;
    }
    i = semi;
  }
  return true;
}

// Walks the elements; calls on_text(path, text) for each element that holds only text.
// path is the element names from the root, joined with '/'.
bool Walk(std::string_view xml,
          const std::function<void(const std::string&, std::string&&)>& on_text, std::string* root,
          std::string* error) {
  std::vector<std::string> stack;
  std::string path;
  std::size_t i = 0;
  std::size_t text_start = std::string::npos;
  bool saw_root = false;
  auto fail = [&](const std::string& why) {
    *error = why + " at byte " + std::to_string(i);
    return false;
  };
  while (i < xml.size()) {
    if (xml[i] != '<') {
      if (stack.empty()) {
        if (xml[i] != ' ' && xml[i] != '\n' && xml[i] != '\r' && xml[i] != '\t') {
          return fail("text outside the root element");
        }
      } else if (text_start == std::string::npos) {
        text_start = i;
      }
      ++i;
      continue;
    }
    if (xml.substr(i, 4) == "<!--") {
      const std::size_t end = xml.find("-->", i + 4);
      if (end == std::string_view::npos) return fail("unterminated comment");
      i = end + 3;
      continue;
    }
    if (xml.substr(i, 2) == "<?") {
      if (saw_root) return fail("processing instruction after the root");
      const std::size_t end = xml.find("?>", i + 2);
      if (end == std::string_view::npos) return fail("unterminated processing instruction");
      i = end + 2;
      continue;
    }
    if (xml.substr(i, 2) == "<!") return fail("DTDs, CDATA and declarations are not accepted");
    const bool closing = xml.substr(i, 2) == "</";
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_start = j;
    while (j < xml.size() && IsNameChar(xml[j])) ++j;
    if (j == name_start) return fail("malformed tag");
    std::string name(xml.substr(name_start, j - name_start));
    // Skip attributes (quoted values may contain '>').
    char quote = 0;
    while (j < xml.size() && (quote != 0 || (xml[j] != '>'))) {
      if (quote != 0) {
        if (xml[j] == quote) quote = 0;
      } else if (xml[j] == '"' || xml[j] == '\'') {
        quote = xml[j];
      } else if (xml[j] == '<') {
        return fail("'<' inside a tag");
      }
      ++j;
    }
    if (j >= xml.size()) return fail("unterminated tag");
    const bool self_closing = !closing && xml[j - 1] == '/';
    if (closing) {
      if (stack.empty() || stack.back() != name)
        return fail("mismatched closing tag </" + name + ">");
      if (text_start != std::string::npos) {
        std::string_view raw = xml.substr(text_start, i - text_start);
        if (raw.size() > kMaxXmlText) return fail("element text too long");
        std::string text;
        if (!DecodeText(raw, &text)) return fail("invalid entity in <" + name + ">");
        on_text(path, std::move(text));
      } else {
        on_text(path, std::string());
      }
      text_start = std::string::npos;
      stack.pop_back();
      path.resize(stack.empty() ? 0 : path.size() - name.size() - 1);
    } else {
      if (stack.empty() && saw_root) return fail("second root element");
      if (stack.size() >= kMaxXmlDepth) return fail("elements nested too deeply");
      if (stack.empty()) *root = name;
      saw_root = true;
      text_start = std::string::npos;  // mixed content: the parent's text is not used
      if (!self_closing) {
        path += (stack.empty() ? "" : "/") + name;
        stack.push_back(std::move(name));
      }
    }
    i = j + 1;
  }
  if (!stack.empty()) return fail("document ends inside <" + stack.back() + ">");
  if (!saw_root) return fail("no root element");
  return true;
}

bool ParseUint64(const std::string& s, std::uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseListPage(std::string_view xml, ListPage* out, std::string* error) {
  *out = ListPage{};
  std::string root;
  std::string bad;
  bool saw_truncated = false;
  const bool ok = Walk(
      xml,
      [&](const std::string& path, std::string&& text) {
        if (path == "ListBucketResult/Contents/Size") {
          std::uint64_t size = 0;
          if (!ParseUint64(text, &size)) {
            if (bad.empty()) bad = "object size is not a non-negative integer";
            return;
          }
          if (out->bytes > UINT64_MAX - size) {
            if (bad.empty()) bad = "total size overflows";
            return;
          }
          out->bytes += size;
        } else if (path == "ListBucketResult/Contents") {
          out->objects++;
        } else if (path == "ListBucketResult/IsTruncated") {
          saw_truncated = true;
          if (text == "true") {
            out->truncated = true;
          } else if (text != "false") {
            if (bad.empty()) bad = "IsTruncated is neither true nor false";
          }
        } else if (path == "ListBucketResult/NextContinuationToken") {
          out->next_continuation_token = std::move(text);
        }
      },
      &root, error);
  if (!ok) return false;
  if (root != "ListBucketResult") {
    *error = "root element is <" + root.substr(0, 40) + ">, not <ListBucketResult>";
    return false;
  }
  if (!bad.empty()) {
    *error = bad;
    return false;
  }
  if (!saw_truncated) {
    *error = "no IsTruncated element";
    return false;
  }
  if (out->truncated && out->next_continuation_token.empty()) {
    *error = "truncated listing without a NextContinuationToken";
    return false;
  }
  return true;
}

bool ParseErrorBody(std::string_view xml, ErrorBody* out) {
  std::string root, error;
  const bool ok = Walk(
      xml,
      [&](const std::string& path, std::string&& text) {
        if (path == "Error/Code") out->code = text.substr(0, 128);
        if (path == "Error/Message") out->message = text.substr(0, 512);
      },
      &root, &error);
  return ok && root == "Error";
}

}  // namespace pulse::exporter::s3
