#include "warehouse/naming.h"

#include <catch2/catch.hpp>
#include <set>

#include "warehouse/sql_types.h"

using namespace ccetl::warehouse;

namespace {
std::string assign(const std::string& name, std::set<std::string>& taken) {
  std::string n =
      assign_column_name(name, [&](const std::string& c) { return taken.count(c) > 0; });
  taken.insert(n);
  return n;
}
bool harmless(const std::string& n) {
  if (n.empty() || n.size() > kMaxIdentifierBytes || n[0] == '_' || (n[0] >= '0' && n[0] <= '9'))
    return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}
}  // namespace

TEST_CASE("column names are lowercase ASCII snake_case") {
  CHECK(sanitize_column_name("First Name") == "first_name");
  CHECK(sanitize_column_name("  Device -- OS / Version  ") == "device_os_version");
  CHECK(sanitize_column_name("Größe (cm)") == "grosse_cm");
  CHECK(sanitize_column_name("Ünïcödé Çafé") == "unicode_cafe");
  CHECK(sanitize_column_name("Łódź") == "lodz");
  CHECK(sanitize_column_name("日本語 name") == "name");
  CHECK(sanitize_column_name("CamelCase") == "camelcase");
}

TEST_CASE("names that start with a digit, are empty or look reserved get an f_ prefix") {
  CHECK(sanitize_column_name("1st place") == "f_1st_place");
  CHECK(sanitize_column_name("") == "f");
  CHECK(sanitize_column_name("!!!") == "f");
  CHECK(sanitize_column_name("日本語") == "f");
  CHECK(sanitize_column_name("Select") == "f_select");
  CHECK(sanitize_column_name("xmin") == "f_xmin");
  CHECK(sanitize_column_name("project_key") == "f_project_key");
  CHECK(sanitize_column_name("_synced_at") == "synced_at");  // never a leading `_`
  CHECK(sanitize_column_name("selection") == "selection");
}

TEST_CASE("names differing only in case or punctuation become distinct columns") {
  std::set<std::string> taken;
  std::string a = assign("Name", taken);
  std::string b = assign("name", taken);
  std::string c = assign("N-a-m-e", taken);
  std::string d = assign("NAME", taken);
  CHECK(a == "name");
  CHECK(b.rfind("name_", 0) == 0);
  CHECK(d.rfind("name_", 0) == 0);
  CHECK(c == "n_a_m_e");
  CHECK(std::set<std::string>{a, b, c, d}.size() == 4);
  // Stable: the suffix depends on the field name only.
  std::set<std::string> other{"name"};
  CHECK(assign("name", other) == b);
}

TEST_CASE("long names fit 63 bytes, including multibyte ones, and stay distinct") {
  std::string long_a(500, 'a');
  std::string long_b = long_a + "b";
  std::string umlauts;
  for (int i = 0; i < 100; ++i) umlauts += "ü";
  std::set<std::string> taken;
  std::string a = assign(long_a, taken);
  std::string b = assign(long_b, taken);
  std::string u = assign(umlauts, taken);
  CHECK(a.size() <= 63);
  CHECK(b.size() <= 63);
  CHECK(u.size() <= 63);
  CHECK(a != b);
  CHECK(harmless(a));
  CHECK(harmless(b));
  CHECK(harmless(u));
}

TEST_CASE("SQL-hostile names become harmless identifiers") {
  std::set<std::string> taken;
  for (std::string name : {"\"; DROP TABLE x; --", "it's", "a\"b", "tab\there", "new\nline",
                           "back\\slash", "$1", "\xff\xfe broken utf8", "", " "}) {
    std::string n = assign(name, taken);
    INFO(name << " -> " << n);
    CHECK(harmless(n));
  }
  CHECK(taken.size() == 10);
}

TEST_CASE("UTF-8 helpers cut on boundaries and repair invalid bytes") {
  CHECK(truncate_utf8("aü", 2) == "a");
  CHECK(truncate_utf8("aü", 3) == "aü");
  CHECK(sanitize_utf8("ok\xff") == "ok?");
  CHECK(sanitize_utf8("grün") == "grün");
}

TEST_CASE("view column names keep original names, distinct and within 63 bytes") {
  std::string long_name;
  for (int i = 0; i < 40; ++i) long_name += "é";  // 80 bytes
  auto names = view_column_names({"Name", "name", "Name", "", long_name, long_name, "_synced_at"},
                                 {"c1", "c2", "c3", "c4", "c5", "c6", "c7"}, {"_synced_at"});
  REQUIRE(names.size() == 7);
  CHECK(names[0] == "Name");
  CHECK(names[1] == "name");
  CHECK(names[2] == "Name (2)");
  CHECK(names[3] == "c4");
  CHECK(names[4].size() <= 63);
  CHECK(names[5].size() <= 63);
  CHECK(names[4] != names[5]);
  CHECK(names[6] != "_synced_at");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == 7);
  CHECK(view_name("users") == "users_v");
  CHECK(view_name(std::string(63, 't')).size() == 63);
  // History tables: <table>_history and <table>_history_v, never cut by PostgreSQL.
  CHECK(history_table_name("users") == "users_history");
  CHECK(view_name(history_table_name("users")) == "users_history_v");
  CHECK(history_table_name(std::string(63, 't')) == std::string(53, 't') + "_history");
  CHECK(view_name(history_table_name(std::string(63, 't'))) == std::string(53, 't') + "_history_v");
}

TEST_CASE("types map to PostgreSQL and widen along a lossless lattice") {
  using ccetl::DataType;
  CHECK(sql_type_for(DataType::Boolean, false) == "boolean");
  CHECK(sql_type_for(DataType::Integer, false) == "bigint");
  CHECK(sql_type_for(DataType::Double, false) == "double precision");
  CHECK(sql_type_for(DataType::Date, false) == "timestamp without time zone");
  CHECK(sql_type_for(DataType::Date, true) == "timestamp with time zone");
  CHECK(sql_type_for(DataType::String, false) == "text");

  CHECK_FALSE(widen("bigint", "bigint"));
  CHECK(widen("bigint", "double precision") == std::optional<std::string>("numeric"));
  CHECK(widen("double precision", "bigint") == std::optional<std::string>("numeric"));
  CHECK_FALSE(widen("numeric", "bigint"));
  CHECK(widen("bigint", "text") == std::optional<std::string>("text"));
  CHECK(widen("boolean", "bigint") == std::optional<std::string>("text"));
  CHECK(widen("timestamp without time zone", "text") == std::optional<std::string>("text"));
  CHECK(widen("timestamp without time zone", "timestamp with time zone") ==
        std::optional<std::string>("timestamp with time zone"));
  CHECK_FALSE(widen("timestamp with time zone", "timestamp without time zone"));
  CHECK_FALSE(widen("text", "bigint"));                   // never narrows
  CHECK_FALSE(widen("character varying(20)", "bigint"));  // user-changed types are left alone
}
