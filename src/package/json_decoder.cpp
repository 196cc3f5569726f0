// JSON pages (data packages and record lookups) with simdjson On-Demand.
//
// Why the shape: On-Demand walks the document once, forward only. Cells are iterated with
// `for (field : object)` and a switch on the key (2-3x faster than obj["x"] lookups). A cell's
// `values` can only be typed once its field is known; when `values` comes before `fieldOrdinal`
// (or, in a lookup, before `name`/`dataType`) the array's raw text is kept and parsed again by a
// second parser at the end of the cell. A `data` array before `fields` is skipped and read in a
// second pass after `rewind()`. computedValue is only unescaped when a multi-valued string cell
// needs it. Any error throws Error(Data) and the page is cleared: all or nothing.
#include <simdjson.h>

#include <optional>
#include <string>

#include "core/error.h"
#include "package/decoder.h"
#include "package/decoder_impl.h"
#include "package/value_text.h"

namespace ccetl {
namespace {

namespace od = simdjson::ondemand;
using package_detail::RowAssembler;

const char* error_name(simdjson::error_code e) {
  switch (e) {
    case simdjson::CAPACITY: return "CAPACITY";
    case simdjson::MEMALLOC: return "MEMALLOC";
    case simdjson::TAPE_ERROR: return "TAPE_ERROR";
    case simdjson::DEPTH_ERROR: return "DEPTH_ERROR";
    case simdjson::STRING_ERROR: return "STRING_ERROR";
    case simdjson::T_ATOM_ERROR: return "T_ATOM_ERROR";
    case simdjson::F_ATOM_ERROR: return "F_ATOM_ERROR";
    case simdjson::N_ATOM_ERROR: return "N_ATOM_ERROR";
    case simdjson::NUMBER_ERROR: return "NUMBER_ERROR";
    case simdjson::UTF8_ERROR: return "UTF8_ERROR";
    case simdjson::EMPTY: return "EMPTY";
    case simdjson::UNESCAPED_CHARS: return "UNESCAPED_CHARS";
    case simdjson::UNCLOSED_STRING: return "UNCLOSED_STRING";
    case simdjson::INCORRECT_TYPE: return "INCORRECT_TYPE";
    case simdjson::NUMBER_OUT_OF_RANGE: return "NUMBER_OUT_OF_RANGE";
    case simdjson::OUT_OF_ORDER_ITERATION: return "OUT_OF_ORDER_ITERATION";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "INCOMPLETE_ARRAY_OR_OBJECT";
    case simdjson::OUT_OF_BOUNDS: return "OUT_OF_BOUNDS";
    default: return "JSON_ERROR";
  }
}

[[noreturn]] void fail(const std::string& message) { throw Error(ErrorKind::Data, message); }

enum class Kind { String, Number, Bool };

// What is known about the cell being decoded.
struct Cell {
  int64_t ordinal = -1;  // -1 until known
  DataType type = DataType::String;
  size_t start = 0;  // where its text begins in the row buffer
  int count = 0;     // values seen
  bool null = false;  // a value was rejected
  bool values_seen = false;
  bool deferred = false;
  std::string_view computed;  // raw JSON token of computedValue when it is a string
  Kind first_kind = Kind::String;
  std::string_view first_text;
};

// Decodes one JSON page into the Impl's RowAssembler.
class JsonPage {
 public:
  JsonPage(package_detail::DecoderState& impl, std::string& body) : impl_(impl), rows_(impl.rows), body_(body) {}

  // Parses the body, leaving doc_ ready. Checks size, emptiness and that it looks like an object.
  void open() {
    if (body_.size() > impl_.max_page_bytes)
      fail("page of " + std::to_string(body_.size()) + " bytes exceeds the limit of " +
           std::to_string(impl_.max_page_bytes) + " bytes");
    size_t i = 0;
    while (i < body_.size() && (body_[i] == ' ' || body_[i] == '\n' || body_[i] == '\r' || body_[i] == '\t'))
      ++i;
    if (i == body_.size()) fail("empty body (no JSON document)");
    if (body_[i] != '{') {
      std::string head = package_detail::reject_raw_value(body_.substr(i, 40));
      for (char& c : head)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      fail("body is not a JSON object (starts with '" + head + "')");
    }
    if (body_.capacity() < body_.size() + simdjson::SIMDJSON_PADDING)
      body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
    base_ = body_.data();
    auto e = impl_.parser.iterate(simdjson::padded_string_view(body_.data(), body_.size(), body_.capacity()))
                 .get(doc_);
    if (e) json_fail(e, "");
    doc_open_ = true;
  }

