// Vocabulary shared by every layer: Centercode data types, field metadata, scopes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccetl {

// The five `dataType` values the API documents for fields and cells.
enum class DataType { Boolean, Integer, Double, Date, String };

// Parses "boolean", "integer", "double", "date", "string" (exact, lowercase). nullopt otherwise.
std::optional<DataType> parse_data_type(std::string_view text);
std::string_view to_string(DataType type);

// One entry of a data package's `fields` array (or of a record lookup's `data` array).
struct Field {
  std::string name;
  DataType type = DataType::String;
  std::string form_id;      // empty when the API did not send one
  std::string question_id;  // empty when the API did not send one

  // The identity a column follows across renames: questionId (with formId) when present,
  // otherwise the field name.
  std::string identity() const;
  bool operator==(const Field&) const = default;
};

// The four data-package / record-lookup scopes of the API.
enum class Scope { CommunityUser, CommunityProject, ProjectUser, ProjectFeedback };

// Parses the configuration names: community_user, community_project, project_user, project_feedback.
std::optional<Scope> parse_scope(std::string_view text);
std::string_view to_string(Scope scope);
// True for project_user and project_feedback, whose URLs carry /projects/{projectKey}.
bool scope_needs_project(Scope scope);

}  // namespace ccetl

namespace ccetl {

// A value that could not be loaded as its declared type, or a row that could not be loaded at
// all. Recorded in ccetl.rejects; the value itself is loaded as NULL (or the row skipped).
struct Reject {
  int64_t page = 0;        // page number the row came from (1-based; 0 when not paged)
  int64_t row_seq = 0;     // the row's run-wide sequence number (staging `_seq`)
  std::string field;       // field name; empty for row-level problems
  std::string raw_value;   // as received, truncated to 1 KiB, NUL bytes shown as \0
  std::string reason;      // e.g. "not an integer", "missing key field 'ID'"
};

// How a keyed job treats rows missing from a complete run.
enum class DeleteMode { Keep, Soft, Hard };

}  // namespace ccetl
