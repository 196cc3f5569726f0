#include "daemon/status_data.h"

#include <pqxx/pqxx>

#include "core/error.h"
#include "warehouse/watched_connection.h"

namespace ccetl {
namespace {

constexpr int kConnectTimeoutSeconds = 5;
constexpr int kMaxTables = 10;

// The columns of one ccetl.runs row, in the order run_from() reads them.
const std::string kRunColumns =
    "r.status, extract(epoch FROM r.started_at)::float8, extract(epoch FROM r.finished_at)::float8, r.pages, "
    "r.rows_read, r.inserted, r.updated, r.unchanged, r.deleted, r.rejected, r.duplicates, left(r.messages, " +
    std::to_string(kTextLimit) + "), left(r.error, " + std::to_string(kTextLimit) + ")";
constexpr int kRunColumnCount = 13;

RunRecord run_from(const pqxx::row& row, int first, const std::vector<std::string>& secrets) {
  RunRecord r;
  r.status = row[first].c_str();
  r.started = row[first + 1].as<double>();
  if (!row[first + 2].is_null()) r.finished = row[first + 2].as<double>();
  int64_t* counts[] = {&r.pages, &r.rows_read, &r.inserted, &r.updated, &r.unchanged, &r.deleted, &r.rejected,
                       &r.duplicates};
  for (int i = 0; i < 8; ++i) *counts[i] = row[first + 3 + i].as<int64_t>();
  if (!row[first + 11].is_null()) r.messages = row[first + 11].c_str();
  if (!row[first + 12].is_null()) r.error = row[first + 12].c_str();
  redact_run(r, secrets);
  return r;
}

bool exists(pqxx::transaction_base& tx, const std::string& qualified) {
  return !tx.exec_params("SELECT to_regclass($1)", qualified)[0][0].is_null();
}

}  // namespace

std::string with_connect_timeout(const std::string& dsn, int seconds) {
  if (dsn.find("connect_timeout") != std::string::npos) return dsn;
  std::string value = "connect_timeout=" + std::to_string(seconds);
  bool uri = dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
  if (uri) return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + value;
  return dsn.empty() ? value : dsn + " " + value;
}

struct StatusReader::Impl {
  std::string dsn;
  std::chrono::milliseconds statement_timeout;
  // With its ServerWatch: statement_timeout does not help against a frozen server.
  std::unique_ptr<warehouse::WatchedConnection> conn;

  // Runs `fn(tx)` in a read-only transaction under the statement timeout, mapping libpqxx's
  // exceptions to Error. A failure drops the connection, so the next call starts afresh.
  template <typename Fn>
  auto read(Fn&& fn) {
    try {
      if (!conn)
        conn = std::make_unique<warehouse::WatchedConnection>(with_connect_timeout(dsn, kConnectTimeoutSeconds));
      auto busy = conn->watch->busy();
      pqxx::read_transaction tx(conn->conn);
      // Per transaction, because libpqxx 6.4 reconnects silently and a session setting would
      // be lost with the old session.
      tx.exec("SET LOCAL statement_timeout = " + std::to_string(statement_timeout.count()));
      auto result = fn(tx);
      tx.commit();
      return result;
    } catch (const pqxx::broken_connection& e) {
      const std::string lost = std::string("database unreachable: ") + e.what();
      const std::string why = conn ? conn->verdict_or(lost) : lost;
      conn.reset();
      throw Error(ErrorKind::Transient, why);
    } catch (const pqxx::sql_error& e) {
      conn.reset();
      throw Error(ErrorKind::Permanent, std::string("reading ccetl.runs failed: ") + e.what());
    } catch (const pqxx::failure& e) {
      conn.reset();
      throw Error(ErrorKind::Transient, std::string("database error: ") + e.what());
    }
  }

  // Summaries of `jobs` (with config parts filled in) from one query; returns the database's now.
  int64_t fill(pqxx::transaction_base& tx, const Config& config, std::vector<JobSummary>& out,
               const std::vector<const JobSpec*>& jobs) {
    int64_t now = static_cast<int64_t>(tx.exec("SELECT extract(epoch FROM now())::float8")[0][0].as<double>());
    if (!exists(tx, "ccetl.runs")) return now;
    std::string names = "ARRAY[";
    for (size_t i = 0; i < jobs.size(); ++i) names += (i ? "," : "") + tx.quote(jobs[i]->name);
    names += "]::text[]";
    pqxx::result rows = tx.exec(
        "SELECT " + kRunColumns +
        ", (SELECT extract(epoch FROM s.finished_at)::float8 FROM ccetl.runs s"
        "   WHERE s.job = j.job AND s.status = 'succeeded' ORDER BY s.started_at DESC LIMIT 1)"
        " FROM unnest(" + names + ") WITH ORDINALITY AS j(job, n)"
        " LEFT JOIN LATERAL (SELECT * FROM ccetl.runs r WHERE r.job = j.job ORDER BY r.started_at DESC LIMIT 1) r"
        " ON true ORDER BY j.n");
    auto secrets = api_keys_of(config);
    for (size_t i = 0; i < jobs.size() && i < rows.size(); ++i) {
      const pqxx::row& row = rows[static_cast<pqxx::result::size_type>(i)];
      JobSummary& s = out[i];
      if (!row[0].is_null()) s.last_run = run_from(row, 0, secrets);
      if (!row[kRunColumnCount].is_null()) {
        s.last_success = row[kRunColumnCount].as<double>();
        s.stale_at = stale_at(*jobs[i], config.daemon.time_zone, *s.last_success);
      }
    }
    return now;
  }