  void decode_data_package() {
    od::object top = top_object();
    bool data_deferred = false;
    bool seen_paging = false, seen_fields = false, seen_data = false;
    for (auto member : top) {
      od::field f;
      check(std::move(member).get(f), "in the top-level object");
      od::raw_json_string key = f.key();
      if (key.unsafe_is_equal("paging")) {
        once(seen_paging, "paging");
        read_paging(f.value());
      } else if (key.unsafe_is_equal("fields")) {
        once(seen_fields, "fields");
        read_fields(f.value());
      } else if (key.unsafe_is_equal("data")) {
        once(seen_data, "data");
        if (seen_fields)
          read_rows(f.value());
        else
          data_deferred = true;  // skipped now, read after `fields` in a second pass
      }
    }
    if (!seen_paging) fail("missing `paging`");
    if (!seen_fields) fail("missing `fields`");
    if (!seen_data) fail("missing `data`");
    check_end();
    if (data_deferred) {
      doc_.rewind();
      od::object again = top_object();
      for (auto member : again) {
        od::field f;
        check(std::move(member).get(f), "in the top-level object");
        if (f.key().unsafe_is_equal("data")) {
          read_rows(f.value());
          break;
        }
      }
    }
  }

  void decode_record_lookup() {
    od::object top = top_object();
    bool seen_data = false;
    for (auto member : top) {
      od::field f;
      check(std::move(member).get(f), "in the top-level object");
      if (f.key().unsafe_is_equal("data")) {
        once(seen_data, "data");
        read_lookup(f.value());
      }
    }
    if (!seen_data) fail("missing `data`");
    check_end();
  }

 private:
  od::object top_object() {
    od::object top;
    auto e = doc_.get_object().get(top);
    if (e == simdjson::INCORRECT_TYPE) fail("body is not a JSON object");
    check(e, "at the top level");
    return top;
  }

  static void once(bool& seen, const char* key) {
    if (seen) fail(std::string("`") + key + "` appears twice");
    seen = true;
  }

  // On-Demand does not look past the top-level object by itself.
  void check_end() {
    const char* at = nullptr;
    if (doc_.current_location().get(at) == simdjson::SUCCESS && at != nullptr && at < base_ + body_.size()) {
      fail("trailing content after the JSON document at byte " + std::to_string(at - base_));
    }
  }

  std::string where() const {
    std::string w;
    if (row_ > 0) {
      w = "row " + std::to_string(row_);
      if (cell_ > 0) w += ", cell " + std::to_string(cell_);
    }
    return w;
  }

  [[noreturn]] void json_fail(simdjson::error_code e, const std::string& context) {
    std::string msg = std::string("malformed JSON (") + error_name(e) + ": " + simdjson::error_message(e) + ")";
    const char* at = nullptr;
    if (doc_open_ && !in_aux_ && doc_.current_location().get(at) == simdjson::SUCCESS && at >= base_ &&
        at <= base_ + body_.size())
      msg += " at byte " + std::to_string(at - base_);
    if (in_aux_) msg += " in a `values` array";
    std::string w = where();
    if (!w.empty()) msg += " (" + w + ")";
    if (!context.empty()) msg += " " + context;
    fail(msg);
  }

  void check(simdjson::error_code e, const char* context) {
    if (e) json_fail(e, context);
  }

  [[noreturn]] void cell_fail(const std::string& what) {
    std::string w = where();
    fail(w.empty() ? what : w + ": " + what);
  }

