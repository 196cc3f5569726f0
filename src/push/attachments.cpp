#include "push/attachments.h"

#include <simdjson.h>


#include "core/error.h"
#include "push/sha256.h"
#include "push/typed_query.h"

namespace ccetl::push {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Attachment read_file(const std::string& column, const std::string& path) {
  if (path.empty()) throw Error(ErrorKind::Data, "attachment column '" + column + "': empty file path");
  Attachment a;
  a.file_name = base_name(path);
  a.path = path;
  a.source = path;
  try {
    a.sha256 = sha256_file_hex(path, a.size);
  } catch (const Error& e) {
    throw Error(ErrorKind::Data, "attachment column '" + column + "': " + e.what());
  }
  return a;
}

Attachment from_bytes(std::string name, std::string bytes, const std::string& column) {
  Attachment a;
  a.file_name = std::move(name);
  a.size = bytes.size();
  a.sha256 = sha256_hex(bytes);
  a.content = std::move(bytes);
  a.source = "bytea column " + column;
  return a;
}

std::vector<std::string> json_paths(const std::string& column, const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS)
    throw Error(ErrorKind::Data, "attachment column '" + column + "': invalid JSON");
  std::vector<std::string> out;
  std::string_view s;
  if (doc.get(s) == simdjson::SUCCESS) {
    out.emplace_back(s);
    return out;
  }
  simdjson::dom::array arr;
  if (doc.get(arr) != simdjson::SUCCESS)
    throw Error(ErrorKind::Data, "attachment column '" + column + "': JSON must be a path or an array of paths");
  for (auto item : arr) {
    if (item.is_null()) continue;
    if (item.get(s) != simdjson::SUCCESS)
      throw Error(ErrorKind::Data, "attachment column '" + column + "': JSON array items must be paths");
    out.emplace_back(s);
  }
  return out;
}

std::string numbered_name(const std::string& column, size_t index, size_t count) {
  return count > 1 ? column + "-" + std::to_string(index + 1) + ".bin" : column + ".bin";
}

}  // namespace

std::string decode_bytea_hex(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0)
    throw Error(ErrorKind::Data, "bytea value is not in hex format (\\x...)");
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) throw Error(ErrorKind::Data, "bytea value has a non-hex digit");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::vector<std::string> parse_pg_array(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}')
    throw Error(ErrorKind::Data, "not an array literal");
  std::vector<std::string> out;
  std::string_view body = text.substr(1, text.size() - 2);
  size_t i = 0;
  if (body.empty()) return out;
  while (i <= body.size()) {
    std::string item;
    bool quoted = false;
    if (i < body.size() && body[i] == '"') {
      quoted = true;
      ++i;
      while (i < body.size() && body[i] != '"') {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        item.push_back(body[i++]);
      }
      if (i >= body.size()) throw Error(ErrorKind::Data, "unterminated quoted array element");
      ++i;
    } else {
      while (i < body.size() && body[i] != ',') item.push_back(body[i++]);
      if (item.find('{') != std::string::npos) throw Error(ErrorKind::Data, "nested arrays are not supported");
    }
    if (quoted || item != "NULL") out.push_back(std::move(item));
    if (i >= body.size()) break;
    if (body[i] != ',') throw Error(ErrorKind::Data, "malformed array literal");
    ++i;
  }
  return out;
}

std::vector<Attachment> attachments_from_cell(const TypedColumn& col, std::optional<std::string>& value) {
  std::vector<Attachment> out;
  if (!value) return out;
  const std::string& column = col.name;
  try {
    switch (col.type_oid) {
      case oid::kBytea:
        out.push_back(from_bytes(column + ".bin", col.decoded_bytes ? std::move(*value) : decode_bytea_hex(*value),
                                 column));
        if (col.decoded_bytes) value.reset();
        break;
      case oid::kByteaArray: {
        auto items = parse_pg_array(*value);
        for (size_t i = 0; i < items.size(); ++i)
          out.push_back(from_bytes(numbered_name(column, i, items.size()), decode_bytea_hex(items[i]), column));
        break;
      }
      case oid::kTextArray:
      case oid::kVarcharArray:
        for (const auto& path : parse_pg_array(*value)) out.push_back(read_file(column, path));
        break;
      case oid::kJson:
      case oid::kJsonb:
        for (const auto& path : json_paths(column, *value)) out.push_back(read_file(column, path));
        break;
      default:
        out.push_back(read_file(column, *value));
    }
  } catch (const Error& e) {
    std::string what = e.what();
    if (what.rfind("attachment column", 0) == 0) throw;
    throw Error(ErrorKind::Data, "attachment column '" + column + "': " + what);
  }
  return out;
}

}  // namespace ccetl::push
