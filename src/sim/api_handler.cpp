#include "sim/api_handler.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <vector>

#include "sim/json_writer.h"
#include "sim/render.h"

namespace ccetl::sim {
namespace {

namespace dom = simdjson::dom;

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return parts;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool content_type_is(std::string_view ct, std::string_view want) {
  std::string l = lower(ct.substr(0, ct.find(';')));
  while (!l.empty() && l.back() == ' ') l.pop_back();
  return l == want;
}

// The resolved target of a request.
struct Route {
  EndpointPtr endpoint;
  enum class Op { Main, Status, Upload } op = Op::Main;
  std::string status_id;
  std::string project, feedback_key, element_key;
};

Route resolve(SimState& state, std::string_view rel) {
  Route r;
  auto parts = split_path(rel);
  // /projects/{p}/feedbackTypes/{t}/feedback/{fk}/fileElements/{fe}
  if (parts.size() == 8 && parts[0] == "projects" && parts[2] == "feedbackTypes" && parts[4] == "feedback" &&
      parts[6] == "fileElements") {
    r.op = Route::Op::Upload;
    r.project = std::string(parts[1]);
    r.feedback_key = std::string(parts[5]);
    r.element_key = std::string(parts[7]);
    r.endpoint = state.find("/projects/" + r.project + "/feedback/" + std::string(parts[3]));
    if (r.endpoint && r.endpoint->kind != EndpointKind::Feedback) r.endpoint = nullptr;
    return r;
  }
  if (parts.size() >= 4 && parts[parts.size() - 2] == "status") {
    std::string base;
    for (size_t i = 0; i + 2 < parts.size(); ++i) base += "/" + std::string(parts[i]);
    auto ep = state.find(base);
    if (ep && (ep->kind == EndpointKind::MacroListener || ep->kind == EndpointKind::UserImport)) {
      r.op = Route::Op::Status;
      r.status_id = std::string(parts.back());
      r.endpoint = ep;
      return r;
    }
  }
  std::string norm;
  for (auto p : parts) norm += "/" + std::string(p);
  r.endpoint = state.find(norm);
  return r;
}

bool parse_json(const std::string& body, dom::parser& parser, dom::element& out) {
  return parser.parse(body).get(out) == simdjson::SUCCESS;
}

SimResponse find_required() { return invalid_parameter("Find", "A lookup query is required."); }

std::optional<int64_t> parse_page(const SimRequest& req, bool& bad) {
  bad = false;
  if (!req.has_param("page")) return 1;
  std::string p = req.param("page");
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || ptr != p.data() + p.size() || v <= 0) {
    bad = true;
    return std::nullopt;
  }
  return v;
}

SimResponse data_package(SimState& state, const Endpoint& ep, const SimRequest& req, const FaultActions& faults) {
  bool bad = false;
  auto page = parse_page(req, bad);
  if (bad) return invalid_parameter("Page", "The page must be a positive number.");
  (void)state;
  int64_t total_pages = page_slice(ep, *page, faults).paging.total_pages;
  if (*page > total_pages + 1)
    return invalid_parameter("Page", "The page is beyond the last page (" + std::to_string(total_pages) + ").");
  SimResponse r;
  if (ep.csv) {
    r.content_type = "text/csv";
    r.body = render_page_csv(build_page(ep, *page, faults));
  } else {
    r.body = render_data_page_json(ep, *page, faults);
  }
  return r;
}

SimResponse record_lookup(const Endpoint& ep, const SimRequest& req) {
  std::string find = req.param("find");
  if (find.empty()) return find_required();
  auto it = ep.records.find(find);
  if (it == ep.records.end()) return error_response(404, "No record matches the lookup query.");
  SimResponse r;
  if (ep.csv) {
    r.content_type = "text/csv";
    r.body = render_lookup_csv(it->second);
  } else {
    r.body = render_lookup_json(it->second);
  }
  return r;
}

SimResponse accepted(const SimRequest& req, const Endpoint& ep, const std::string& id) {
  JsonWriter w;
  w.begin_object().key("statusEndpoint").value(req.base_url() + "/api/v1" + ep.path + "/status/" + id).end_object();
  return json_response(202, w.take());
}

bool mentions_fail(std::string_view s) { return lower(s).find("fail") != std::string::npos; }

SimResponse macro_listener(SimState& state, const Endpoint& ep, const SimRequest& req) {
  std::string find = req.param("find");
  if (find.empty()) return find_required();
  return accepted(req, ep, state.async_ops().create(ep.path, ep.async, mentions_fail(find)));
}

SimResponse data_listener(const Endpoint& ep, const SimRequest& req, dom::element body) {
  dom::object obj;
  if (body.get(obj)) return error_response(400, "The request body must be a JSON object.");
  JsonWriter w;
  w.begin_object().key("fields").begin_array();
  for (auto [key, value] : obj) {
    auto it = std::find_if(ep.listener_fields.begin(), ep.listener_fields.end(),
                           [&](const DataListenerField& f) { return f.parameter == key; });
    std::string_view sv;
    std::string text = value.get(sv) == simdjson::SUCCESS ? std::string(sv) : simdjson::minify(value);
    bool matched = it != ep.listener_fields.end();
    w.begin_object().key("dataType").value(matched ? it->data_type : std::string("string"));
    w.key("label").value(matched ? it->label : std::string());
    w.key("parameter").value(key).key("value").value(text).key("matched").value(matched).end_object();
  }
  (void)req;
  w.end_array().end_object();
  return json_response(201, w.take());
}

SimResponse user_import(SimState& state, const Endpoint& ep, const SimRequest& req, dom::element body) {
  std::string_view email;
  if (body["email"].get(email) != simdjson::SUCCESS || email.empty())
    return invalid_parameter("Email", "An email address is required.");
  return accepted(req, ep, state.async_ops().create(ep.path, ep.async, mentions_fail(email)));
}

SimResponse create_feedback(SimState& state, const Endpoint& ep, const SimRequest& req, dom::element body) {
  if (!body.is_object()) return error_response(400, "The request body must be a JSON object.");
  auto parts = split_path(ep.path);  // projects / {p} / feedback / {source}
  std::string project(parts[1]);
  FeedbackRecord rec = state.create_feedback(project, ep, req.base_url());
  JsonWriter w;
  w.begin_object().key("id").value(rec.id).key("key").value(rec.key).key("url").value(rec.url);
  if (!ep.file_elements.empty()) {
    w.key("fileElements").begin_array();
    for (const auto& fe : ep.file_elements) {
      std::string url = req.base_url() + "/api/v1/projects/" + project + "/feedbackTypes/" + std::string(parts[3]) +
                        "/feedback/" + rec.key + "/fileElements/" + fe.key;
      w.begin_object().key("title").value(fe.title).key("key").value(fe.key).key("url").value(url);
      w.key("acceptsMultipleAttachments").value(fe.accepts_multiple).end_object();
    }
    w.end_array();
  }
  w.end_object();
  return json_response(201, w.take());
}

SimResponse create_release(const Endpoint& ep, const SimRequest& req, dom::element body) {
  if (!body.is_object()) return error_response(400, "The request body must be a JSON object.");
  std::string inner = simdjson::minify(body);
  inner = inner.substr(1, inner.size() - 2);
  std::string id = make_uuid();
  std::string out = "{\"id\":" + json_string(id);
  if (!inner.empty()) out += "," + inner;
  std::string url = req.base_url() + "/project/version/item.html?cap=" + make_uuid() + "&arttypeid=" +
                    make_uuid() + "&artid=" + id;
  out += ",\"url\":" + json_string(url) + ",\"status\":\"Processing\"}";
  (void)ep;
  return json_response(201, std::move(out));
}

SimResponse upload(SimState& state, const Endpoint& ep, const Route& route, const SimRequest& req) {
  auto fe = std::find_if(ep.file_elements.begin(), ep.file_elements.end(),
                         [&](const FileElement& f) { return f.key == route.element_key; });
  if (fe == ep.file_elements.end()) return error_response(404, "The file element was not found.");
  if (!req.upload) return error_response(400, "The request body is not multipart/form-data.");
  const UploadResult& up = *req.upload;
  if (up.too_large) return error_response(400, "The file exceeds the upload size limit.");
  if (!up.error.empty()) return error_response(400, "The multipart body is malformed: " + up.error);
  auto file = std::find_if(up.files.begin(), up.files.end(), [](const UploadedFile& f) { return f.field == "file"; });
  if (file == up.files.end()) return invalid_parameter("File", "A file is required.");
  FeedbackRecord rec;
  int rc = state.add_attachment(route.project, route.feedback_key, ep.path, *fe, &rec);
  if (rc == 404) return error_response(404, "The feedback was not found.");
  if (rc == 400) return error_response(400, "The file element " + fe->key + " accepts a single attachment.");
  JsonWriter w;
  w.begin_object().key("id").value(make_uuid()).key("fileElementKey").value(fe->key);
  w.key("fileName").value(file->file_name).key("feedbackKey").value(rec.key).key("feedbackUrl").value(rec.url);
  w.end_object();
  return json_response(201, w.take());
}

SimResponse dispatch(SimState& state, const SimRequest& req, const FaultActions& faults, RecordedRequest& record) {
  if (!req.has_param("apiKey") || req.param("apiKey").empty())
    return error_response(401, "An API key is required.");
  record.api_key_present = true;
  std::string rel = req.path.substr(7);
  Route route = resolve(state, rel);
  if (!route.endpoint) return error_response(404, "The requested resource was not found.");
  const Endpoint& ep = *route.endpoint;
  if (req.param("apiKey") != ep.api_key) return error_response(403, "The API key is not authorized for this endpoint.");
  record.api_key_matched = true;

  bool get_only = route.op == Route::Op::Status || ep.kind == EndpointKind::DataPackage ||
                  ep.kind == EndpointKind::RecordLookup;
  std::string allowed = get_only ? "GET" : "POST";
  if (req.method != allowed) {
    SimResponse r = error_response(405, "The " + req.method + " method is not allowed on this endpoint.");
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (route.op == Route::Op::Status) {
    auto status = state.async_ops().status(ep.path, route.status_id);
    if (!status) return error_response(404, "The status ID was not found.");
    JsonWriter w;
    w.begin_object().key("status").value(*status).end_object();
    return json_response(200, w.take());
  }
  if (route.op == Route::Op::Upload) {
    if (!content_type_is(req.content_type, "multipart/form-data"))
      return error_response(415, "The request must be multipart/form-data.");
    return upload(state, ep, route, req);
  }
  switch (ep.kind) {
    case EndpointKind::DataPackage: return data_package(state, ep, req, faults);
    case EndpointKind::RecordLookup: return record_lookup(ep, req);
    case EndpointKind::MacroListener:
      // The reference's macro examples post an empty body with curl's default Content-Type, so
      // the media type is only checked when there is a body.
      if (!req.body.empty() && !content_type_is(req.content_type, "application/json"))
        return error_response(415, "The request must be application/json.");
      return macro_listener(state, ep, req);
    default: break;
  }
  if (!content_type_is(req.content_type, "application/json"))
    return error_response(415, "The request must be application/json.");
  bool needs_find = ep.kind == EndpointKind::CommentListener || ep.kind == EndpointKind::DataListener;
  if (needs_find && req.param("find").empty()) return find_required();
  dom::parser parser;
  dom::element body;
  if (!parse_json(req.body, parser, body)) return error_response(400, "The request body is not valid JSON.");
  switch (ep.kind) {
    case EndpointKind::CommentListener: return json_response(201, req.body);
    case EndpointKind::DataListener: return data_listener(ep, req, body);
    case EndpointKind::UserImport: return user_import(state, ep, req, body);
    case EndpointKind::Feedback: return create_feedback(state, ep, req, body);
    case EndpointKind::Release: return create_release(ep, req, body);
    default: return error_response(500, "Unhandled endpoint kind.");
  }
}

// The request log's `fault` member: which injected faults acted on a request.
std::string describe(const FaultActions& f) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : ",") + std::string(name);
  };
  add(f.latency_ms > 0, "latency");
  add(f.status != 0 && f.status != 429, "error");
  add(f.status == 429, "rate_limit");
  add(f.reset, "reset");
  add(f.truncate, "truncate");
  add(f.malformed, "malformed");
  add(f.hang, "hang");
  return out;
}

}  // namespace

