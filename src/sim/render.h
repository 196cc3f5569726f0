// Renders data-package pages and record lookups as the reference's JSON or as CSV.
#pragma once

#include <string>
#include <vector>

#include "sim/faults.h"
#include "sim/model.h"

namespace ccetl::sim {

// What a page's "paging" object reports.
struct Paging {
  int64_t page = 1;
  int64_t total_pages = 0;
  int64_t total_results = 0;
  int results_per_page = 1000;
};

// Page `page` (1-based) of an endpoint, with row shifts from the faults applied: its paging and
// the positions [first, first + count) of the endpoint's rows it shows. Pages past the end show
// no rows.
struct PageSlice {
  Paging paging;
  uint64_t first = 0;
  uint64_t count = 0;
};
PageSlice page_slice(const Endpoint& ep, int64_t page, const FaultActions& faults);

struct PageView {
  Paging paging;
  std::vector<Field> fields;
  std::vector<Row> rows;
};

// Builds page `page` (1-based) of `ep`, applying schema drift and row shifts from `faults`.
// Pages past the end have no rows.
PageView build_page(const Endpoint& ep, int64_t page, const FaultActions& faults);

// The JSON of page `page` of a data package: the same bytes as
// render_page_json(build_page(ep, page, faults)), but a synthetic table without schema drift is
// written straight into the output (synthetic_json.h) instead of through Rows.
std::string render_data_page_json(const Endpoint& ep, int64_t page, const FaultActions& faults);

std::string render_page_json(const PageView& view);
// Header line of field names, then one line per row of computedValues; RFC 4180 quoting, CRLF.
std::string render_page_csv(const PageView& view);

std::string render_lookup_json(const std::vector<LookupItem>& items);
std::string render_lookup_csv(const std::vector<LookupItem>& items);

void append_csv_field(std::string& out, std::string_view s);

}  // namespace ccetl::sim
