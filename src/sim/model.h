// What the simulator serves: one Endpoint per configured Centercode resource (data package,
// record lookup, listener, user-import source, feedback source, release type). Endpoints are
// immutable once built; replacing one swaps the shared_ptr, so a page being rendered keeps the
// version it started with.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccetl::sim {

class SyntheticTable;

enum class EndpointKind {
  DataPackage,
  RecordLookup,
  MacroListener,
  CommentListener,
  DataListener,
  UserImport,
  Feedback,
  Release,
};

std::string_view to_string(EndpointKind kind);

struct Field {
  std::string name;
  std::string data_type;  // boolean, date, double, integer, string
  std::string question_id;
  std::string form_id;
};

// One data-package cell, pre-rendered as its JSON object (with fieldOrdinal) plus the
// computedValue that CSV output uses.
struct Cell {
  std::string json;
  std::string computed;
  // The cell has values, so an empty computedValue is the empty string: CSV writes it as a
  // quoted "" (an empty cell without values is written as nothing).
  bool has_values = false;
};
using Row = std::vector<Cell>;

// One item of a record lookup's `data` array.
struct LookupItem {
  std::string json;
  std::string name;
  std::string computed;
};

// Rows generated on demand from a seed (synthetic.h). Field 0 is always the unique "ID".
struct SyntheticSpec {
  uint64_t rows = 0;
  uint64_t seed = 1;
  std::vector<std::string> field_types;  // data types of fields 1..n (field 0 is the ID)
  double empty_ratio = 0.1;
  double multi_ratio = 0.05;
  bool unicode = true;
  uint32_t version = 0;
  double change_ratio = 0.1;
  double delete_ratio = 0.01;
};

// Timing and outcome of queued operations (macro listeners, user imports).
struct AsyncBehavior {
  int pending_ms = 50;
  int processing_ms = 50;
  std::string outcome = "Succeeded";  // or "Failed"
};

struct DataListenerField {
  std::string parameter;
  std::string label;
  std::string data_type = "string";
};

struct FileElement {
  std::string title;
  std::string key;
  bool accepts_multiple = false;
};

struct Endpoint {
  std::string path;  // relative to /api/v1, e.g. "/projects/WidgetPro/feedbackDataPackages/Bugs"
  std::string api_key;
  EndpointKind kind = EndpointKind::DataPackage;

  // Data packages and record lookups.
  bool csv = false;
  int results_per_page = 1000;
  std::vector<Field> fields;
  std::vector<Row> rows;
  std::optional<SyntheticSpec> synthetic;
  std::shared_ptr<const SyntheticTable> table;  // built from `synthetic` when installed
  std::optional<int64_t> total_results_override;  // reported in paging only (reference example)
  std::map<std::string, std::vector<LookupItem>> records;

  // Macro listeners and user imports.
  AsyncBehavior async;
  // Data listeners.
  std::vector<DataListenerField> listener_fields;
  // Feedback sources.
  std::string key_prefix = "FB";
  int first_number = 1;
  std::vector<FileElement> file_elements;
};

using EndpointPtr = std::shared_ptr<const Endpoint>;

}  // namespace ccetl::sim
