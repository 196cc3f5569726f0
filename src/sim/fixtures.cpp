#include "sim/fixtures.h"

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "sim/json_writer.h"

namespace ccetl::sim {
namespace {

namespace dom = simdjson::dom;

[[noreturn]] void fail(const std::string& what) {
  throw ccetl::Error(ccetl::ErrorKind::Config, "fixture: " + what);
}

std::string get_string(dom::object obj, const char* key, const std::string& fallback = "") {
  dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return fallback;
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) fail(std::string("\"") + key + "\" must be a string");
  return std::string(s);
}

double get_double(dom::object obj, const char* key, double fallback) {
  dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return fallback;
  double d;
  if (e.get(d) != simdjson::SUCCESS) fail(std::string("\"") + key + "\" must be a number");
  return d;
}

int64_t get_int(dom::object obj, const char* key, int64_t fallback) {
  dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return fallback;
  int64_t v;
  if (e.get(v) != simdjson::SUCCESS) fail(std::string("\"") + key + "\" must be an integer");
  return v;
}

bool get_bool(dom::object obj, const char* key, bool fallback) {
  dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return fallback;
  bool v;
  if (e.get(v) != simdjson::SUCCESS) fail(std::string("\"") + key + "\" must be a boolean");
  return v;
}

// A scalar as the text that goes into computedValue.
std::string scalar_text(dom::element e) {
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(e);
}

Cell parse_cell(dom::element e, int ordinal, const std::string& data_type) {
  if (e.is_object()) {
    Cell c;
    c.json = simdjson::minify(e);
    dom::object obj = e.get_object().value();
    c.computed = get_string(obj, "computedValue");
    dom::array values;
    c.has_values = obj["values"].get(values) == simdjson::SUCCESS && values.size() > 0;
    return c;
  }
  std::vector<std::string> values;
  if (e.is_null()) {
  } else if (e.is_array()) {
    dom::array arr = e.get_array().value();
    for (dom::element v : arr) values.push_back(scalar_text(v));
  } else {
    values.push_back(scalar_text(e));
  }
  return make_cell(ordinal, data_type, values);
}

std::vector<Field> parse_fields(dom::object obj) {
  std::vector<Field> fields;
  dom::array arr;
  if (obj["fields"].get(arr) != simdjson::SUCCESS) return fields;
  for (dom::element f : arr) {
    dom::object fo;
    if (f.get(fo) != simdjson::SUCCESS) fail("each field must be an object");
    Field field;
    field.name = get_string(fo, "name");
    field.data_type = get_string(fo, "dataType", "string");
    field.question_id = get_string(fo, "questionId");
    field.form_id = get_string(fo, "formId");
    fields.push_back(std::move(field));
  }
  return fields;
}

const char* kTypes[] = {"string", "integer", "double", "date", "boolean"};

void parse_synthetic(dom::object obj, Endpoint& ep) {
  SyntheticSpec spec;
  spec.rows = static_cast<uint64_t>(get_int(obj, "rows", 1000));
  spec.seed = static_cast<uint64_t>(get_int(obj, "seed", 1));
  spec.empty_ratio = get_double(obj, "emptyRatio", spec.empty_ratio);
  spec.multi_ratio = get_double(obj, "multiRatio", spec.multi_ratio);
  spec.unicode = get_bool(obj, "unicode", spec.unicode);
  spec.version = static_cast<uint32_t>(get_int(obj, "version", 0));
  spec.change_ratio = get_double(obj, "changeRatio", spec.change_ratio);
  spec.delete_ratio = get_double(obj, "deleteRatio", spec.delete_ratio);
  dom::element f;
  if (obj["fields"].get(f) == simdjson::SUCCESS) {
    if (f.is_array()) {
      dom::array arr = f.get_array().value();
      for (dom::element t : arr) spec.field_types.push_back(scalar_text(t));
    } else {
      int64_t n = f.get_int64().value();
      for (int64_t i = 0; i < n; ++i) spec.field_types.push_back(kTypes[i % 5]);
    }
  } else {
    for (const char* t : kTypes) spec.field_types.push_back(t);
  }
  ep.synthetic = spec;
}

void parse_records(dom::object obj, Endpoint& ep) {
  dom::object recs;
  if (obj["records"].get(recs) != simdjson::SUCCESS) return;
  for (auto [find, items] : recs) {
    std::vector<LookupItem> out;
    dom::array arr;
    if (items.get(arr) != simdjson::SUCCESS) fail("each record must be an array");
    size_t i = 0;
    for (dom::element item : arr) {
      LookupItem li;
      if (item.is_object()) {
        dom::object io = item.get_object().value();
        li.json = simdjson::minify(item);
        li.name = get_string(io, "field", get_string(io, "name"));
        li.computed = get_string(io, "computedValue");
      } else {
        if (i >= ep.fields.size()) fail("shorthand lookup items need \"fields\"");
        const Field& field = ep.fields[i];
        Cell c = parse_cell(item, static_cast<int>(i), field.data_type);
        // Turn the data-package cell into a lookup item: "field" instead of "fieldOrdinal".
        JsonWriter w;
        w.begin_object().key("field").value(field.name).key("dataType").value(field.data_type);
        w.key("computedValue").value(c.computed);
        auto vpos = c.json.find("\"values\":");
        w.key("values").raw(std::string_view(c.json).substr(vpos + 9, c.json.size() - vpos - 10));
        w.end_object();
        li.json = w.take();
        li.name = field.name;
        li.computed = c.computed;
      }
      out.push_back(std::move(li));
      ++i;
    }
    ep.records[std::string(find)] = std::move(out);
  }
}

Endpoint parse_one(dom::element el, const std::string& default_api_key) {
  dom::object obj;
  if (el.get(obj) != simdjson::SUCCESS) fail("a fixture must be a JSON object");
  Endpoint ep;
  ep.path = normalize_path(get_string(obj, "path"));
  if (ep.path.size() <= 1) fail("\"path\" is required");
  ep.api_key = get_string(obj, "apiKey", default_api_key);
  auto implied = kind_from_path(ep.path);
  std::string kind = get_string(obj, "kind");
  static const std::pair<const char*, EndpointKind> kKinds[] = {
      {"data_package", EndpointKind::DataPackage},         {"record_lookup", EndpointKind::RecordLookup},
      {"macro_listener", EndpointKind::MacroListener},     {"comment_listener", EndpointKind::CommentListener},
      {"data_listener", EndpointKind::DataListener},       {"user_import", EndpointKind::UserImport},
      {"feedback", EndpointKind::Feedback},                {"release", EndpointKind::Release}};
  if (kind.empty()) {
    if (!implied) fail("cannot tell the kind of " + ep.path + "; give \"kind\"");
    ep.kind = *implied;
  } else {
    auto it = std::find_if(std::begin(kKinds), std::end(kKinds), [&](auto& k) { return kind == k.first; });
    if (it == std::end(kKinds)) fail("unknown kind \"" + kind + "\"");
    ep.kind = it->second;
    if (implied && *implied != ep.kind) fail(ep.path + " is not a " + kind + " path");
  }
  std::string format = get_string(obj, "format", "json");
  if (format != "json" && format != "csv") fail("\"format\" must be json or csv");
  ep.csv = format == "csv";
  ep.results_per_page = static_cast<int>(get_int(obj, "resultsPerPage", 1000));
  if (ep.results_per_page <= 0) fail("\"resultsPerPage\" must be positive");
  dom::element tr;
  if (obj["totalResults"].get(tr) == simdjson::SUCCESS) ep.total_results_override = tr.get_int64().value();

  if (ep.kind == EndpointKind::DataListener) {
    dom::array arr;
    if (obj["fields"].get(arr) == simdjson::SUCCESS) {
      for (dom::element f : arr) {
        dom::object fo = f.get_object().value();
        ep.listener_fields.push_back(
            {get_string(fo, "parameter"), get_string(fo, "label"), get_string(fo, "dataType", "string")});
      }
    }
  } else {
    ep.fields = parse_fields(obj);
  }

  dom::object syn;
  if (obj["synthetic"].get(syn) == simdjson::SUCCESS) parse_synthetic(syn, ep);
  dom::array rows;
  if (obj["rows"].get(rows) == simdjson::SUCCESS) {
    for (dom::element r : rows) {
      dom::array cells;
      if (r.get(cells) != simdjson::SUCCESS) fail("each row must be an array of cells");
      Row row;
      for (dom::element c : cells) {
        size_t i = row.size();
        std::string type = i < ep.fields.size() ? ep.fields[i].data_type : "string";
        row.push_back(parse_cell(c, static_cast<int>(i), type));
      }
      if (row.size() != ep.fields.size()) fail(ep.path + ": a row's cell count differs from the fields'");
      ep.rows.push_back(std::move(row));
    }
  }
  parse_records(obj, ep);

  dom::object async;
  if (obj["async"].get(async) == simdjson::SUCCESS) {
    ep.async.pending_ms = static_cast<int>(get_int(async, "pendingMs", ep.async.pending_ms));
    ep.async.processing_ms = static_cast<int>(get_int(async, "processingMs", ep.async.processing_ms));
    ep.async.outcome = get_string(async, "outcome", ep.async.outcome);
    if (ep.async.outcome != "Succeeded" && ep.async.outcome != "Failed")
      fail("\"async.outcome\" must be Succeeded or Failed");
  }
  ep.key_prefix = get_string(obj, "keyPrefix", ep.key_prefix);
  ep.first_number = static_cast<int>(get_int(obj, "firstNumber", 1));
  dom::array fes;
  if (obj["fileElements"].get(fes) == simdjson::SUCCESS) {
    for (dom::element f : fes) {
      dom::object fo = f.get_object().value();
      FileElement fe{get_string(fo, "title"), get_string(fo, "key"), get_bool(fo, "acceptsMultipleAttachments", false)};
      if (fe.title.empty()) fe.title = fe.key;
      ep.file_elements.push_back(std::move(fe));
    }
  }
  return ep;
}

}  // namespace

