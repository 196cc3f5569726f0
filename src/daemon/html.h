// Escaping for the status pages. Every text that comes from data (job names, errors, messages,
// table names, API descriptions) goes through html_escape before it is placed in HTML, in
// element content and in quoted attribute values alike.
#pragma once

#include <string>
#include <string_view>

namespace ccetl {

// Replaces & < > " ' with character references. Safe in element content and in attribute
// values quoted with either quote. Bytes are otherwise copied as they are (UTF-8 stays UTF-8).
std::string html_escape(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters, for one URL path segment.
std::string url_segment_escape(std::string_view text);

// Decodes %XX in a path segment into `out`. Returns false for a malformed escape (a '%' not
// followed by two hex digits); `out` is then unspecified.
bool url_segment_unescape(std::string_view text, std::string& out);

}  // namespace ccetl
