#include "sim/synthetic.h"

#include <cstdio>
#include <string>

#include "sim/fixtures.h"

namespace ccetl::sim {
namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double unit(uint64_t h) { return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0); }

const char* kWords[] = {"alpha", "beacon", "crash", "device", "error", "firmware", "gesture", "handset",
                        "install", "joystick", "kernel", "latency", "memory", "network", "overlay",
                        "pairing", "quality", "reboot", "sensor", "touch", "update", "volume",
                        "widget", "xenon", "yield", "zoom"};
const char* kUnicode[] = {"Müller", "café", "naïve", "日本語", "Ελληνικά", "😀", "Łódź", "ß", "€100"};
const char* kSpecial[] = {"\"quoted\"", "comma, inside", "line\nbreak", "tab\there", "back\\slash"};

std::string make_string(uint64_t h, bool unicode) {
  std::string s;
  uint64_t x = h;
  while (s.size() < 200) {
    x = splitmix(x);
    if (!s.empty()) s.push_back(' ');
    if (unicode && x % 17 == 0) s += kUnicode[(x >> 8) % 9];
    else if (x % 23 == 0) s += kSpecial[(x >> 8) % 5];
    else s += kWords[(x >> 8) % 26];
  }
  return s;
}

std::string make_value(const std::string& type, uint64_t h, bool unicode) {
  char buf[64];
  if (type == "integer") {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(h % 2000001) - 1000000);
  } else if (type == "double") {
    std::snprintf(buf, sizeof buf, "%.2f", (static_cast<double>(h % 20000001) - 10000000.0) / 100.0);
  } else if (type == "boolean") {
    return (h & 1) ? "true" : "false";
  } else if (type == "date") {
    uint64_t y = 2010 + h % 16, mo = 1 + (h >> 8) % 12, d = 1 + (h >> 16) % 28;
    uint64_t hh = (h >> 24) % 24, mi = (h >> 32) % 60, ss = (h >> 40) % 60;
    std::snprintf(buf, sizeof buf, "%04llu-%02llu-%02lluT%02llu:%02llu:%02llu", (unsigned long long)y,
                  (unsigned long long)mo, (unsigned long long)d, (unsigned long long)hh,
                  (unsigned long long)mi, (unsigned long long)ss);
  } else {
    return make_string(h, unicode);
  }
  return buf;
}

}  // namespace

uint64_t mix_hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return splitmix(splitmix(splitmix(splitmix(a) ^ b) ^ c) ^ d);
}

SyntheticTable::SyntheticTable(SyntheticSpec spec) : spec_(std::move(spec)) {
  fields_.push_back({"ID", "string", "", ""});
  for (size_t i = 0; i < spec_.field_types.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "F%02zu %s", i + 1, spec_.field_types[i].c_str());
    fields_.push_back({name, spec_.field_types[i], "", ""});
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

Row SyntheticTable::make_row(uint64_t r) const {
  uint64_t content_version = 0;
  for (uint32_t u = 1; u <= spec_.version; ++u)
    if (unit(mix_hash(spec_.seed, r, u, 'C')) < spec_.change_ratio) content_version = u;
  Row row;
  row.reserve(fields_.size());
  char id[32];
  std::snprintf(id, sizeof id, "ROW-%07llu", static_cast<unsigned long long>(r + 1));
  row.push_back(make_cell(0, "string", {id}));
  for (size_t c = 1; c < fields_.size(); ++c) {
    uint64_t h = mix_hash(spec_.seed ^ (content_version * 0x100000001b3ULL), r, c, 'V');
    double u = unit(mix_hash(h, 1));
    std::vector<std::string> values;
    if (u >= spec_.empty_ratio) {
      int n = unit(mix_hash(h, 2)) < spec_.multi_ratio ? 2 + static_cast<int>(h % 2) : 1;
      for (int i = 0; i < n; ++i) values.push_back(make_value(fields_[c].data_type, mix_hash(h, 3, i), spec_.unicode));
    }
    row.push_back(make_cell(static_cast<int>(c), fields_[c].data_type, values));
  }
  return row;
}

void SyntheticTable::rows(uint64_t start, uint64_t count, std::vector<Row>& out) const {
  if (start >= total_ || count == 0) return;
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
    out.push_back(make_row(r));
    --count;
  }
}

}  // namespace ccetl::sim
