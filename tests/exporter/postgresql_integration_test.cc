// PostgreSQL (real server): databases of known contents, sizes equal pg_database_size() and
// Debian's prometheus-postgres-exporter run side by side; N open connections are seen as N;
// settings, pg_buffercache, the size interval, a statement held up by a lock (pg_sleep).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include "pulse/exporter/postgresql_target.h"
#include "pulse/testenv/testenv.h"
#include "pulse/testing/child_process.h"
#include "pulse/testing/loopback_listener.h"
#include "support.h"

namespace pulse::exporter {
namespace {

struct Conn {
  explicit Conn(const std::string& dbname) {
    const std::string dsn = "host=127.0.0.1 port=" + testenv::Get("postgres", "PORT") +
                            " user=" + testenv::Get("postgres", "USER") + " dbname=" + dbname;
    c = PQconnectdb(dsn.c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  }
  ~Conn() { PQfinish(c); }
  std::string Exec(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    const auto status = PQresultStatus(r);
    EXPECT_TRUE(status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        << sql << ": " << PQerrorMessage(c);
    std::string v = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return v;
  }
  PGconn* c = nullptr;
};

PostgresSpec Spec() {
  PostgresSpec spec;
  spec.host = "127.0.0.1";
  spec.port = std::stoi(testenv::Get("postgres", "PORT"));
  spec.user = {Credential::Source::kLiteral, testenv::Get("postgres", "USER")};
  return spec;
}

double Get(const MetricSet& m, const std::string& name, const LabelPairs& labels = {}) {
  const auto* s = m.Find(name, labels);
  return s ? s->value : -1;
}

class PostgresIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Conn admin("postgres");
    for (const auto& [db, rows] : std::vector<std::pair<std::string, int>>{
             {"pulse_small", 10}, {"pulse_medium", 20000}, {"pulse_large", 200000}}) {
      admin.Exec("DROP DATABASE IF EXISTS " + db);
      admin.Exec("CREATE DATABASE " + db);
      Conn c(db);
      c.Exec("CREATE TABLE t (id int, payload text)");
      c.Exec("INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, " +
             std::to_string(rows) + ") g");
      c.Exec("VACUUM ANALYZE t");  // creates the free-space/visibility maps now, not later
    }
    admin.Exec("CHECKPOINT");
  }
};

TEST_F(PostgresIntegration, SizesEqualPgDatabaseSizeAndPostgresExporter) {
  auto target = MakePostgresTarget(Spec(), std::chrono::seconds(10));
  const RefreshResult r = target->Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok) << r.reason << ": " << r.message;
  Conn admin("postgres");
  double previous = 0;
  for (const char* db : {"pulse_small", "pulse_medium", "pulse_large"}) {
    const double truth =
        std::stod(admin.Exec(std::string("SELECT pg_database_size('") + db + "')"));
    EXPECT_EQ(Get(r.metrics, "pulse_postgresql_database_size_bytes", {{"database", db}}), truth)
        << db;
    EXPECT_GT(truth, previous) << "known contents: each database is larger than the one before";
    previous = truth;
  }

