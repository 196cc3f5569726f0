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

namespace ccetl::sim {

class SyntheticTable {
 public:
  explicit SyntheticTable(SyntheticSpec spec);

  // Number of rows that survive at the spec's version.
  uint64_t size() const { return total_; }
  const std::vector<Field>& fields() const { return fields_; }

  // Appends up to `count` surviving rows starting at position `start` (0-based, among survivors).
  void rows(uint64_t start, uint64_t count, std::vector<Row>& out) const;

  // The row with raw index `r` (0-based, deleted or not) at the spec's version.
  Row make_row(uint64_t r) const;
  bool deleted(uint64_t r) const;

 private:
  static constexpr uint64_t kBlock = 1024;
  SyntheticSpec spec_;
  std::vector<Field> fields_;
  std::vector<uint64_t> block_start_;  // survivors before each block
  uint64_t total_ = 0;
};

uint64_t mix_hash(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0);

}  // namespace ccetl::sim
