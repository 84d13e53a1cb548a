// Escaping of arbitrary (possibly hostile, possibly invalid UTF-8) text for the three languages
// the renderers write: YAML double-quoted scalars, JSON strings and PromQL string literals.
//
// Every function accepts any byte sequence and returns text that the target parser reads back
// as the same characters, except that bytes which are not valid UTF-8 become U+FFFD (none of the
// targets can carry them). Output never contains raw control characters.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

namespace pulse::render {

// Appends `text` as a YAML double-quoted scalar, quotes included.
void AppendYamlQuoted(std::string& out, std::string_view text);

// Appends `text` as a JSON string, quotes included.
void AppendJsonQuoted(std::string& out, std::string_view text);

// `text` as a PromQL double-quoted string literal (Go escaping), quotes included.
std::string PromQlQuoted(std::string_view text);

// True when `text` is valid UTF-8 with no control characters other than '\n' (and none of the
// characters YAML or JavaScript treat as line breaks or byte-order marks).
bool IsPrintableUtf8(std::string_view text, bool allow_newline);

// `text` with RE2/Go regexp metacharacters escaped, so the regex matches exactly `text`.
std::string RegexQuoteMeta(std::string_view text);

// A Kubernetes label name as Prometheus' Kubernetes discovery writes it into meta label names:
// every character outside [a-zA-Z0-9_] becomes '_' (app.kubernetes.io/name ->
// app_kubernetes_io_name).
std::string SanitizeLabelName(std::string_view name);

// `text` safe as one file-name or path component: [A-Za-z0-9._-] kept, every other byte as
// %XX (injective, so two different inputs never share a file), and "." / ".." / "" escaped too.
std::string SafePathComponent(std::string_view text);

}  // namespace pulse::render
