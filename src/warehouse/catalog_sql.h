// The idempotent DDL of the `ccetl` schema (runs, rejects, columns, push_log): the text of
// sql/001_catalog.sql, compiled in at build time (CMakeLists.txt, cmake/catalog_sql.cpp.in).
#pragma once

namespace ccetl::warehouse {

extern const char* const kCatalogSql;

}  // namespace ccetl::warehouse
