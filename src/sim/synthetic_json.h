// Writes a synthetic table's rows as data-package JSON straight into a page's output, without
// building Rows: byte for byte what render_page_json writes for the same rows taken from
// SyntheticTable::make_row (cells as make_cell renders them), at a fraction of the cost. The
// Row path stays for what needs Rows: schema drift and CSV.
#pragma once

#include <cstdint>
#include <string>

#include "sim/synthetic.h"

namespace ccetl::sim {

// Appends the JSON arrays of up to `count` surviving rows from position `start` (0-based, among
// survivors), separated by commas: the contents of a page's "data" array.
void append_synthetic_rows_json(const SyntheticTable& table, uint64_t start, uint64_t count, std::string& out);

}  // namespace ccetl::sim
