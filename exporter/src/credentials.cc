#include "pulse/exporter/credentials.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

namespace pulse::exporter {

std::string DescribeCredential(const Credential& credential) {
  switch (credential.source) {
    case Credential::Source::kLiteral:
      return "inline value";
    case Credential::Source::kEnv:
      return "environment variable " + credential.ref;
    case Credential::Source::kFile:
      return "file " + credential.ref;
  }
  return "unknown source";
}

ResolvedCredential ResolveCredential(const Credential& credential) {
  ResolvedCredential out;
  switch (credential.source) {
    case Credential::Source::kLiteral:
      out.ok = true;
      out.value = credential.ref;
      return out;
    case Credential::Source::kEnv: {
      const char* v = std::getenv(credential.ref.c_str());
      if (v == nullptr || *v == '\0') {
        out.error = "environment variable " + credential.ref + " is not set or empty";
        return out;
      }
      out.ok = true;
      out.value = v;
      return out;
    }
    case Credential::Source::kFile: {
      std::ifstream in(credential.ref, std::ios::binary);
      if (!in) {
        out.error = "cannot read credentials file " + credential.ref + ": " + std::strerror(errno);
        return out;
      }
      std::string data;
      char buf[4096];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        data.append(buf, static_cast<std::size_t>(in.gcount()));
        if (data.size() > kMaxCredentialFileBytes) {
          out.error = "credentials file " + credential.ref + " is larger than " +
                      std::to_string(kMaxCredentialFileBytes) + " bytes";
          return out;
        }
      }
      if (in.bad()) {
        out.error = "cannot read credentials file " + credential.ref + ": " + std::strerror(errno);
        return out;
      }
      if (!data.empty() && data.back() == '\n') data.pop_back();
      if (!data.empty() && data.back() == '\r') data.pop_back();
      if (data.empty()) {
        out.error = "credentials file " + credential.ref + " is empty";
        return out;
      }
      out.ok = true;
      out.value = std::move(data);
      return out;
    }
  }
  out.error = "unknown credential source";
  return out;
}

}  // namespace pulse::exporter

namespace pulse::exporter {

std::vector<ConfigError> CheckCredentials(const ExporterConfig& config) {
  std::vector<ConfigError> errors;
  auto check = [&](const std::string& path, const Credential& c) {
    ResolvedCredential r = ResolveCredential(c);
    if (!r.ok) errors.push_back({path, r.error});
  };
  // TLS files are read by the HTTP client when the target starts; checking here makes a missing
  // Secret mount fail --check and startup with the field path instead of a handshake error.
  // Only readability: a CA bundle may be larger than a credential, and PEM is the client's job.
  auto check_tls = [&](const std::string& path, const std::optional<TlsFiles>& tls) {
    if (!tls) return;
    for (const auto& [field, file] :
         {std::pair<const char*, const std::string&>{"ca_file", tls->ca_file},
          {"cert_file", tls->cert_file},
          {"key_file", tls->key_file}}) {
      if (file.empty()) continue;
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        errors.push_back(
            {path + ".tls." + field, "cannot read TLS file " + file + ": " + std::strerror(errno)});
      }
    }
  };
  for (std::size_t i = 0; i < config.targets.size(); ++i) {
    const auto& t = config.targets[i];
    const std::string base =
        "targets[" + std::to_string(i) + "]." + std::string(TargetTypeName(t.type));
    if (const auto* r = std::get_if<RabbitMqSpec>(&t.spec)) {
      check(base + ".username", r->username);
      check(base + ".password", r->password);
      check_tls(base, r->tls);
    } else if (const auto* p = std::get_if<PostgresSpec>(&t.spec)) {
      check(base + ".user", p->user);
      if (p->password) check(base + ".password", *p->password);
    } else if (const auto* s = std::get_if<S3Spec>(&t.spec)) {
      check(base + ".access_key_id", s->access_key_id);
      check(base + ".secret_access_key", s->secret_access_key);
      if (s->session_token) check(base + ".session_token", *s->session_token);
      check_tls(base, s->tls);
    }
  }
  return errors;
}

}  // namespace pulse::exporter
