#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "config/env_expand.h"
#include "schedule/duration.h"

namespace ccetl::config_detail {

SourceMark Problems::mark(const YAML::Mark& m) const {
  if (m.is_null() || m.line < 0) return SourceMark{file_, 0, 0};
  return SourceMark{file_, m.line + 1, m.column + 1};
}

SourceMark Problems::mark(const YAML::Node& node, const SourceMark& fallback) const {
  if (!node.IsDefined()) return fallback;
  YAML::Mark m;
  try {
    m = node.Mark();
  } catch (const YAML::Exception&) {
    return fallback;
  }
  if (m.is_null() || m.line < 0) return fallback;
  return mark(m);
}

void Problems::add(const SourceMark& at, std::string message) {
  problems_.push_back(ConfigProblem{at, std::move(message)});
}

std::optional<std::string> Problems::scalar(const YAML::Node& node, const std::string& label,
                                            const SourceMark& at, const std::string& expected) {
  if (!node.IsScalar()) {
    add(at, label + ": expected " + expected + ", got " + describe(node));
    return std::nullopt;
  }
  ExpandResult r = expand_env(node.Scalar(), env_);
  if (!r.ok() && options_.allow_unset_env && !r.unset_variable.empty()) {
    unset_env_.insert(r.unset_variable);
    return std::nullopt;
  }
  if (!r.ok()) {
    add(at, label + ": " + r.error);
    return std::nullopt;
  }
  return r.value;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing (null)";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best = closest(word, candidates);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

MapReader::MapReader(Problems& problems, const YAML::Node& node, const SourceMark& self,
                     std::string section, std::string prefix, std::vector<std::string> known)
    : problems_(problems), self_(self), section_(std::move(section)), prefix_(std::move(prefix)) {
  is_map_ = node.IsMap();
  if (!is_map_) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value_node = it->second;
    SourceMark key_mark = problems_.mark(key_node, self_);
    if (!key_node.IsScalar()) {
      problems_.add(key_mark, "in " + section_ + ": keys must be plain names, got " + describe(key_node));
      continue;
    }
    const std::string key = key_node.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string expected;
      if (std::string hint = did_you_mean(key, known); !hint.empty()) {
        expected = hint;
      } else {
        std::string all;
        for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
        expected = " (expected one of: " + all + ")";
      }
      problems_.add(key_mark, "unknown key '" + key + "' in " + section_ + expected);
      continue;
    }
    if (values_.count(key)) {
      const SourceMark& first = value_marks_[key];
      problems_.add(key_mark, "duplicate key '" + key + "' in " + section_ + " (first set at line " +
                                  std::to_string(first.line) + ")");
      continue;
    }
    values_[key] = value_node;
    value_marks_[key] = problems_.mark(value_node, key_mark);
  }
}

SourceMark MapReader::mark_of(const std::string& key) const {
  auto it = value_marks_.find(key);
  return it == value_marks_.end() ? self_ : it->second;
}

const YAML::Node* MapReader::node(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

void MapReader::require(const std::string& key, const std::string& reason) const {
  if (!has(key)) {
    problems_.add(self_, "missing required key '" + key + "' in " + section_ + reason);
  }
}

void MapReader::forbid(const std::string& key, const std::string& reason) const {
  if (has(key)) problems_.add(mark_of(key), label(key) + ": " + reason);
}

std::optional<std::string> MapReader::string(const std::string& key, bool required) const {
  const YAML::Node* n = node(key);
  if (!n) {
    if (required) require(key);
    return std::nullopt;
  }
  return problems_.scalar(*n, label(key), mark_of(key));
}

std::optional<bool> MapReader::boolean(const std::string& key) const {
  const YAML::Node* n = node(key);
  if (!n) return std::nullopt;
  auto text = problems_.scalar(*n, label(key), mark_of(key), "true or false");
  if (!text) return std::nullopt;
  std::string lower = *text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "off") return false;
  problems_.add(mark_of(key), label(key) + ": expected true or false, got '" + *text + "'");
  return std::nullopt;
}

