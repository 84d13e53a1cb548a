// libpq side of the PostgreSQL target. Queries are schema-qualified (pg_catalog.) so a hostile
// search_path cannot substitute functions.
#include "pulse/exporter/postgresql_target.h"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>

#include "pulse/base/log.h"
#include "pulse/exporter/credentials.h"
#include "pulse/exporter/postgresql_metrics.h"

namespace pulse::exporter {
namespace {

using Clock = std::chrono::steady_clock;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, PgResultDeleter>;

struct Rows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<bool>> nulls;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PostgresTarget : public Target {
 public:
  PostgresTarget(PostgresSpec spec, Duration timeout)
      : spec_(std::move(spec)),
        timeout_(timeout),
        statement_timeout_(spec_.statement_timeout.count() > 0 ? spec_.statement_timeout
                                                               : timeout) {}
  ~PostgresTarget() override { Disconnect(); }

  RefreshResult Refresh(std::stop_token) override {
    if (conn_ == nullptr) {
      if (auto failure = Connect()) return *failure;
    }
    postgresql::Observation o;
    RefreshResult failure;
    Rows rows;
    if (!Query("SELECT pg_catalog.current_setting('max_connections')::bigint, "
               "pg_catalog.pg_size_bytes(pg_catalog.current_setting('shared_buffers')), "
               "pg_catalog.current_setting('block_size')::bigint",
               {}, &rows, &failure))
      return failure;
    o.max_connections = std::atof(rows.rows.at(0).at(0).c_str());
    o.shared_buffers_bytes = std::atof(rows.rows.at(0).at(1).c_str());
    const double block_size = std::atof(rows.rows.at(0).at(2).c_str());

    if (!Query(std::string("SELECT datname FROM pg_catalog.pg_database") + DefaultFilter() +
                   " ORDER BY 1",
               {}, &rows, &failure))
      return failure;
    for (const auto& r : rows.rows) {
      if (Wanted(r[0])) o.databases.push_back(r[0]);
    }

    if (!Query("SELECT datname, state, count(*) FROM pg_catalog.pg_stat_activity "
               "WHERE backend_type = 'client backend' AND datname IS NOT NULL GROUP BY 1, 2",
               {}, &rows, &failure))
      return failure;
    for (std::size_t i = 0; i < rows.rows.size(); ++i) {
      const auto& r = rows.rows[i];
      if (!Wanted(r[0])) continue;
      o.connections.push_back({r[0], rows.nulls[i][1] ? "unknown" : r[1], std::atof(r[2].c_str())});
    }

    // pg_buffercache: look up its schema (it may be installed anywhere) each refresh, so
    // installing or dropping it is noticed without a restart.
    if (!Query("SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
               "ON n.oid = e.extnamespace WHERE e.extname = 'pg_buffercache'",
               {}, &rows, &failure))
      return failure;
    std::string buffercache_problem;
    if (rows.rows.empty()) {
      buffercache_problem =
          "the pg_buffercache extension is not installed in database " + spec_.dbname;
    } else {
      char* schema = PQescapeIdentifier(conn_, rows.rows[0][0].c_str(), rows.rows[0][0].size());
      const std::string sql = std::string("SELECT count(*) FROM ") + (schema ? schema : "public") +
                              ".pg_buffercache WHERE relfilenode IS NOT NULL";
      PQfreemem(schema);
      if (Query(sql, {}, &rows, &failure)) {
        o.buffercache_available = true;
        o.shared_buffers_used_bytes = std::atof(rows.rows.at(0).at(0).c_str()) * block_size;
      } else if (failure.reason == reason::kQuery) {
        buffercache_problem = "pg_buffercache cannot be read: " + failure.message;
      } else {
        return failure;  // connection lost or timed out: the whole refresh failed
      }
    }
    if (!buffercache_problem.empty() && !buffercache_logged_) {
      base::LogWarn("postgresql: shared buffer use not available; exporting size only",
                    {{"host", spec_.host}, {"reason", buffercache_problem}});
      buffercache_logged_ = true;
    } else if (buffercache_problem.empty()) {
      buffercache_logged_ = false;  // log again if it disappears later
    }

    // Database sizes: pg_database_size() stats every file, so only every size interval.
    const auto now = Clock::now();
    if (!sizes_time_ || now - *sizes_time_ >= spec_.database_size_interval) {
      if (!Query(std::string("SELECT datname, pg_catalog.pg_database_size(oid) FROM "
                             "pg_catalog.pg_database") +
                     DefaultFilter(),
                 {}, &rows, &failure))
        return failure;
      sizes_.clear();
      for (const auto& r : rows.rows) {
        if (Wanted(r[0])) sizes_[r[0]] = std::atof(r[1].c_str());
      }
      sizes_time_ = now;
      sizes_unix_ =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    }
    o.database_sizes = sizes_;
    o.sizes_timestamp_seconds = sizes_unix_;

    RefreshResult result;
    result.ok = true;
    result.metrics = postgresql::BuildMetrics(o);
    return result;
  }

 private:
  // Sizes and connections report the same databases (docs/exporter.md): the listed ones, or by
  // default every database that allows connections — never template0.
  const char* DefaultFilter() const { return spec_.databases.empty() ? " WHERE datallowconn" : ""; }

  bool Wanted(const std::string& db) const {
    if (spec_.databases.empty()) return true;
    for (const auto& d : spec_.databases) {
      if (d == db) return true;
    }
    return false;
  }

