// Deterministic synthetic data packages: rows are computed from (seed, row, version, column) on
// demand, so a 5-million-row dataset costs only one small index (surviving-row counts per block
// of 1024 rows), never the rows themselves.
//
// Versions: at version v, row r is deleted when any u in 1..v has hash(seed,r,u,'D') <
// deleteRatio, and its content comes from the last u <= v with hash(seed,r,u,'C') < changeRatio
// (0 if none). So bumping the version by one changes about changeRatio of rows and removes about
// deleteRatio of them, the same ones on every run. IDs ("ROW-0000001") never change.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model.h"
#include "sim/synthetic_values.h"

namespace ccetl::sim {

class SyntheticTable {
 public:
  explicit SyntheticTable(SyntheticSpec spec);

  // Number of rows that survive at the spec's version.
  uint64_t size() const { return total_; }
  const std::vector<Field>& fields() const { return fields_; }

  const SyntheticSpec& spec() const { return spec_; }
  // The kind of each field's values (field 0, the ID, is a String).
  const std::vector<ValueKind>& kinds() const { return kinds_; }

  // Appends up to `count` surviving rows starting at position `start` (0-based, among survivors).
  void rows(uint64_t start, uint64_t count, std::vector<Row>& out) const;
  // The raw indices of those rows.
  std::vector<uint64_t> surviving_rows(uint64_t start, uint64_t count) const;

  // The row with raw index `r` (0-based, deleted or not) at the spec's version.
  Row make_row(uint64_t r) const;
  bool deleted(uint64_t r) const;

  // The version whose content raw row `r` shows at the spec's version (0 = never changed).
  uint64_t content_version(uint64_t r) const;

  // The values of cell (r, c) for a field c >= 1: `count` of them (0 = an empty cell), value i
  // generated from value_hash(i).
  struct CellValues {
    uint64_t hash = 0;
    int count = 0;
    uint64_t value_hash(int i) const { return mix_hash(hash, 3, static_cast<uint64_t>(i)); }
  };
  CellValues cell_values(uint64_t r, uint64_t content_version, size_t c) const;

 private:
  static constexpr uint64_t kBlock = 1024;
  SyntheticSpec spec_;
  std::vector<Field> fields_;
  std::vector<ValueKind> kinds_;
  std::vector<uint64_t> block_start_;  // survivors before each block
  uint64_t total_ = 0;
};

}  // namespace ccetl::sim