  // A value of the wrong type, or a stray ']' '}' ',' ':' that On-Demand reports as one
  // (it does not match brackets up front).
  [[noreturn]] void not_a(od::value& v, const char* what) {
    std::string_view token = v.raw_json_token();
    if (!token.empty() && (token[0] == ']' || token[0] == '}' || token[0] == ',' || token[0] == ':')) {
      std::string msg = std::string("malformed JSON (unexpected '") + token[0] + "')";
      if (!in_aux_ && token.data() >= base_ && token.data() < base_ + body_.size())
        msg += " at byte " + std::to_string(token.data() - base_);
      msg += " (" + where() + ")";
      fail(msg);
    }
    cell_fail(what);
  }

  // ---- paging and fields ----

  void read_paging(od::value v) {
    od::object obj;
    auto e = v.get_object().get(obj);
    if (e == simdjson::INCORRECT_TYPE) fail("`paging` is not an object");
    check(e, "in `paging`");
    Paging& p = rows_out().paging;
    bool seen[4] = {false, false, false, false};
    static constexpr const char* kNames[4] = {"currentPage", "totalPages", "resultsPerPage", "totalResults"};
    int64_t* targets[4] = {&p.current_page, &p.total_pages, &p.results_per_page, &p.total_results};
    for (auto member : obj) {
      od::field f;
      check(std::move(member).get(f), "in `paging`");
      for (int i = 0; i < 4; ++i) {
        if (!f.key().unsafe_is_equal(kNames[i])) continue;
        auto ie = f.value().get_int64().get(*targets[i]);
        if (ie == simdjson::INCORRECT_TYPE || ie == simdjson::NUMBER_ERROR || ie == simdjson::NUMBER_OUT_OF_RANGE)
          fail(std::string("`paging.") + kNames[i] + "` is not an integer");
        check(ie, "in `paging`");
        seen[i] = true;
      }
    }
    for (int i = 0; i < 4; ++i)
      if (!seen[i]) fail(std::string("missing `paging.") + kNames[i] + "`");
    if (p.current_page < 1) fail("`paging.currentPage` is " + std::to_string(p.current_page) + ", below 1");
    if (p.total_pages < 0) fail("`paging.totalPages` is negative");
    if (p.results_per_page < 1)
      fail("`paging.resultsPerPage` is " + std::to_string(p.results_per_page) + ", below 1");
    if (p.total_results < 0) fail("`paging.totalResults` is negative");
    // A huge totalPages would make the caller fetch pages that cannot exist.
    const int64_t expected = p.total_results / p.results_per_page + (p.total_results % p.results_per_page != 0);
    if (p.total_pages > expected + 1)
      fail("`paging.totalPages` is " + std::to_string(p.total_pages) + " but totalResults " +
           std::to_string(p.total_results) + " at resultsPerPage " + std::to_string(p.results_per_page) +
           " needs " + std::to_string(expected));
    p.present = true;
  }

  // Optional string metadata (formId, questionId): strings as is, numbers as their text, null empty.
  std::string optional_text(od::value v, const std::string& what) {
    od::json_type t;
    check(v.type().get(t), what.c_str());
    std::string_view s;
    switch (t) {
      case od::json_type::string: check(v.get_string().get(s), what.c_str()); return std::string(s);
      case od::json_type::null: return {};
      case od::json_type::number:
      case od::json_type::boolean: return std::string(package_detail::trim_json_ws(v.raw_json_token()));
      default: fail(what + " is not a string");
    }
  }

  void read_fields(od::value v) {
    od::array arr;
    auto e = v.get_array().get(arr);
    if (e == simdjson::INCORRECT_TYPE) fail("`fields` is not an array");
    check(e, "in `fields`");
    size_t index = 0;
    for (auto element : arr) {
      const std::string at = "`fields[" + std::to_string(index) + "]`";
      od::value ev;
      check(element.get(ev), at.c_str());
      od::object obj;
      e = ev.get_object().get(obj);
      if (e == simdjson::INCORRECT_TYPE) fail(at + " is not an object");
      check(e, at.c_str());
      Field field;
      bool has_name = false;
      std::optional<std::string> type_text;
      for (auto member : obj) {
        od::field f;
        check(std::move(member).get(f), at.c_str());
        od::raw_json_string key = f.key();
        if (key.unsafe_is_equal("name")) {
          std::string_view s;
          e = f.value().get_string().get(s);
          if (e == simdjson::INCORRECT_TYPE) fail(at + ".name is not a string");
          check(e, at.c_str());
          field.name = std::string(s);
          has_name = true;
        } else if (key.unsafe_is_equal("dataType")) {
          std::string_view s;
          e = f.value().get_string().get(s);
          if (e == simdjson::INCORRECT_TYPE) fail(at + ".dataType is not a string");
          check(e, at.c_str());
          type_text = std::string(s);
        } else if (key.unsafe_is_equal("formId")) {
          field.form_id = optional_text(f.value(), at + ".formId");
        } else if (key.unsafe_is_equal("questionId")) {
          field.question_id = optional_text(f.value(), at + ".questionId");
        }
      }
      if (!has_name) fail(at + " has no `name`");
      if (!type_text) fail(at + " ('" + field.name + "') has no `dataType`");
      auto type = parse_data_type(*type_text);
      if (!type) fail(at + " ('" + field.name + "') has unknown dataType '" + *type_text + "'");
      field.type = *type;
      rows_.add_field(std::move(field));
      ++index;
    }
    rows_.resolve_keys();
  }

