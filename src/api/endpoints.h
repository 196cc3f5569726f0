// Paths of every Centercode endpoint, relative to the base URL, with path segments and query
// values percent-encoded. The API key is never part of these; the client appends it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.h"

namespace ccetl::endpoints {

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view value);

// GET data package page: /userDataPackages/{key}?page=N, /projectDataPackages/{key}?page=N,
// /projects/{p}/userDataPackages/{key}?page=N, /projects/{p}/feedbackDataPackages/{key}?page=N
std::string data_package(Scope scope, std::string_view project, std::string_view report, int64_t page);

// GET record lookup: /userRecordLookups/{key}?find=F, ... (find URL-encoded; one '?').
std::string record_lookup(Scope scope, std::string_view project, std::string_view lookup,
                          std::string_view find);

// Listener kinds, for the push targets.
enum class Listener { Macro, Comment, Data };
// POST /userMacroListeners/{key}?find=F, /projects/{p}/feedbackCommentListeners/{key}?find=F, ...
// Listeners exist for CommunityUser, ProjectUser and ProjectFeedback scopes; any other scope
// throws Error(Config). An empty `find` leaves the query out.
std::string listener(Listener kind, Scope scope, std::string_view project, std::string_view key,
                     std::string_view find);
// POST /userImports/{source} or /projects/{p}/userImports/{source} (user scopes only).
// Every builder throws Error(Config) for an empty key, or project key where the scope needs one.
std::string user_import(Scope scope, std::string_view project, std::string_view source);
// POST /projects/{p}/feedback/{feedbackKey}
std::string feedback(std::string_view project, std::string_view feedback_key);
// POST /projects/{p}/releaseTypes/{releaseTypeKey}
std::string release(std::string_view project, std::string_view release_type);

}  // namespace ccetl::endpoints