  std::optional<RefreshResult> Connect() {
    const ResolvedCredential user = ResolveCredential(spec_.user);
    if (!user.ok) return RefreshResult::Failure(reason::kCredentials, "user: " + user.error);
    std::string password;
    if (spec_.password) {
      const ResolvedCredential p = ResolveCredential(*spec_.password);
      if (!p.ok) return RefreshResult::Failure(reason::kCredentials, "password: " + p.error);
      password = p.value;
    }
    const std::string port = std::to_string(spec_.port);
    // libpq rounds connect_timeout up to at least 2 s.
    const std::string connect_timeout =
        std::to_string(std::max<long long>(1, (timeout_.count() + 999) / 1000));
    const std::string options =
        "-c statement_timeout=" + std::to_string(statement_timeout_.count());
    const std::string tcp_user_timeout = std::to_string(timeout_.count());
    std::vector<const char*> keys = {"host",
                                     "port",
                                     "user",
                                     "dbname",
                                     "sslmode",
                                     "connect_timeout",
                                     "options",
                                     "application_name",
                                     "tcp_user_timeout",
                                     "keepalives"};
    std::vector<const char*> values = {spec_.host.c_str(),       port.c_str(),
                                       user.value.c_str(),       spec_.dbname.c_str(),
                                       spec_.sslmode.c_str(),    connect_timeout.c_str(),
                                       options.c_str(),          "pulse-exporter",
                                       tcp_user_timeout.c_str(), "1"};
    if (spec_.password) {
      keys.push_back("password");
      values.push_back(password.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      // libpq's message names host/port/user, never the password.
      std::string message = conn_ ? Trim(PQerrorMessage(conn_)) : "out of memory";
      Disconnect();
      const bool auth = message.find("password authentication failed") != std::string::npos ||
                        message.find("no password supplied") != std::string::npos ||
                        message.find("role \"") != std::string::npos;
      const bool timeout = message.find("timeout expired") != std::string::npos;
      return RefreshResult::Failure(auth      ? reason::kAuth
                                    : timeout ? reason::kTimeout
                                              : reason::kConnect,
                                    message);
    }
    return std::nullopt;
  }

  void Disconnect() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  // Runs one statement with a client-side deadline. On failure sets *failure; a lost or timed-out
  // connection is dropped so the next refresh reconnects.
  bool Query(const std::string& sql, const std::vector<std::string>& params, Rows* out,
             RefreshResult* failure) {
    out->rows.clear();
    out->nulls.clear();
    if (conn_ == nullptr) {
      if (auto f = Connect()) {
        *failure = *f;
        return false;
      }
    }
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0) == 0) {
      *failure = RefreshResult::Failure(reason::kConnect, Trim(PQerrorMessage(conn_)));
      Disconnect();
      return false;
    }
    // Server-side statement_timeout fires first; this deadline covers a server that stopped
    // answering altogether.
    const auto deadline = Clock::now() + statement_timeout_ + std::chrono::milliseconds(1000);
    while (PQisBusy(conn_)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        if (PGcancel* cancel = PQgetCancel(conn_)) {
          char err[256];
          PQcancel(cancel, err, sizeof err);
          PQfreeCancel(cancel);
        }
        *failure = RefreshResult::Failure(reason::kTimeout,
                                          "no answer within " +
                                              std::to_string(statement_timeout_.count() + 1000) +
                                              " ms to: " + sql.substr(0, 60));
        Disconnect();
        return false;
      }
      pollfd pfd{PQsocket(conn_), POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
      if (PQconsumeInput(conn_) == 0) {
        *failure = RefreshResult::Failure(reason::kConnect, Trim(PQerrorMessage(conn_)));
        Disconnect();
        return false;
      }
    }
    bool ok = true;
    while (PGresult* raw = PQgetResult(conn_)) {
      Result r(raw);
      const auto status = PQresultStatus(r.get());
      if (status == PGRES_TUPLES_OK) {
        const int n = PQntuples(r.get()), cols = PQnfields(r.get());
        for (int i = 0; i < n; ++i) {
          std::vector<std::string> row;
          std::vector<bool> nulls;
          for (int c = 0; c < cols; ++c) {
            row.emplace_back(PQgetvalue(r.get(), i, c));
            nulls.push_back(PQgetisnull(r.get(), i, c) != 0);
          }
          out->rows.push_back(std::move(row));
          out->nulls.push_back(std::move(nulls));
        }
      } else if (status != PGRES_COMMAND_OK && ok) {
        ok = false;
        const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
        const std::string code = state ? state : "";
        // 57014 = query_canceled (statement_timeout).
        *failure = RefreshResult::Failure(code == "57014" ? reason::kTimeout : reason::kQuery,
                                          Trim(PQresultErrorMessage(r.get())));
      }
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      if (ok) *failure = RefreshResult::Failure(reason::kConnect, Trim(PQerrorMessage(conn_)));
      Disconnect();
      return false;
    }
    if (ok && out->rows.empty() && sql.rfind("SELECT pg_catalog.current_setting", 0) == 0) {
      *failure = RefreshResult::Failure(reason::kQuery, "settings query returned no row");
      return false;
    }
    return ok;
  }

  PostgresSpec spec_;
  Duration timeout_;
  Duration statement_timeout_;
  PGconn* conn_ = nullptr;
  bool buffercache_logged_ = false;
  std::map<std::string, double> sizes_;
  std::optional<Clock::time_point> sizes_time_;
  std::optional<double> sizes_unix_;
};

}  // namespace

std::unique_ptr<Target> MakePostgresTarget(PostgresSpec spec, Duration timeout) {
  return std::make_unique<PostgresTarget>(std::move(spec), timeout);
}

}  // namespace pulse::exporter