bool is_upload_path(std::string_view path) {
  if (path.substr(0, 8) != "/api/v1/") return false;
  auto parts = split_path(path.substr(7));
  return parts.size() == 8 && parts[0] == "projects" && parts[2] == "feedbackTypes" && parts[4] == "feedback" &&
         parts[6] == "fileElements";
}

SimResponse handle_api(SimState& state, const SimRequest& req, RecordedRequest& record) {
  record.api_key_present = !req.param("apiKey").empty();
  auto decision = state.rate().hit(req.client_ip, req.path);
  SimResponse r;
  FaultActions faults;
  if (!decision.allowed) {
    r = error_response(429, "Too many requests: the limit is " + std::to_string(decision.limit) + " per second.");
  } else {
    bool bad = false;
    auto page = req.has_param("page") ? parse_page(req, bad) : std::optional<int64_t>(1);
    faults = state.faults().decide(req.path, bad || !page ? 0 : static_cast<int>(*page));
    if (faults.status_after) (void)dispatch(state, req, faults, record);  // handled, then the fault answers
    if (faults.status == 429) {
      r = error_response(429, "Too many requests.");
      decision.remaining = 0;
    } else if (faults.status) {
      r = error_response(faults.status, "Injected failure.");
    } else {
      r = dispatch(state, req, faults, record);
    }
  }
  r.headers.emplace_back("X-Rate-Limit-Limit", "1s");
  r.headers.emplace_back("X-Rate-Limit-Remaining", std::to_string(decision.remaining));
  r.headers.emplace_back("X-Rate-Limit-Reset", iso8601_ms(decision.reset));
  record.fault = describe(faults);
  r.latency_ms = faults.latency_ms;
  if (faults.hang) r.delivery = Delivery::Hang;
  else if (faults.close) r.delivery = Delivery::Close;
  else if (faults.reset) r.delivery = Delivery::Reset;
  else if (faults.truncate) r.delivery = Delivery::Truncate;
  if (faults.malformed && r.body.size() > 2) r.body = r.body.substr(0, r.body.size() / 2) + "\"}]{,";
  return r;
}

}  // namespace ccetl::sim
