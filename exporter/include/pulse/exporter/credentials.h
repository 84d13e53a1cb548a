// Reads a credential from its source (environment variable or file). Error messages name the
// variable or path and the reason, never the value. Thread-safe (reads only process state).
#pragma once

#include <string>
#include <vector>

#include "pulse/exporter/config.h"

namespace pulse::exporter {

struct ResolvedCredential {
  bool ok = false;
  std::string value;  // the secret; never log it
  std::string error;  // e.g. "cannot read credentials file /x: Permission denied"
};

// Files larger than this are rejected (a Secret key is small; a huge file is a mistake).
inline constexpr std::size_t kMaxCredentialFileBytes = 64 * 1024;

// Literal: the value. Env: the variable, which must be set and non-empty. File: its contents with
// one trailing "\n" or "\r\n" removed.
ResolvedCredential ResolveCredential(const Credential& credential);

// Describes where a credential comes from, for messages: "environment variable X", "file /p".
std::string DescribeCredential(const Credential& credential);

}  // namespace pulse::exporter

namespace pulse::exporter {
// Resolves every credential the config references (reads env and files) and checks every TLS file
// (tls.ca_file/cert_file/key_file) can be opened; one error per credential or file that cannot
// be read, with its field path. Used at startup and by --check.
std::vector<ConfigError> CheckCredentials(const ExporterConfig& config);
}  // namespace pulse::exporter
