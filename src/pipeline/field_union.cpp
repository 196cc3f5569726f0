#include "pipeline/field_union.h"

#include <algorithm>
#include <map>

namespace ccetl {

std::vector<std::size_t> FieldUnion::add(const std::string& project, const std::vector<Field>& fields) {
  std::vector<std::size_t> columns;
  std::map<std::string, int> seen;
  for (const Field& f : fields) {
    const bool is_key = std::find(key_fields_.begin(), key_fields_.end(), f.name) != key_fields_.end();
    const std::string identity = is_key ? "key:" + f.name : f.identity();
    std::string key = identity + "#" + std::to_string(++seen[identity]);
    auto it = std::find(keys_.begin(), keys_.end(), key);
    if (it == keys_.end()) {
      columns.push_back(fields_.size());
      fields_.push_back(f);
      keys_.push_back(std::move(key));
      first_project_.push_back(project);
      continue;
    }
    const std::size_t i = static_cast<std::size_t>(it - keys_.begin());
    columns.push_back(i);
    Field& have = fields_[i];
    if (have.type != f.type && have.type != DataType::String) {
      notes_.push_back("field '" + f.name + "' is " + std::string(to_string(have.type)) + " in project '" +
                       first_project_[i] + "' but " + std::string(to_string(f.type)) + " in project '" + project +
                       "': it is loaded as text");
      have.type = DataType::String;
    }
  }
  return columns;
}

}  // namespace ccetl
