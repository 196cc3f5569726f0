// Endpoint paths as documented in the API reference. The reference's record-lookup examples
// write a second '?' after find= (`?find=jim%40centercode.com?page=1`); we build one query.
#include "api/endpoints.h"

#include "core/error.h"

namespace ccetl::endpoints {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Path segments must not be empty: "/projects//x" would address a different resource.
std::string segment(std::string_view value, std::string_view what) {
  if (value.empty()) throw Error(ErrorKind::Config, std::string(what) + " must not be empty");
  return url_encode(value);
}

// "" for community scopes, "/projects/{p}" for project scopes.
std::string project_prefix(Scope scope, std::string_view project) {
  if (!scope_needs_project(scope)) return {};
  return "/projects/" + segment(project, "project key");
}

std::string find_query(std::string_view find) {
  if (find.empty()) return {};
  return "?find=" + url_encode(find);
}

}  // namespace

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string data_package(Scope scope, std::string_view project, std::string_view report, int64_t page) {
  if (page < 1) throw Error(ErrorKind::Config, "data package page numbers start at 1");
  std::string kind;
  switch (scope) {
    case Scope::CommunityUser: kind = "/userDataPackages/"; break;
    case Scope::CommunityProject: kind = "/projectDataPackages/"; break;
    case Scope::ProjectUser: kind = "/userDataPackages/"; break;
    case Scope::ProjectFeedback: kind = "/feedbackDataPackages/"; break;
  }
  return project_prefix(scope, project) + kind + segment(report, "report element key") +
         "?page=" + std::to_string(page);
}

std::string record_lookup(Scope scope, std::string_view project, std::string_view lookup,
                          std::string_view find) {
  std::string kind;
  switch (scope) {
    case Scope::CommunityUser: kind = "/userRecordLookups/"; break;
    case Scope::CommunityProject: kind = "/projectRecordLookups/"; break;
    case Scope::ProjectUser: kind = "/userRecordLookups/"; break;
    case Scope::ProjectFeedback: kind = "/feedbackRecordLookups/"; break;
  }
  return project_prefix(scope, project) + kind + segment(lookup, "record lookup key") +
         "?find=" + url_encode(find);
}

std::string listener(Listener kind, Scope scope, std::string_view project, std::string_view key,
                     std::string_view find) {
  std::string_view kind_name;
  switch (kind) {
    case Listener::Macro: kind_name = "Macro"; break;
    case Listener::Comment: kind_name = "Comment"; break;
    case Listener::Data: kind_name = "Data"; break;
  }
  std::string_view subject;
  switch (scope) {
    case Scope::CommunityUser:
    case Scope::ProjectUser: subject = "user"; break;
    case Scope::ProjectFeedback: subject = "feedback"; break;
    case Scope::CommunityProject:
      throw Error(ErrorKind::Config, "the API has no " + std::string(kind_name) +
                                         " listener for scope community_project (listeners exist "
                                         "for community_user, project_user and project_feedback)");
  }
  return project_prefix(scope, project) + "/" + std::string(subject) + std::string(kind_name) +
         "Listeners/" + segment(key, "listener key") + find_query(find);
}

std::string user_import(Scope scope, std::string_view project, std::string_view source) {
  if (scope != Scope::CommunityUser && scope != Scope::ProjectUser)
    throw Error(ErrorKind::Config, "user imports exist only for scopes community_user and project_user");
  return project_prefix(scope, project) + "/userImports/" + segment(source, "user import source key");
}

std::string feedback(std::string_view project, std::string_view feedback_key) {
  return "/projects/" + segment(project, "project key") + "/feedback/" +
         segment(feedback_key, "feedback key");
}

std::string release(std::string_view project, std::string_view release_type) {
  return "/projects/" + segment(project, "project key") + "/releaseTypes/" +
         segment(release_type, "release type key");
}

}  // namespace ccetl::endpoints
