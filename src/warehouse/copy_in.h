// COPY ... FROM STDIN fed straight to libpq (libpqxx 6.4 has no usable dynamic-column writer).
// While a CopyIn is open no other statement may run on its transaction.
#pragma once

#include <string>
#include <string_view>

namespace pqxx {
class dbtransaction;
}

namespace ccetl::warehouse {

class CopyIn {
 public:
  // Issues `copy_sql` (a COPY ... FROM STDIN statement) on `tx`. Throws pqxx exceptions.
  CopyIn(pqxx::dbtransaction& tx, const std::string& copy_sql);
  // Buffers `text` (whole COPY lines), sending ~256 KB at a time. Throws Error(Transient) when
  // the connection fails.
  void put(std::string_view text);
  // Ends the COPY and collects its outcome: Error(Data) with the server's message (which names
  // the line and column) for bad values, Error(Transient) for a lost connection.
  void finish();
  // Abandons an open COPY (the server rolls it back) so the transaction can be aborted.
  // Never throws.
  void cancel() noexcept;
  bool open() const { return open_; }
  // Lines sent so far (rows staged).
  int64_t lines() const { return lines_; }

 private:
  void flush();
  void* conn_;  // PGconn*
  std::string buffer_;
  bool open_ = true;
  int64_t lines_ = 0;
};

}  // namespace ccetl::warehouse