std::optional<int64_t> MapReader::integer(const std::string& key, int64_t min, int64_t max) const {
  const YAML::Node* n = node(key);
  if (!n) return std::nullopt;
  auto text = problems_.scalar(*n, label(key), mark_of(key), "a whole number");
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
    problems_.add(mark_of(key), label(key) + ": expected a whole number, got '" + *text + "'");
    return std::nullopt;
  }
  if (value < min || value > max) {
    problems_.add(mark_of(key), label(key) + ": " + *text + " is out of range (expected " +
                                    std::to_string(min) + " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<double> MapReader::number(const std::string& key, double min, double max) const {
  const YAML::Node* n = node(key);
  if (!n) return std::nullopt;
  auto text = problems_.scalar(*n, label(key), mark_of(key), "a number");
  if (!text) return std::nullopt;
  char* end = nullptr;
  double value = text->empty() ? NAN : std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || !std::isfinite(value)) {
    problems_.add(mark_of(key), label(key) + ": expected a number, got '" + *text + "'");
    return std::nullopt;
  }
  if (value < min || value > max) {
    auto fmt = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    };
    problems_.add(mark_of(key), label(key) + ": " + *text + " is out of range (expected " +
                                    fmt(min) + " to " + fmt(max) + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::seconds> MapReader::duration(const std::string& key) const {
  const YAML::Node* n = node(key);
  if (!n) return std::nullopt;
  auto text = problems_.scalar(*n, label(key), mark_of(key), "a duration such as 30s, 15m, 6h or 1d");
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d) {
    problems_.add(mark_of(key), label(key) + ": expected a duration such as 30s, 15m, 6h or 1d, got '" +
                                    *text + "'");
  }
  return d;
}

std::optional<std::vector<std::string>> MapReader::string_list(const std::string& key, bool allow_empty,
                                                               std::vector<SourceMark>* marks) const {
  const YAML::Node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->IsSequence()) {
    problems_.add(mark_of(key), label(key) + ": expected a list of strings (e.g. [a, b]), got " + describe(*n));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < n->size(); ++i) {
    const YAML::Node item = (*n)[i];
    SourceMark at = problems_.mark(item, mark_of(key));
    auto text = problems_.scalar(item, label(key) + "[" + std::to_string(i) + "]", at);
    if (!text) {
      ok = false;
      continue;
    }
    if (text->empty()) {
      problems_.add(at, label(key) + "[" + std::to_string(i) + "]: must not be empty");
      ok = false;
      continue;
    }
    out.push_back(*text);
    if (marks) marks->push_back(at);
  }
  if (ok && out.empty() && !allow_empty) {
    problems_.add(mark_of(key), label(key) + ": must not be an empty list");
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> MapReader::string_map(const std::string& key) const {
  const YAML::Node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->IsMap()) {
    problems_.add(mark_of(key), label(key) + ": expected a map (e.g. {a: b}), got " + describe(*n));
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (auto it = n->begin(); it != n->end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value_node = it->second;
    SourceMark key_at = problems_.mark(key_node, mark_of(key));
    if (!key_node.IsScalar() || key_node.Scalar().empty()) {
      problems_.add(key_at, label(key) + ": keys must be non-empty names, got " + describe(key_node));
      ok = false;
      continue;
    }
    const std::string k = key_node.Scalar();
    const SourceMark value_at = problems_.mark(value_node, key_at);
    auto value = problems_.scalar(value_node, label(key) + "." + k, value_at);
    if (!value) {
      ok = false;
      continue;
    }
    if (value->empty()) {
      problems_.add(value_at, label(key) + "." + k + ": must not be empty");
      ok = false;
      continue;
    }
    if (!out.emplace(k, *value).second) {
      problems_.add(key_at, label(key) + ": duplicate key '" + k + "'");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

MapReader sub_map(const MapReader& parent, const std::string& key, std::string section,
                  std::string prefix, std::vector<std::string> known) {
  const YAML::Node* n = parent.node(key);
  if (n && !n->IsMap()) {
    parent.problems().add(parent.mark_of(key),
                          parent.label(key) + ": expected a map, got " + describe(*n));
  }
  return MapReader(parent.problems(), n ? *n : YAML::Node(), parent.mark_of(key), std::move(section),
                   std::move(prefix), std::move(known));
}

}  // namespace ccetl::config_detail
