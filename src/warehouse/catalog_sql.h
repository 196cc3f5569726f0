// The idempotent DDL of the `ccetl` schema (runs, rejects, columns, push_log).
#pragma once

namespace ccetl::warehouse {

extern const char* const kCatalogSql;

}  // namespace ccetl::warehouse
