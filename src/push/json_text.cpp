#include "push/json_text.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "push/typed_query.h"

namespace ccetl::push {
namespace {

// A PostgreSQL numeric/float text that is also a valid JSON number.
bool is_json_number(const std::string& s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[i] == '0' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1]))) return false;
  while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  return i == n;
}

}  // namespace

std::string json_cell(const std::optional<std::string>& value, uint32_t type_oid) {
  if (!value) return "null";
  const std::string& v = *value;
  switch (type_oid) {
    case oid::kBool:
      return v == "t" || v == "true" ? "true" : "false";
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kFloat4:
    case oid::kFloat8:
    case oid::kNumeric:
      return is_json_number(v) ? v : json_string(v);
    case oid::kJson:
    case oid::kJsonb:
      return v;
    default:
      return json_string(v);
  }
}

void JsonObjectBuilder::set(std::string_view path, std::string json_value) {
  Node* node = &node_;
  std::string_view rest = path;
  while (true) {
    auto dot = rest.find('.');
    std::string part(rest.substr(0, dot));
    node = &node->children[part];
    if (dot == std::string_view::npos) break;
    if (node->value)
      throw Error(ErrorKind::Config, "body path '" + std::string(path) + "' nests inside a value");
    rest.remove_prefix(dot + 1);
  }
  if (!node->children.empty())
    throw Error(ErrorKind::Config, "body path '" + std::string(path) + "' is also an object of other paths");
  node->value = std::move(json_value);
}

std::string JsonObjectBuilder::str() const {
  std::string out;
  write(node_, out);
  return out;
}

void JsonObjectBuilder::write(const Node& node, std::string& out) {
  if (node.value) {
    out += *node.value;
    return;
  }
  out.push_back('{');
  bool first = true;
  for (const auto& [key, child] : node.children) {
    if (!first) out.push_back(',');
    first = false;
    out += json_string(key);
    out.push_back(':');
    write(child, out);
  }
  out.push_back('}');
}

}  // namespace ccetl::push