  // Debian's prometheus-postgres-exporter on the same databases, same moment.
  const std::string peer = "/usr/bin/prometheus-postgres-exporter";
  if (access(peer.c_str(), X_OK) != 0) GTEST_FAIL() << peer << " missing (scripts/setup.sh)";
  // postgres_exporter cannot report a port it picked itself, so the kernel picks one here and it
  // is released just before the peer binds it (the only pick-and-release left in these tests).
  pulse::testing::ChildOptions options;
  int port = 0;
  {
    const pulse::testing::LoopbackListener reserved(
        pulse::testing::LoopbackListener::Mode::kRefuse);
    port = reserved.port();
  }
  options.args = {"--web.listen-address=127.0.0.1:" + std::to_string(port)};
  options.env = {"DATA_SOURCE_NAME=postgresql://" + testenv::Get("postgres", "USER") +
                 "@127.0.0.1:" + testenv::Get("postgres", "PORT") + "/postgres?sslmode=disable"};
  pulse::testing::ChildProcess peer_process(peer, std::move(options));
  std::string body;
  const bool answered = testing::Eventually(
      [&] {
        auto resp = testing::Http("GET", "http://127.0.0.1:" + std::to_string(port) + "/metrics");
        body = resp.body;
        return resp.status == 200 && body.find("pg_database_size_bytes") != std::string::npos;
      },
      std::chrono::seconds(30));
  peer_process.Stop();
  ASSERT_TRUE(answered) << "prometheus-postgres-exporter did not answer:\n"
                        << peer_process.Output();
  for (const char* db : {"pulse_small", "pulse_medium", "pulse_large"}) {
    const auto peer_value = testing::Value(body, "pg_database_size_bytes", {{"datname", db}});
    ASSERT_TRUE(peer_value) << db;
    EXPECT_EQ(Get(r.metrics, "pulse_postgresql_database_size_bytes", {{"database", db}}),
              *peer_value)
        << db;
  }
  const auto peer_max = testing::Value(body, "pg_settings_max_connections");
  ASSERT_TRUE(peer_max);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_max_connections"), *peer_max);
  const auto peer_buffers = testing::Value(body, "pg_settings_shared_buffers_bytes");
  ASSERT_TRUE(peer_buffers);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_shared_buffers_bytes"), *peer_buffers);
}

TEST_F(PostgresIntegration, OpenNConnectionsSeeN) {
  auto target = MakePostgresTarget(Spec(), std::chrono::seconds(10));
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < 7; ++i) conns.push_back(std::make_unique<Conn>("pulse_medium"));
  // One more, busy in pg_sleep: state active.
  Conn busy("pulse_medium");
  ASSERT_EQ(PQsendQuery(busy.c, "SELECT pg_sleep(3)"), 1);
  Conn tx("pulse_small");
  tx.Exec("BEGIN");
  tx.Exec("SELECT 1");
  // Wait until the server itself reports both sessions in those states, then refresh once.
  Conn admin("postgres");
  ASSERT_TRUE(testing::Eventually([&] {
    return admin.Exec(
               "SELECT count(*) FROM pg_stat_activity WHERE (datname = 'pulse_medium' AND "
               "state = 'active' AND query = 'SELECT pg_sleep(3)') OR (datname = "
               "'pulse_small' AND state = 'idle in transaction')") == "2";
  }));
  const RefreshResult r = target->Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok) << r.message;
  const LabelPairs medium_idle = {{"database", "pulse_medium"}, {"state", "idle"}};
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_connections", medium_idle), 7);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_connections",
                {{"database", "pulse_medium"}, {"state", "active"}}),
            1);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_connections",
                {{"database", "pulse_small"}, {"state", "idle in transaction"}}),
            1);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_connections",
                {{"database", "pulse_large"}, {"state", "idle"}}),
            0);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_max_connections"), 200);  // launcher's setting
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_shared_buffers_bytes"), 32.0 * 1024 * 1024);
  conns.resize(3);
  while (PGresult* res = PQgetResult(busy.c)) PQclear(res);
  const RefreshResult after = target->Refresh(std::stop_token{});
  ASSERT_TRUE(after.ok);
  EXPECT_EQ(Get(after.metrics, "pulse_postgresql_connections", medium_idle), 4);
}