  // ---- rows ----

  void read_rows(od::value v) {
    od::array arr;
    auto e = v.get_array().get(arr);
    if (e == simdjson::INCORRECT_TYPE) fail("`data` is not an array");
    check(e, "in `data`");
    const size_t nfields = rows_.field_count();
    for (auto row : arr) {
      rows_.begin_row();
      row_ = rows_.row_number();
      cell_ = 0;
      od::value rv;
      check(row.get(rv), "");
      od::array cells;
      e = rv.get_array().get(cells);
      if (e == simdjson::INCORRECT_TYPE) not_a(rv, "is not an array");
      check(e, "");
      size_t position = 0;
      for (auto c : cells) {
        cell_ = static_cast<int64_t>(position) + 1;
        od::value cv;
        check(c.get(cv), "");
        od::object obj;
        e = cv.get_object().get(obj);
        if (e == simdjson::INCORRECT_TYPE) not_a(cv, "is not an object");
        check(e, "");
        read_package_cell(obj, position);
        ++position;
      }
      cell_ = 0;
      if (position != nfields)
        cell_fail("has " + std::to_string(position) + " cells but there are " + std::to_string(nfields) + " fields");
      rows_.end_row();
    }
    row_ = 0;
  }

  void set_ordinal(Cell& c, int64_t ordinal) {
    const size_t n = rows_.field_count();
    if (c.ordinal >= 0) cell_fail("fieldOrdinal appears twice in one cell");
    if (ordinal < 0 || static_cast<uint64_t>(ordinal) >= n)
      cell_fail("cell has fieldOrdinal " + std::to_string(ordinal) + " but there are " + std::to_string(n) +
                " fields");
    if (rows_.cell_taken(static_cast<size_t>(ordinal)))
      cell_fail("fieldOrdinal " + std::to_string(ordinal) + " appears in two cells");
    c.ordinal = ordinal;
    c.type = rows_.field(static_cast<size_t>(ordinal)).type;
  }

  void read_package_cell(od::object& obj, size_t position) {
    Cell c;
    c.start = rows_.cell_start();
    for (auto member : obj) {
      od::field f;
      check(std::move(member).get(f), "");
      od::raw_json_string key = f.key();
      switch (*key.raw()) {
        case 'f':
          if (key.unsafe_is_equal("fieldOrdinal")) {
            int64_t ordinal = 0;
            auto e = f.value().get_int64().get(ordinal);
            if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE)
              cell_fail("fieldOrdinal is not an integer");
            check(e, "");
            set_ordinal(c, ordinal);
          }
          break;
        case 'v':
          if (key.unsafe_is_equal("values")) take_values(f.value(), c, c.ordinal >= 0);
          break;
        case 'c':
          if (key.unsafe_is_equal("computedValue")) take_computed(f.value(), c);
          break;
        default:
          break;  // dataType (informational: the field's type rules), responseId, answerId, ...
      }
    }
    if (c.ordinal < 0) set_ordinal(c, static_cast<int64_t>(position));
    finish_cell(c);
  }

  void take_computed(od::value v, Cell& c) {
    std::string_view token = package_detail::trim_json_ws(v.raw_json_token());
    if (token.size() >= 2 && token.front() == '"') c.computed = token;
  }

