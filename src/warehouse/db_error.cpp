#include "warehouse/db_error.h"

#include <pqxx/pqxx>

#include "core/redact.h"
#include "warehouse/server_watch.h"

namespace ccetl::warehouse {

ErrorKind kind_for_sqlstate(std::string_view s) {
  std::string_view cls = s.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "40" || cls == "53") return ErrorKind::Transient;
  if (cls == "22" || cls == "23") return ErrorKind::Data;
  return ErrorKind::Permanent;
}

void rethrow_db_error(const std::string& doing, std::string_view secret) {
  auto fail = [&](ErrorKind kind, const std::string& what) {
    std::string text = what;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    throw Error(kind, redact(doing + ": " + text, secret));
  };
  // The connection's ServerWatch shut it down: say why rather than "connection lost" (whatever
  // the wrapper that noticed the lost connection threw, CopyIn's Error included).
  if (auto verdict = ServerWatch::current_verdict()) fail(ErrorKind::Transient, *verdict);
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    // libpq's connect_timeout (warehouse/connection_defaults.h) ends with "timeout expired".
    const std::string what = e.what();
    fail(ErrorKind::Transient, (what.find("timeout expired") != std::string::npos
                                    ? "no answer within connect_timeout (the host accepts connections "
                                      "but the database does not respond): "
                                    : "connection lost: ") +
                                   what);
  } catch (const pqxx::in_doubt_error& e) {
    fail(ErrorKind::Transient, std::string("commit outcome unknown: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    fail(kind_for_sqlstate(e.sqlstate()), e.what());
  } catch (const pqxx::failure& e) {
    // libpqxx raises plain `failure` for lost connections it notices itself.
    fail(ErrorKind::Transient, e.what());
  } catch (const std::exception& e) {
    fail(ErrorKind::Permanent, e.what());
  } catch (...) {
    fail(ErrorKind::Permanent, "unknown error");
  }
  throw Error(ErrorKind::Permanent, doing);  // not reached: every branch throws
}

std::string dsn_password(const std::string& dsn) {
  if (dsn.rfind("postgres", 0) == 0) {  // postgresql:// or postgres://
    auto scheme = dsn.find("://");
    auto at = dsn.find('@', scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos) return {};
    auto userinfo = dsn.substr(scheme + 3, at - scheme - 3);
    auto colon = userinfo.find(':');
    std::string pw = colon == std::string::npos ? "" : userinfo.substr(colon + 1);
    if (auto q = dsn.find("password=", at); q != std::string::npos && pw.empty())
      pw = dsn.substr(q + 9, dsn.find('&', q) - q - 9);
    return pw;
  }
  auto pos = dsn.find("password");
  while (pos != std::string::npos) {
    std::size_t i = pos + 8;
    while (i < dsn.size() && dsn[i] == ' ') ++i;
    if (i < dsn.size() && dsn[i] == '=' && (pos == 0 || dsn[pos - 1] == ' ')) {
      ++i;
      while (i < dsn.size() && dsn[i] == ' ') ++i;
      std::string pw;
      if (i < dsn.size() && dsn[i] == '\'') {
        for (++i; i < dsn.size() && dsn[i] != '\''; ++i) {
          if (dsn[i] == '\\' && i + 1 < dsn.size()) ++i;
          pw += dsn[i];
        }
      } else {
        while (i < dsn.size() && dsn[i] != ' ') pw += dsn[i++];
      }
      return pw;
    }
    pos = dsn.find("password", pos + 1);
  }
  return {};
}

}  // namespace ccetl::warehouse