  std::vector<TableCount> tables(pqxx::transaction_base& tx, const Config& config, const JobSpec& job) {
    std::vector<TableCount> out;
    if (job.push) {
      if (!exists(tx, "ccetl.push_log")) return out;
      pqxx::result r = tx.exec_params(
          "SELECT state, count(*) FROM ccetl.push_log WHERE job = $1 GROUP BY state ORDER BY state", job.name);
      for (const auto& row : r)
        out.push_back({std::string("ccetl.push_log (") + row[0].c_str() + ")", row[1].as<int64_t>(), false});
      if (out.empty()) out.push_back({"ccetl.push_log", 0, false});
      return out;
    }
    std::vector<std::pair<std::string, std::string>> names;
    if (exists(tx, "ccetl.columns")) {
      pqxx::result r = tx.exec_params(
          "SELECT DISTINCT schema_name, table_name FROM ccetl.columns WHERE job = $1 ORDER BY 1, 2 LIMIT " +
              std::to_string(kMaxTables),
          job.name);
      for (const auto& row : r) names.emplace_back(row[0].c_str(), row[1].c_str());
    }
    if (names.empty()) names.emplace_back(config.warehouse.schema, job.table.empty() ? job.name : job.table);
    for (const auto& [schema, table] : names) {
      std::string qualified = tx.quote_name(schema) + "." + tx.quote_name(table);
      TableCount t{schema + "." + table, std::nullopt, false};
      if (exists(tx, qualified)) {
        int64_t n = tx.exec("SELECT count(*) FROM (SELECT FROM " + qualified + " LIMIT " +
                            std::to_string(kExactCountLimit + 1) + ") bounded")[0][0]
                        .as<int64_t>();
        if (n > kExactCountLimit) {
          n = tx.exec_params("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass($1)", qualified)[0][0]
                  .as<int64_t>();
          t.estimated = true;
        }
        t.rows = n;
      }
      out.push_back(t);
    }
    return out;
  }
};

StatusReader::StatusReader(std::string dsn, std::chrono::milliseconds statement_timeout)
    : dsn_(std::move(dsn)), impl_(std::make_unique<Impl>()) {
  impl_->dsn = dsn_;
  impl_->statement_timeout = statement_timeout;
}

StatusReader::~StatusReader() = default;

StatusSnapshot StatusReader::overview(const Config& config, const std::map<std::string, int64_t>& next_runs) {
  StatusSnapshot snap;
  std::vector<const JobSpec*> jobs;
  for (const auto& job : config.jobs) {
    jobs.push_back(&job);
    snap.jobs.push_back(summary_of(job, config));
    if (auto it = next_runs.find(job.name); it != next_runs.end()) snap.jobs.back().next_run = it->second;
  }
  snap.now = impl_->read([&](pqxx::transaction_base& tx) { return impl_->fill(tx, config, snap.jobs, jobs); });
  return snap;
}

JobDetail StatusReader::job(const Config& config, const JobSpec& job, const std::map<std::string, int64_t>& next_runs) {
  JobDetail d;
  std::vector<JobSummary> one{summary_of(job, config)};
  if (auto it = next_runs.find(job.name); it != next_runs.end()) one[0].next_run = it->second;
  impl_->read([&](pqxx::transaction_base& tx) {
    d.now = impl_->fill(tx, config, one, {&job});
    if (exists(tx, "ccetl.runs")) {
      auto secrets = api_keys_of(config);
      pqxx::result r = tx.exec_params("SELECT " + kRunColumns + " FROM ccetl.runs r WHERE r.job = $1 "
                                      "ORDER BY r.started_at DESC LIMIT " + std::to_string(kRunsShown),
                                      job.name);
      for (const auto& row : r) d.runs.push_back(run_from(row, 0, secrets));
    }
    d.tables = impl_->tables(tx, config, job);
    return 0;
  });
  d.summary = std::move(one[0]);
  return d;
}

}  // namespace ccetl