  // Reads `values` now when the cell's type is known, else keeps its raw text for later.
  void take_values(od::value v, Cell& c, bool ready) {
    if (c.values_seen) cell_fail("`values` appears twice in one cell");
    c.values_seen = true;
    od::json_type t;
    check(v.type().get(t), "");
    if (t == od::json_type::null) return;
    if (t != od::json_type::array) cell_fail("`values` is not an array");
    od::array arr;
    check(v.get_array().get(arr), "");
    if (ready) {
      c.start = rows_.cell_start();
      read_values(arr, c);
      return;
    }
    std::string_view raw;
    check(arr.raw_json().get(raw), "");
    std::string& pending = impl_.pending_values;
    pending.assign(raw);
    pending.append(simdjson::SIMDJSON_PADDING, ' ');
    c.deferred = true;
  }

  void run_deferred(Cell& c) {
    std::string& pending = impl_.pending_values;
    const size_t len = pending.size() - simdjson::SIMDJSON_PADDING;
    od::document aux;
    in_aux_ = true;
    check(impl_.aux_parser.iterate(simdjson::padded_string_view(pending.data(), len, pending.size())).get(aux), "");
    od::array arr;
    check(aux.get_array().get(arr), "");
    c.start = rows_.cell_start();
    read_values(arr, c);
    in_aux_ = false;
  }

  void read_values(od::array& arr, Cell& c) {
    for (auto element : arr) {
      od::value v;
      check(element.get(v), "");
      od::json_type t;
      check(v.type().get(t), "");
      switch (t) {
        case od::json_type::string: {
          // The token first: a bad escape is only found while unescaping, after which the
          // value is consumed. STRING_ERROR leaves the iterator usable, so it is a reject.
          std::string_view token = v.raw_json_token();
          std::string_view s;
          auto e = v.get_string().get(s);
          if (e == simdjson::STRING_ERROR) {
            add_bad_value(c, package_detail::trim_json_ws(token), "invalid string escape (such as a lone surrogate)");
            break;
          }
          check(e, "");
          add_value(c, Kind::String, s);
          break;
        }
        case od::json_type::number: {
          std::string_view token = package_detail::trim_json_ws(v.raw_json_token());
          if (!package_detail::is_json_number(token))
            cell_fail("malformed number '" + package_detail::reject_raw_value(token.substr(0, 40)) + "'");
          add_value(c, Kind::Number, token);
          break;
        }
        case od::json_type::boolean: {
          std::string_view token = package_detail::trim_json_ws(v.raw_json_token());
          if (token != "true" && token != "false")
            cell_fail("malformed literal '" + package_detail::reject_raw_value(token.substr(0, 40)) + "'");
          add_value(c, Kind::Bool, token);
          break;
        }
        case od::json_type::null: {
          std::string_view token = package_detail::trim_json_ws(v.raw_json_token());
          if (token != "null")
            cell_fail("malformed literal '" + package_detail::reject_raw_value(token.substr(0, 40)) + "'");
          break;  // a null element is no value
        }
        case od::json_type::array:
        case od::json_type::object: {
          std::string_view raw;
          if (t == od::json_type::array) {
            od::array inner;
            check(v.get_array().get(inner), "");
            check(inner.raw_json().get(raw), "");
          } else {
            od::object inner;
            check(v.get_object().get(inner), "");
            check(inner.raw_json().get(raw), "");
          }
          add_bad_value(c, raw, "nested JSON value in `values`");
          break;
        }
      }
    }
  }

  static const char* render(DataType type, Kind kind, std::string_view text, std::string& out) {
    switch (type) {
      case DataType::String:
        if (kind == Kind::String) return package_detail::render_string(text, out);
        out.append(text);  // numbers and booleans need no escaping
        return nullptr;
      case DataType::Integer:
        return kind == Kind::Bool ? "not an integer" : package_detail::render_integer(text, out);
      case DataType::Double:
        return kind == Kind::Bool ? "not a number" : package_detail::render_double(text, out);
      case DataType::Boolean:
        return package_detail::render_boolean(text, out);
      case DataType::Date:
        return kind == Kind::String ? package_detail::render_date(text, out) : "not a date";
    }
    return "unknown type";
  }

