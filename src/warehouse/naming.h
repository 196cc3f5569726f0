// SQL names for generated tables, columns and views.
//
// Column names are lowercase ASCII snake_case so BI users can type them unquoted: non-ASCII
// Latin letters are transliterated (ü -> u, ß -> ss), anything else becomes a separator, runs of
// separators collapse to `_`, and `_` is trimmed. Names that are empty, start with a digit, or
// look reserved (SQL keywords, PostgreSQL system columns, `project_key`) get an `f_` prefix.
// PostgreSQL silently truncates identifiers to 63 bytes, so names are cut here and, when cut or
// when they would collide with a name already taken, end in `_` + 8 hex digits of a stable hash
// of the original field name. Generated names never start with `_`: that prefix is reserved for
// system columns (`_seq`, `_multi_values`, `_synced_at`, `_deleted_at`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ccetl::warehouse {

inline constexpr std::size_t kMaxIdentifierBytes = 63;

// FNV-1a 64-bit: stable across platforms and releases (used for name suffixes and lock keys).
uint64_t fnv1a64(std::string_view text);

// The snake_case form of `field_name`, before length limits and collision handling.
std::string sanitize_column_name(std::string_view field_name);

// A column name for `field_name` that is <= 63 bytes and for which `taken(name)` is false.
std::string assign_column_name(std::string_view field_name,
                               const std::function<bool(const std::string&)>& taken);

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// Replaces bytes that are not valid UTF-8 with '?' (PostgreSQL rejects invalid text).
std::string sanitize_utf8(std::string_view text);

// Names for the BI view's columns: the original field names, each <= 63 bytes and distinct
// (case-sensitive, as quoted identifiers are). An empty name falls back to `fallback[i]`.
// `reserved` names (system columns) are never produced for fields.
std::vector<std::string> view_column_names(const std::vector<std::string>& field_names,
                                           const std::vector<std::string>& fallback,
                                           const std::vector<std::string>& reserved);

// The BI view of table `table`: `<table>_v`, the table part cut to fit 63 bytes.
std::string view_name(std::string_view table);

// The history table of `table` (`history: true`): `<table>_history`, the table part cut to 53
// bytes so that its own view, view_name(history_table_name(t)) = `<table>_history_v`, is never
// cut.
std::string history_table_name(std::string_view table);

}  // namespace ccetl::warehouse
