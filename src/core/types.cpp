#include "core/types.h"

#include <array>
#include <utility>

namespace ccetl {
namespace {
constexpr std::array<std::pair<std::string_view, DataType>, 5> kTypeNames{{
    {"boolean", DataType::Boolean},
    {"integer", DataType::Integer},
    {"double", DataType::Double},
    {"date", DataType::Date},
    {"string", DataType::String},
}};
constexpr std::array<std::pair<std::string_view, Scope>, 4> kScopeNames{{
    {"community_user", Scope::CommunityUser},
    {"community_project", Scope::CommunityProject},
    {"project_user", Scope::ProjectUser},
    {"project_feedback", Scope::ProjectFeedback},
}};
}  // namespace

std::optional<DataType> parse_data_type(std::string_view text) {
  for (const auto& [name, type] : kTypeNames)
    if (name == text) return type;
  return std::nullopt;
}

std::string_view to_string(DataType type) {
  for (const auto& [name, t] : kTypeNames)
    if (t == type) return name;
  return "string";
}

std::string Field::identity() const {
  if (!question_id.empty()) return "q:" + form_id + "/" + question_id;
  return "n:" + name;
}

std::optional<Scope> parse_scope(std::string_view text) {
  for (const auto& [name, scope] : kScopeNames)
    if (name == text) return scope;
  return std::nullopt;
}

std::string_view to_string(Scope scope) {
  for (const auto& [name, s] : kScopeNames)
    if (s == scope) return name;
  return "community_user";
}

bool scope_needs_project(Scope scope) {
  return scope == Scope::ProjectUser || scope == Scope::ProjectFeedback;
}

}  // namespace ccetl