  void reject_value(const Cell& c, Kind kind, std::string_view text, const char* reason) {
    const std::string& name = rows_.field(static_cast<size_t>(c.ordinal)).name;
    if (kind == Kind::String) {
      std::string raw;
      package_detail::append_json_string(raw, text.substr(0, 1100), false);
      rows_.reject(name, raw, reason);
    } else {
      rows_.reject(name, text, reason);
    }
  }

  void append_multi(Kind kind, std::string_view text) {
    std::string& m = rows_.multi_text();
    if (kind == Kind::String) {
      package_detail::append_json_string(m, text, true);
    } else {
      m.push_back('"');
      m.append(text);  // numbers and true/false contain nothing to escape
      m.push_back('"');
    }
  }

  // Opens the cell's _multi_values list with its first value (null when that one was unusable).
  void begin_multi(const Cell& c) {
    rows_.begin_multi(static_cast<size_t>(c.ordinal));
    if (c.first_text.data() != nullptr)
      append_multi(c.first_kind, c.first_text);
    else
      rows_.multi_text().append("null");
  }

  // A value that cannot be read at all makes the whole cell NULL with one reject. It still
  // counts as a value (null in _multi_values) so that a later value does not take its place.
  void add_bad_value(Cell& c, std::string_view raw, const char* reason) {
    if (!c.null) rows_.reject(rows_.field(static_cast<size_t>(c.ordinal)).name, raw, reason);
    c.null = true;
    if (c.count == 0) {
      c.first_text = {};
    } else {
      if (c.count == 1) begin_multi(c);
      rows_.multi_text().append(",null");
    }
    ++c.count;
  }

  void add_value(Cell& c, Kind kind, std::string_view text) {
    std::string& buf = rows_.cell_text();
    if (c.count == 0) {
      c.first_kind = kind;
      c.first_text = text;
      if (!c.null) {
        if (const char* reason = render(c.type, kind, text, buf)) {
          c.null = true;
          reject_value(c, kind, text, reason);
        }
      }
    } else {
      if (c.count == 1) begin_multi(c);
      rows_.multi_text().push_back(',');
      append_multi(kind, text);
      if (c.type == DataType::String && !c.null) {
        buf.append(", ");
        if (const char* reason = render(c.type, kind, text, buf)) {
          c.null = true;
          reject_value(c, kind, text, reason);
        }
      }
    }
    ++c.count;
  }

  void finish_cell(Cell& c) {
    if (c.deferred) run_deferred(c);
    const size_t ordinal = static_cast<size_t>(c.ordinal);
    if (c.count >= 2) {
      rows_.multi_text().push_back(']');
      if (c.type == DataType::String && !c.null && c.computed.size() > 2) use_computed(c);
    }
    rows_.end_cell(ordinal, c.start, c.null || c.count == 0);
  }

  // A multi-valued string cell shows the API's computedValue (the join is the fallback).
  void use_computed(Cell& c) {
    std::string& scratch = impl_.unescaped;
    scratch.resize(c.computed.size() + simdjson::SIMDJSON_PADDING);
    uint8_t* dst = reinterpret_cast<uint8_t*>(scratch.data());
    od::raw_json_string raw(reinterpret_cast<const uint8_t*>(c.computed.data() + 1));
    std::string_view text;
    if (impl_.parser.unescape(raw, dst).get(text)) return;  // unusable: keep the joined values
    std::string& buf = rows_.cell_text();
    buf.resize(c.start);
    if (const char* reason = package_detail::render_string(text, buf)) {
      c.null = true;
      reject_value(c, Kind::String, text, reason);
    }
  }

  // ---- record lookups ----

  void read_lookup(od::value v) {
    od::array arr;
    auto e = v.get_array().get(arr);
    if (e == simdjson::INCORRECT_TYPE) fail("`data` is not an array");
    check(e, "in `data`");
    rows_.begin_row();
    size_t index = 0;
    for (auto element : arr) {
      const std::string at = "`data[" + std::to_string(index) + "]`";
      od::value ev;
      check(element.get(ev), at.c_str());
      od::object obj;
      e = ev.get_object().get(obj);
      if (e == simdjson::INCORRECT_TYPE) fail(at + " is not an object");
      check(e, at.c_str());
      read_lookup_element(obj, index, at);
      ++index;
    }
    rows_.resolve_keys();
    rows_.end_row();
  }

