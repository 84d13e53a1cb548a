#include "pulse/demo/backends.h"

#include <libpq-fe.h>

#include <stdexcept>

namespace pulse::demo {

RedisPool::RedisPool(red::RedisClientOptions options, std::shared_ptr<red::RedisMetrics> metrics)
    : options_(std::move(options)), metrics_(std::move(metrics)) {}

RedisPool::Lease RedisPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
  }
  return Lease(this, std::make_unique<red::RedisClient>(options_, metrics_));
}

RedisPool::Lease::~Lease() {
  if (!client_) return;
  std::lock_guard<std::mutex> lock(pool_->mu_);
  pool_->idle_.push_back(std::move(client_));
}

struct PgPool::Conn {
  explicit Conn(PGconn* c) : pg(c) {}
  ~Conn() { PQfinish(pg); }
  PGconn* pg;
};

PgPool::PgPool(std::string dsn) : dsn_(std::move(dsn)) {}
PgPool::~PgPool() = default;

std::unique_ptr<PgPool::Conn> PgPool::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (PQstatus(c->pg) == CONNECTION_OK) return c;
    }
  }
  auto c = std::make_unique<Conn>(PQconnectdb(dsn_.c_str()));
  if (PQstatus(c->pg) != CONNECTION_OK) {
    throw std::runtime_error(std::string("postgresql: ") + PQerrorMessage(c->pg));
  }
  return c;
}

void PgPool::Give(std::unique_ptr<Conn> c) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(c));
}

std::vector<PgRow> PgPool::Exec(const std::string& sql, const std::vector<std::string>& params) {
  std::unique_ptr<Conn> c = Take();
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PGresult* res = PQexecParams(c->pg, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  const ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = std::string("postgresql: ") + PQresultErrorMessage(res);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQclear(res);
    if (PQstatus(c->pg) == CONNECTION_OK) Give(std::move(c));
    throw std::runtime_error(msg);
  }
  std::vector<PgRow> rows;
  const int n = PQntuples(res), m = PQnfields(res);
  rows.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    PgRow row;
    for (int j = 0; j < m; ++j) row.emplace_back(PQgetvalue(res, i, j), PQgetlength(res, i, j));
    rows.push_back(std::move(row));
  }
  PQclear(res);
  Give(std::move(c));
  return rows;
}

}  // namespace pulse::demo
