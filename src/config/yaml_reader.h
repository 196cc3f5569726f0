// Internal to the config layer: typed, position-aware reading of yaml-cpp nodes that records
// every problem instead of stopping at the first. yaml-cpp types never leave src/config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"

namespace ccetl::config_detail {

// Collects problems and expands environment references in scalars.
class Problems {
 public:
  Problems(std::string file, const EnvLookup& env, const LoadOptions& options = {})
      : file_(std::move(file)), env_(env), options_(options) {}

  // 1-based position of `node`, or `fallback` when yaml-cpp has none (missing or synthesized).
  SourceMark mark(const YAML::Node& node, const SourceMark& fallback) const;
  SourceMark mark(const YAML::Mark& mark) const;
  void add(const SourceMark& at, std::string message);
  // The expanded text of a scalar node; reports (as `label`) and returns nullopt otherwise.
  // With options().allow_unset_env, a value referencing an unset variable returns nullopt
  // without a report (a placeholder) and its variable is added to unset_env().
  std::optional<std::string> scalar(const YAML::Node& node, const std::string& label,
                                    const SourceMark& at, const std::string& expected = "a string");

  const std::string& file() const { return file_; }
  const LoadOptions& options() const { return options_; }
  std::vector<ConfigProblem>& list() { return problems_; }
  const std::set<std::string>& unset_env() const { return unset_env_; }

 private:
  std::string file_;
  const EnvLookup& env_;
  const LoadOptions& options_;
  std::vector<ConfigProblem> problems_;
  std::set<std::string> unset_env_;
};

// Describes a node's type for "expected X, got Y" messages.
std::string describe(const YAML::Node& node);
// The closest of `candidates` to `word` when reasonably close, else "".
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// One YAML map with a fixed set of known keys. Unknown and duplicate keys are reported on
// construction; getters report missing/mistyped values and return nullopt for them.
class MapReader {
 public:
  // `section` names the map in messages ("centercode", "job 'x' source"); `prefix` is prepended
  // to keys in value messages ("centercode.", "job 'x' source.").
  MapReader(Problems& problems, const YAML::Node& node, const SourceMark& self, std::string section,
            std::string prefix, std::vector<std::string> known);

  bool is_map() const { return is_map_; }
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  const SourceMark& self() const { return self_; }
  SourceMark mark_of(const std::string& key) const;  // the value's position, or the map's
  std::string label(const std::string& key) const { return prefix_ + key; }
  const YAML::Node* node(const std::string& key) const;
  Problems& problems() const { return problems_; }

  std::optional<std::string> string(const std::string& key, bool required = false) const;
  std::optional<bool> boolean(const std::string& key) const;
  std::optional<int64_t> integer(const std::string& key, int64_t min, int64_t max) const;
  std::optional<double> number(const std::string& key, double min, double max) const;
  std::optional<std::chrono::seconds> duration(const std::string& key) const;
  // A sequence of scalars; `marks` (optional) receives each element's position.
  std::optional<std::vector<std::string>> string_list(const std::string& key, bool allow_empty,
                                                      std::vector<SourceMark>* marks = nullptr) const;
  // A map of scalar keys to scalar values.
  std::optional<std::map<std::string, std::string>> string_map(const std::string& key) const;
  // Reports "requires ..." when set; for keys that only make sense with another setting.
  void forbid(const std::string& key, const std::string& reason) const;
  void require(const std::string& key, const std::string& reason = "") const;

 private:
  Problems& problems_;
  bool is_map_ = false;
  SourceMark self_;
  std::string section_;
  std::string prefix_;
  std::map<std::string, YAML::Node> values_;
  std::map<std::string, SourceMark> value_marks_;
};

// A sub-map of `parent` at `key` (reported when not a map; is_map() false then).
MapReader sub_map(const MapReader& parent, const std::string& key, std::string section,
                  std::string prefix, std::vector<std::string> known);

}  // namespace ccetl::config_detail