  void read_lookup_element(od::object& obj, size_t index, const std::string& at) {
    Cell c;
    c.start = rows_.cell_start();
    Field field;
    bool has_name = false;
    std::optional<std::string> type_text;
    bool added = false;
    auto add_if_ready = [&] {
      if (added || !has_name || !type_text) return;
      auto type = parse_data_type(*type_text);
      if (!type) fail(at + " ('" + field.name + "') has unknown dataType '" + *type_text + "'");
      field.type = *type;
      rows_.add_field(field);
      added = true;
      c.ordinal = static_cast<int64_t>(index);
      c.type = *type;
    };
    for (auto member : obj) {
      od::field f;
      check(std::move(member).get(f), at.c_str());
      od::raw_json_string key = f.key();
      if (key.unsafe_is_equal("name") || key.unsafe_is_equal("field")) {
        std::string_view s;
        auto e = f.value().get_string().get(s);
        if (e == simdjson::INCORRECT_TYPE) fail(at + ".name is not a string");
        check(e, at.c_str());
        if (added) continue;  // both `name` and `field`: the first one names the column
        field.name = std::string(s);
        has_name = true;
        add_if_ready();
      } else if (key.unsafe_is_equal("dataType")) {
        std::string_view s;
        auto e = f.value().get_string().get(s);
        if (e == simdjson::INCORRECT_TYPE) fail(at + ".dataType is not a string");
        check(e, at.c_str());
        if (added) continue;
        type_text = std::string(s);
        add_if_ready();
      } else if (key.unsafe_is_equal("formId")) {
        field.form_id = optional_text(f.value(), at + ".formId");
      } else if (key.unsafe_is_equal("questionId")) {
        field.question_id = optional_text(f.value(), at + ".questionId");
      } else if (key.unsafe_is_equal("computedValue")) {
        take_computed(f.value(), c);
      } else if (key.unsafe_is_equal("values")) {
        take_values(f.value(), c, added);
      }
    }
    if (!has_name) fail(at + " has no `name` or `field`");
    if (!type_text) fail(at + " ('" + field.name + "') has no `dataType`");
    add_if_ready();
    Field& stored = rows_out().fields[index];
    stored.form_id = field.form_id;
    stored.question_id = field.question_id;
    finish_cell(c);
  }

  DecodedPage& rows_out() { return *out_; }

 public:
  DecodedPage* out_ = nullptr;

 private:
  package_detail::DecoderState& impl_;
  RowAssembler& rows_;
  std::string& body_;
  const char* base_ = nullptr;
  od::document doc_;
  int64_t row_ = 0;   // 1-based row being decoded, 0 outside `data`
  int64_t cell_ = 0;  // 1-based cell position within the row, 0 outside a cell
  bool in_aux_ = false;
  bool doc_open_ = false;  // current_location() is only safe on a successfully opened document
};

}  // namespace

namespace {

// Both JSON shapes share the contract: the page is decoded completely or `out` is left empty.
template <typename Impl, typename DecodeFn>
void decode_json_page(Impl& impl, std::string& body, const DecodeOptions& options, int64_t first_seq,
                      DecodedPage& out, DecodeFn decode) {
  impl.rows.begin_page(options, out, first_seq);
  try {
    JsonPage page(impl, body);
    page.out_ = &out;
    page.open();
    decode(page);
  } catch (...) {
    out.clear();
    throw;
  }
}

}  // namespace

void Decoder::decode_data_package(std::string& body, const DecodeOptions& options, int64_t first_seq,
                                  DecodedPage& out) {
  decode_json_page(*impl_, body, options, first_seq, out, [](JsonPage& page) { page.decode_data_package(); });
}

void Decoder::decode_record_lookup(std::string& body, const DecodeOptions& options, int64_t first_seq,
                                   DecodedPage& out) {
  decode_json_page(*impl_, body, options, first_seq, out, [](JsonPage& page) { page.decode_record_lookup(); });
}

}  // namespace ccetl
