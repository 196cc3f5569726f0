// `ccetl api`: one ad-hoc request to any Centercode endpoint, printing the answer. For trying
// listeners and lookups by hand with the same client (TLS, rate limits, retries) the jobs use.
// `post` and `upload` are sent at most once (a POST may create something): retried only after
// 429 or a connection that failed before the request was written; uploads stream from disk.
//
//   ccetl api -c FILE get  /projects/WidgetPro/feedbackRecordLookups/BugReports --find BUG-0001
//   ccetl api -c FILE post /projects/WidgetPro/feedbackCommentListeners/BugComment --find BUG-0001
//       --json '{"author":"a@b.c","message":"hi"}'
//   ccetl api -c FILE upload https://host/api/v1/projects/.../fileElements/Screenshot --file shot.png
//
// The key comes from --api-key-env NAME or the config's centercode.api_key; it is never printed.
#pragma once

#include <cstdio>
#include <string>

namespace ccetl {

struct ApiArgs {
  std::string config_path;
  std::string method;       // "get" | "post" | "upload"
  std::string target;       // path relative to base_url ("/projects/...") or an absolute URL
  std::string find;         // non-empty: appended as the `find` query parameter (URL-encoded)
  std::string json;         // post: the JSON body; empty = empty body (macro listeners)
  std::string file;         // upload: the file to send as multipart part "file"
  std::string api_key_env;  // non-empty: read the key from this environment variable
};

// Prints "HTTP <status> <content-type> (<n> attempt(s))" then the body on `out`; errors on
// `err`. Returns 0 for a 2xx answer, 1 when the API refused or could not be reached, 2 for
// usage or configuration problems.
int api_command(const ApiArgs& args, std::FILE* out, std::FILE* err);
inline int api_command(const ApiArgs& args) { return api_command(args, stdout, stderr); }

}  // namespace ccetl