std::string_view to_string(EndpointKind kind) {
  switch (kind) {
    case EndpointKind::DataPackage: return "data_package";
    case EndpointKind::RecordLookup: return "record_lookup";
    case EndpointKind::MacroListener: return "macro_listener";
    case EndpointKind::CommentListener: return "comment_listener";
    case EndpointKind::DataListener: return "data_listener";
    case EndpointKind::UserImport: return "user_import";
    case EndpointKind::Feedback: return "feedback";
    case EndpointKind::Release: return "release";
  }
  return "?";
}

std::string normalize_path(std::string_view path) {
  if (path.substr(0, 7) == "/api/v1") path.remove_prefix(7);
  std::string out(path);
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::optional<EndpointKind> kind_from_path(std::string_view path) {
  auto last = path.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  auto prev = path.rfind('/', last - 1);
  std::string_view seg = path.substr(prev + 1, last - prev - 1);
  auto ends = [&](std::string_view s) { return seg.size() >= s.size() && seg.substr(seg.size() - s.size()) == s; };
  if (ends("DataPackages")) return EndpointKind::DataPackage;
  if (ends("RecordLookups")) return EndpointKind::RecordLookup;
  if (ends("MacroListeners")) return EndpointKind::MacroListener;
  if (ends("CommentListeners")) return EndpointKind::CommentListener;
  if (ends("DataListeners")) return EndpointKind::DataListener;
  if (seg == "userImports") return EndpointKind::UserImport;
  if (seg == "feedback") return EndpointKind::Feedback;
  if (seg == "releaseTypes") return EndpointKind::Release;
  return std::nullopt;
}

Cell make_cell(int ordinal, const std::string& data_type, const std::vector<std::string>& values) {
  bool quoted = !(data_type == "integer" || data_type == "double" || data_type == "boolean");
  Cell c;
  c.has_values = !values.empty();
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) c.computed += ", ";
    c.computed += values[i];
  }
  JsonWriter w;
  w.begin_object().key("fieldOrdinal").value(ordinal).key("dataType").value(data_type);
  w.key("computedValue").value(c.computed).key("values").begin_array();
  for (const auto& v : values) {
    if (quoted) w.value(v);
    else w.raw(v);
  }
  w.end_array().end_object();
  c.json = w.take();
  return c;
}

std::vector<Endpoint> parse_fixtures(std::string_view json, const std::string& default_api_key) {
  dom::parser parser;
  dom::element doc;
  simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(doc); err) fail(std::string("invalid JSON: ") + simdjson::error_message(err));
  std::vector<Endpoint> out;
  try {
    if (doc.is_array()) {
      dom::array arr = doc.get_array().value();
      for (dom::element e : arr) out.push_back(parse_one(e, default_api_key));
    } else {
      out.push_back(parse_one(doc, default_api_key));
    }
  } catch (const simdjson::simdjson_error& e) {
    fail(std::string("wrong JSON type: ") + e.what());
  }
  return out;
}

std::vector<Endpoint> load_fixture_dir(const std::string& dir, const std::string& default_api_key) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Endpoint> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      for (auto& ep : parse_fixtures(ss.str(), default_api_key)) out.push_back(std::move(ep));
    } catch (const ccetl::Error& e) {
      throw ccetl::Error(ccetl::ErrorKind::Config, f.string() + ": " + e.what());
    }
  }
  return out;
}

}  // namespace ccetl::sim
