#include "sim/synthetic_values.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "sim/json_writer.h"

namespace ccetl::sim {
namespace {

// A word's text in a fixed-size slot, so that appending it is one fixed-size copy of the whole
// slot, after which the end moves on by `size` only.
struct Slot {
  static constexpr size_t kCapacity = 16;
  std::array<char, kCapacity> bytes{};
  size_t size = 0;

  explicit Slot(std::string_view text = {}) {
    if (text.size() > kCapacity) throw std::logic_error("synthetic word longer than its slot");
    std::copy(text.begin(), text.end(), bytes.begin());
    size = text.size();
  }
};

// A word of generated strings, as is and JSON-escaped.
struct Word {
  Slot plain;
  Slot json;
};

template <size_t N>
std::array<Word, N> make_words(const std::array<const char*, N>& plain) {
  std::array<Word, N> out;
  for (size_t i = 0; i < N; ++i) {
    std::string quoted = json_string(plain[i]);
    out[i] = Word{Slot(plain[i]), Slot(std::string_view(quoted).substr(1, quoted.size() - 2))};
  }
  return out;
}

struct WordTables {
  std::array<Word, 26> words = make_words<26>(
      {"alpha", "beacon", "crash", "device", "error", "firmware", "gesture", "handset", "install", "joystick",
       "kernel", "latency", "memory", "network", "overlay", "pairing", "quality", "reboot", "sensor", "touch",
       "update", "volume", "widget", "xenon", "yield", "zoom"});
  std::array<Word, 9> unicode =
      make_words<9>({"Müller", "café", "naïve", "日本語", "Ελληνικά", "😀", "Łódź", "ß", "€100"});
  std::array<Word, 5> special =
      make_words<5>({"\"quoted\"", "comma, inside", "line\nbreak", "tab\there", "back\\slash"});

  // The word that hash `x` picks.
  const Word& pick(uint64_t x, bool with_unicode) const {
    if (with_unicode && x % 17 == 0) return unicode[(x >> 8) % 9];
    if (x % 23 == 0) return special[(x >> 8) % 5];
    return words[(x >> 8) % 26];
  }
};

const WordTables& word_tables() {
  static const WordTables tables;
  return tables;
}

// Words separated by single spaces until the plain text reaches 200 bytes. The text is gathered
// in a local buffer (flushed to `out` whenever a word might not fit) and appended in one piece.
void append_string(uint64_t h, bool unicode, TextForm form, std::string& out) {
  const WordTables& tables = word_tables();
  char buf[512];
  size_t n = 0;
  size_t plain_size = 0;
  uint64_t x = h;
  while (plain_size < 200) {
    x = splitmix(x);
    if (n + 1 + Slot::kCapacity > sizeof buf) {
      out.append(buf, n);
      n = 0;
    }
    if (plain_size > 0) {
      buf[n++] = ' ';
      ++plain_size;
    }
    const Word& w = tables.pick(x, unicode);
    const Slot& slot = form == TextForm::Plain ? w.plain : w.json;
    std::memcpy(buf + n, slot.bytes.data(), Slot::kCapacity);
    n += slot.size;
    plain_size += w.plain.size;
  }
  out.append(buf, n);
}

void append_int(int64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// `v` < 100, as two digits at `p`.
void put_two_digits(uint64_t v, char* p) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// What printf("%.2f", cents / 100.0) prints, computed exactly in integers.
void append_cents(int64_t cents, std::string& out) {
  if (cents < 0) out.push_back('-');
  uint64_t magnitude = cents < 0 ? -static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  append_int(static_cast<int64_t>(magnitude / 100), out);
  char fraction[3] = {'.'};
  put_two_digits(magnitude % 100, fraction + 1);
  out.append(fraction, 3);
}

// YYYY-MM-DDTHH:MM:SS in 2010..2025 (days 1..28).
void append_date(uint64_t h, std::string& out) {
  char buf[] = "2010-01-01T00:00:00";
  put_two_digits(10 + h % 16, buf + 2);
  put_two_digits(1 + (h >> 8) % 12, buf + 5);
  put_two_digits(1 + (h >> 16) % 28, buf + 8);
  put_two_digits((h >> 24) % 24, buf + 11);
  put_two_digits((h >> 32) % 60, buf + 14);
  put_two_digits((h >> 40) % 60, buf + 17);
  out.append(buf, sizeof buf - 1);
}

}  // namespace

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t mix_hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return splitmix(splitmix(splitmix(splitmix(a) ^ b) ^ c) ^ d);
}

double unit(uint64_t h) { return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0); }

ValueKind value_kind(std::string_view data_type) {
  if (data_type == "integer") return ValueKind::Integer;
  if (data_type == "double") return ValueKind::Double;
  if (data_type == "date") return ValueKind::Date;
  if (data_type == "boolean") return ValueKind::Boolean;
  return ValueKind::String;
}

bool json_quoted(ValueKind kind) { return kind == ValueKind::String || kind == ValueKind::Date; }

void append_value(ValueKind kind, uint64_t h, bool unicode, TextForm form, std::string& out) {
  switch (kind) {
    case ValueKind::Integer: append_int(static_cast<int64_t>(h % 2000001) - 1000000, out); return;
    case ValueKind::Double: append_cents(static_cast<int64_t>(h % 20000001) - 10000000, out); return;
    case ValueKind::Boolean: out += (h & 1) ? "true" : "false"; return;
    case ValueKind::Date: append_date(h, out); return;
    case ValueKind::String: append_string(h, unicode, form, out); return;
  }
}

std::string make_value(ValueKind kind, uint64_t h, bool unicode) {
  std::string out;
  append_value(kind, h, unicode, TextForm::Plain, out);
  return out;
}

void append_row_id(uint64_t r, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, r + 1);
  out += "ROW-";
  for (auto n = end - digits; n < 7; ++n) out.push_back('0');
  out.append(digits, end);
}

}  // namespace ccetl::sim
