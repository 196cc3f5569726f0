#include "push/typed_query.h"

namespace ccetl::push {

int TypedResult::index_of(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace ccetl::push
