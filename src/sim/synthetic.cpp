#include "sim/synthetic.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "sim/fixtures.h"

namespace ccetl::sim {

SyntheticTable::SyntheticTable(SyntheticSpec spec) : spec_(std::move(spec)) {
  fields_.push_back({"ID", "string", "", ""});
  kinds_.push_back(ValueKind::String);
  for (size_t i = 0; i < spec_.field_types.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "F%02zu %s", i + 1, spec_.field_types[i].c_str());
    fields_.push_back({name, spec_.field_types[i], "", ""});
    kinds_.push_back(value_kind(spec_.field_types[i]));
  }
  uint64_t blocks = (spec_.rows + kBlock - 1) / kBlock;
  block_start_.reserve(blocks);
  for (uint64_t b = 0; b < blocks; ++b) {
    block_start_.push_back(total_);
    uint64_t end = std::min(spec_.rows, (b + 1) * kBlock);
    for (uint64_t r = b * kBlock; r < end; ++r)
      if (!deleted(r)) ++total_;
  }
}

bool SyntheticTable::deleted(uint64_t r) const {
  if (spec_.delete_ratio <= 0) return false;
  for (uint32_t u = 1; u <= spec_.version; ++u)
    if (unit(mix_hash(spec_.seed, r, u, 'D')) < spec_.delete_ratio) return true;
  return false;
}

uint64_t SyntheticTable::content_version(uint64_t r) const {
  uint64_t version = 0;
  for (uint32_t u = 1; u <= spec_.version; ++u)
    if (unit(mix_hash(spec_.seed, r, u, 'C')) < spec_.change_ratio) version = u;
  return version;
}

SyntheticTable::CellValues SyntheticTable::cell_values(uint64_t r, uint64_t content_version, size_t c) const {
  CellValues v;
  v.hash = mix_hash(spec_.seed ^ (content_version * 0x100000001b3ULL), r, c, 'V');
  if (unit(mix_hash(v.hash, 1)) >= spec_.empty_ratio)
    v.count = unit(mix_hash(v.hash, 2)) < spec_.multi_ratio ? 2 + static_cast<int>(v.hash % 2) : 1;
  return v;
}

Row SyntheticTable::make_row(uint64_t r) const {
  uint64_t version = content_version(r);
  Row row;
  row.reserve(fields_.size());
  std::string id;
  append_row_id(r, id);
  row.push_back(make_cell(0, "string", {id}));
  for (size_t c = 1; c < fields_.size(); ++c) {
    CellValues cell = cell_values(r, version, c);
    std::vector<std::string> values;
    for (int i = 0; i < cell.count; ++i) values.push_back(make_value(kinds_[c], cell.value_hash(i), spec_.unicode));
    row.push_back(make_cell(static_cast<int>(c), fields_[c].data_type, values));
  }
  return row;
}

std::vector<uint64_t> SyntheticTable::surviving_rows(uint64_t start, uint64_t count) const {
  std::vector<uint64_t> out;
  if (start >= total_ || count == 0) return out;
  out.reserve(std::min(count, total_ - start));
  // Find the block holding survivor number `start`, then walk.
  uint64_t lo = 0, hi = block_start_.size();
  while (hi - lo > 1) {
    uint64_t mid = (lo + hi) / 2;
    if (block_start_[mid] <= start) lo = mid;
    else hi = mid;
  }
  uint64_t seen = block_start_[lo];
  for (uint64_t r = lo * kBlock; r < spec_.rows && count > 0; ++r) {
    if (deleted(r)) continue;
    if (seen++ < start) continue;
    out.push_back(r);
    --count;
  }
  return out;
}

void SyntheticTable::rows(uint64_t start, uint64_t count, std::vector<Row>& out) const {
  for (uint64_t r : surviving_rows(start, count)) out.push_back(make_row(r));
}

}  // namespace ccetl::sim
