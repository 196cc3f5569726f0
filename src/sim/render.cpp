#include "sim/render.h"

#include "sim/fixtures.h"
#include "sim/json_writer.h"
#include "sim/synthetic.h"
#include "sim/synthetic_json.h"

namespace ccetl::sim {
namespace {

void apply_drift(PageView& v, const std::vector<FaultRule>& drift) {
  for (const auto& r : drift) {
    if (r.kind == FaultKind::FieldAdd) {
      int ordinal = static_cast<int>(v.fields.size());
      v.fields.push_back({r.name.empty() ? "Added Field" : r.name, r.type, "", ""});
      for (auto& row : v.rows) row.push_back(make_cell(ordinal, r.type, {}));
      continue;
    }
    if (r.field < 0 || static_cast<size_t>(r.field) >= v.fields.size()) continue;
    Field& f = v.fields[r.field];
    if (r.kind == FaultKind::FieldRename) {
      f.name = r.name;
    } else if (r.kind == FaultKind::FieldRetype) {
      std::string from = "\"dataType\":\"" + f.data_type + "\"";
      std::string to = "\"dataType\":\"" + r.type + "\"";
      f.data_type = r.type;
      for (auto& row : v.rows) {
        auto& json = row[r.field].json;
        auto pos = json.find(from);
        if (pos != std::string::npos) json.replace(pos, from.size(), to);
      }
    }
  }
}

// Writes a page up to and including the opening bracket of its "data" array.
void write_page_head(JsonWriter& w, const Paging& p, const std::vector<Field>& fields) {
  w.begin_object().key("paging").begin_object();
  w.key("currentPage").value(p.page).key("totalPages").value(p.total_pages);
  w.key("resultsPerPage").value(p.results_per_page).key("totalResults").value(p.total_results);
  w.end_object().key("fields").begin_array();
  for (const auto& f : fields) {
    w.begin_object().key("name").value(f.name).key("dataType").value(f.data_type);
    if (!f.form_id.empty()) w.key("formId").value(f.form_id);
    if (!f.question_id.empty()) w.key("questionId").value(f.question_id);
    w.end_object();
  }
  w.end_array().key("data").begin_array();
}

}  // namespace

PageSlice page_slice(const Endpoint& ep, int64_t page, const FaultActions& faults) {
  PageSlice s;
  s.paging.page = page;
  s.paging.results_per_page = ep.results_per_page;
  int64_t size = ep.table ? static_cast<int64_t>(ep.table->size()) : static_cast<int64_t>(ep.rows.size());
  // A row shift moves the window: inserted rows push earlier rows into this page again,
  // deleted rows pull later rows forward (the client never sees them).
  int64_t shift = faults.row_shift;
  int64_t total = std::max<int64_t>(0, size + shift);
  const int64_t announced = faults.stale_totals ? size : total;
  s.paging.total_results = ep.total_results_override ? *ep.total_results_override : announced;
  s.paging.total_pages = (announced + ep.results_per_page - 1) / ep.results_per_page;
  int64_t start = (page - 1) * ep.results_per_page - shift;
  int64_t end = std::min<int64_t>(start + ep.results_per_page, size);
  if (page > s.paging.total_pages) end = start;  // past the end: no rows
  start = std::max<int64_t>(start, 0);
  if (start < end) {
    s.first = static_cast<uint64_t>(start);
    s.count = static_cast<uint64_t>(end - start);
  }
  return s;
}

PageView build_page(const Endpoint& ep, int64_t page, const FaultActions& faults) {
  PageSlice s = page_slice(ep, page, faults);
  PageView v;
  v.paging = s.paging;
  v.fields = ep.fields;
  if (s.count > 0) {
    if (ep.table) {
      ep.table->rows(s.first, s.count, v.rows);
    } else {
      auto first = ep.rows.begin() + static_cast<int64_t>(s.first);
      v.rows.assign(first, first + static_cast<int64_t>(s.count));
    }
  }
  apply_drift(v, faults.drift);
  return v;
}

std::string render_data_page_json(const Endpoint& ep, int64_t page, const FaultActions& faults) {
  if (!ep.table || !faults.drift.empty()) return render_page_json(build_page(ep, page, faults));
  PageSlice s = page_slice(ep, page, faults);
  JsonWriter w;
  write_page_head(w, s.paging, ep.fields);
  append_synthetic_rows_json(*ep.table, s.first, s.count, w.str());
  w.end_array().end_object();
  return w.take();
}

std::string render_page_json(const PageView& v) {
  JsonWriter w;
  w.str().reserve(v.rows.size() * v.fields.size() * 160 + 512);
  write_page_head(w, v.paging, v.fields);
  for (const auto& row : v.rows) {
    w.begin_array();
    for (const auto& c : row) w.raw(c.json);
    w.end_array();
  }
  w.end_array().end_object();
  return w.take();
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string render_page_csv(const PageView& v) {
  std::string out;
  for (size_t i = 0; i < v.fields.size(); ++i) {
    if (i) out.push_back(',');
    append_csv_field(out, v.fields[i].name);
  }
  out += "\r\n";
  for (const auto& row : v.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out.push_back(',');
      if (row[i].computed.empty() && row[i].has_values)
        out += "\"\"";  // the empty string, not an empty cell
      else
        append_csv_field(out, row[i].computed);
    }
    out += "\r\n";
  }
  return out;
}

std::string render_lookup_json(const std::vector<LookupItem>& items) {
  JsonWriter w;
  w.begin_object().key("data").begin_array();
  for (const auto& i : items) w.raw(i.json);
  w.end_array().end_object();
  return w.take();
}

std::string render_lookup_csv(const std::vector<LookupItem>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    append_csv_field(out, items[i].name);
  }
  out += "\r\n";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    append_csv_field(out, items[i].computed);
  }
  out += "\r\n";
  return out;
}

}  // namespace ccetl::sim
