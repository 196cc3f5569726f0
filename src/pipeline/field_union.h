// The fields of a fan-out job whose projects' packages carry different fields: one table holds
// the union, and each project's rows fill the columns of its own fields (NULL in the others).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/types.h"

namespace ccetl {

class FieldUnion {
 public:
  // `key_fields`: the job's key field names. They match by name, whatever their identity, so
  // every project's key lands in the one key column.
  explicit FieldUnion(std::vector<std::string> key_fields) : key_fields_(std::move(key_fields)) {}
  // Adds one project's fields (in package order) and returns, for each, its index in fields().
  // Fields match by Field::identity() and occurrence (the second field of one identity in a
  // package matches the second of another package). A field whose type differs between
  // projects becomes a string field (its column text, which holds every project's values
  // exactly) and a note says so.
  std::vector<std::size_t> add(const std::string& project, const std::vector<Field>& fields);
  const std::vector<Field>& fields() const { return fields_; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::vector<std::string> key_fields_;
  std::vector<Field> fields_;
  std::vector<std::string> keys_;  // identity + "#occurrence", parallel to fields_
  std::vector<std::string> first_project_;
  std::vector<std::string> notes_;
};

}  // namespace ccetl