TEST_F(PostgresIntegration, BuffercacheWhenInstalledElseSaysSo) {
  Conn admin("postgres");
  admin.Exec("DROP EXTENSION IF EXISTS pg_buffercache");
  auto target = MakePostgresTarget(Spec(), std::chrono::seconds(10));
  RefreshResult r = target->Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_buffercache_available"), 0);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_shared_buffers_used_bytes"), -1);
  admin.Exec("CREATE EXTENSION pg_buffercache");
  r = target->Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_buffercache_available"), 1);
  const double used = Get(r.metrics, "pulse_postgresql_shared_buffers_used_bytes");
  const double truth = std::stod(
      admin.Exec("SELECT count(*) * current_setting('block_size')::bigint FROM pg_buffercache "
                 "WHERE relfilenode IS NOT NULL"));
  EXPECT_GT(used, 0);
  EXPECT_LE(used, 32.0 * 1024 * 1024);
  // Buffers fill as queries run, so the two readings are close, not identical.
  EXPECT_NEAR(used, truth, 64 * 8192.0);
  admin.Exec("DROP EXTENSION pg_buffercache");
}

TEST_F(PostgresIntegration, SizesRefreshOnTheirOwnInterval) {
  PostgresSpec spec = Spec();
  spec.database_size_interval = std::chrono::hours(1);
  auto target = MakePostgresTarget(spec, std::chrono::seconds(10));
  RefreshResult r = target->Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok);
  const double stamp = Get(r.metrics, "pulse_postgresql_database_size_timestamp_seconds");
  Conn admin("postgres");
  admin.Exec("DROP DATABASE IF EXISTS pulse_new");
  admin.Exec("CREATE DATABASE pulse_new");
  r = target->Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_database_size_bytes", {{"database", "pulse_new"}}), -1)
      << "sizes are not re-measured before their interval";
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_database_size_timestamp_seconds"), stamp);
  EXPECT_EQ(Get(r.metrics, "pulse_postgresql_connections",
                {{"database", "pulse_new"}, {"state", "idle"}}),
            0)
      << "connections are refreshed every time";
  admin.Exec("DROP DATABASE pulse_new");
}

TEST_F(PostgresIntegration, StatementHeldUpTimesOutAndReconnects) {
  PostgresSpec spec = Spec();
  spec.statement_timeout = std::chrono::milliseconds(500);
  auto target = MakePostgresTarget(spec, std::chrono::seconds(5));
  ASSERT_TRUE(target->Refresh(std::stop_token{}).ok);
  // Another session locks pg_database and sleeps (pg_sleep): the exporter's queries wait on it.
  Conn locker("postgres");
  locker.Exec("BEGIN");
  locker.Exec("LOCK TABLE pg_catalog.pg_database IN ACCESS EXCLUSIVE MODE");
  ASSERT_EQ(PQsendQuery(locker.c, "SELECT pg_sleep(3)"), 1);
  const auto start = std::chrono::steady_clock::now();
  const RefreshResult r = target->Refresh(std::stop_token{});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "timeout") << r.message;
  EXPECT_LT(seconds, 2.5) << "statement_timeout must bound the refresh";
  while (PGresult* res = PQgetResult(locker.c)) PQclear(res);
  locker.Exec("COMMIT");
  const RefreshResult again = target->Refresh(std::stop_token{});
  EXPECT_TRUE(again.ok) << again.message;
}

TEST_F(PostgresIntegration, WrongPortAndWrongUser) {
  PostgresSpec spec = Spec();
  const pulse::testing::LoopbackListener nobody(pulse::testing::LoopbackListener::Mode::kRefuse);
  spec.port = nobody.port();
  RefreshResult r = MakePostgresTarget(spec, std::chrono::seconds(3))->Refresh(std::stop_token{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "connect") << r.message;
  spec = Spec();
  spec.user = {Credential::Source::kLiteral, "no_such_role"};
  r = MakePostgresTarget(spec, std::chrono::seconds(3))->Refresh(std::stop_token{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "auth") << r.message;
  spec = Spec();
  spec.password = Credential{Credential::Source::kFile, "/nonexistent/pg-password"};
  r = MakePostgresTarget(spec, std::chrono::seconds(3))->Refresh(std::stop_token{});
  EXPECT_EQ(r.reason, "credentials") << r.message;
}

}  // namespace
}  // namespace pulse::exporter
