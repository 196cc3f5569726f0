#include "warehouse/naming.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_set>

namespace ccetl::warehouse {
namespace {

// PostgreSQL's reserved key words plus system column names and our own leading column.
constexpr std::array<std::string_view, 85> kReserved{
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
};
constexpr std::array<std::string_view, 23> kReserved2{
    "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic",
    "verbose", "when", "where", "window", "with",
    // system columns and ours
    "oid", "tableoid", "xmin", "xmax", "cmin", "cmax", "ctid", "project_key"};

bool reserved(std::string_view name) {
  return std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end() ||
         std::find(kReserved2.begin(), kReserved2.end(), name) != kReserved2.end();
}

// Decodes one UTF-8 code point at `i`; returns 0xFFFFFFFF (and advances one byte) when invalid.
uint32_t next_code_point(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFFFFFF;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) {
      ++i;
      return 0xFFFFFFFF;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Reject overlong forms and surrogates.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFFFFFF;
  }
  i += len;
  return cp;
}

// ASCII spelling of common Latin letters (Latin-1 Supplement and Latin Extended-A); empty if none.
std::string_view transliterate(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    static constexpr std::array<std::string_view, 64> kLatin1{
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    return kLatin1[cp - 0xC0];
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    // Pairs (upper, lower) of Latin Extended-A, in code point order.
    static constexpr std::string_view kExtA =
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiijjjkkklllllll"
        "lllnnnnnnnnnoooooooerrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    std::size_t index = cp - 0x100;
    if (cp == 0x132 || cp == 0x133) return "ij";
    if (cp == 0x152 || cp == 0x153) return "oe";
    if (index < kExtA.size()) return kExtA.substr(index, 1);
  }
  return {};
}

std::string hex8(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(h & 0xFFFFFFFFu));
  return buf;
}

}  // namespace

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string sanitize_column_name(std::string_view field_name) {
  std::string out;
  bool pending_sep = false;
  for (std::size_t i = 0; i < field_name.size();) {
    uint32_t cp = next_code_point(field_name, i);
    std::string_view ascii;
    char one = 0;
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) one = c;
      if (one) ascii = std::string_view(&one, 1);
    } else {
      ascii = transliterate(cp);
    }
    if (ascii.empty()) {
      pending_sep = true;
      continue;
    }
    if (pending_sep && !out.empty()) out += '_';
    pending_sep = false;
    out += ascii;
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9') || reserved(out)) out = "f_" + out;
  if (out.back() == '_') out.pop_back();  // "f_" for an empty name
  return out;
}

std::string assign_column_name(std::string_view field_name,
                               const std::function<bool(const std::string&)>& taken) {
  std::string base = sanitize_column_name(field_name);
  if (base.size() <= kMaxIdentifierBytes && !taken(base)) return base;
  // Cut or colliding: add a hash of the original name; salt it in the (rare) case of a clash.
  std::string stem = base.substr(0, std::min(base.size(), kMaxIdentifierBytes - 9));
  while (!stem.empty() && stem.back() == '_') stem.pop_back();
  for (int salt = 0;; ++salt) {
    std::string key(field_name);
    if (salt > 0) key += "#" + std::to_string(salt);
    std::string candidate = stem + "_" + hex8(fnv1a64(key));
    if (!taken(candidate)) return candidate;
  }
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Step back over continuation bytes so the cut falls on a sequence boundary.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t start = i;
    uint32_t cp = next_code_point(text, i);
    if (cp == 0xFFFFFFFF || cp == 0)
      out += '?';
    else
      out.append(text.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> view_column_names(const std::vector<std::string>& field_names,
                                           const std::vector<std::string>& fallback,
                                           const std::vector<std::string>& reserved_names) {
  std::unordered_set<std::string> used(reserved_names.begin(), reserved_names.end());
  std::vector<std::string> out;
  out.reserve(field_names.size());
  for (std::size_t i = 0; i < field_names.size(); ++i) {
    std::string name = sanitize_utf8(field_names[i]);
    if (name.empty()) name = i < fallback.size() ? fallback[i] : "column";
    std::string candidate = truncate_utf8(name, kMaxIdentifierBytes);
    for (int n = 2; used.count(candidate); ++n) {
      std::string suffix = " (" + std::to_string(n) + ")";
      candidate = truncate_utf8(name, kMaxIdentifierBytes - suffix.size()) + suffix;
    }
    used.insert(candidate);
    out.push_back(std::move(candidate));
  }
  return out;
}

std::string view_name(std::string_view table) {
  return truncate_utf8(table, kMaxIdentifierBytes - 2) + "_v";
}

std::string history_table_name(std::string_view table) {
  return truncate_utf8(table, kMaxIdentifierBytes - 10) + "_history";
}

}  // namespace ccetl::warehouse
