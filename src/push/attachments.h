// Feedback attachments from result cells. A cell names files or holds their bytes:
//   text/varchar       one file path
//   text[]/varchar[]   several file paths
//   bytea              one file's bytes (PostgreSQL hex output "\x...")
//   bytea[]            several files' bytes
//   json/jsonb         a string path or an array of string paths
// Files keep their base name; bytes are named "<column>.bin" ("<column>-2.bin", ... for several).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "push/typed_query.h"

namespace ccetl::push {

// A file is never held in memory: it is hashed here in chunks and streamed from disk when it is
// uploaded. Bytes from a bytea cell are held once (decoded), and sent from that buffer.
struct Attachment {
  std::string file_name;
  std::string content;  // bytea bytes; empty for a file on disk
  std::string path;     // the file on disk; empty for bytea bytes
  uint64_t size = 0;
  std::string sha256;   // lowercase hex of the bytes
  std::string source;   // the path read, or "bytea column <name>" (for messages)
};

// Decodes PostgreSQL's bytea hex output ("\x48656c6c6f"). Throws Error(Data) on bad input.
std::string decode_bytea_hex(std::string_view text);

// Splits a one-dimensional PostgreSQL array literal ("{a,\"b c\",NULL}") into its elements;
// NULL elements are skipped. Throws Error(Data) on malformed input.
std::vector<std::string> parse_pg_array(std::string_view text);

// The attachments a cell of `column` names. NULL -> none. Hashes files on disk (reading them in
// chunks). The bytes of a decoded bytea cell (TypedColumn::decoded_bytes) are moved out of
// `value`, which is left empty: an attachment is held once. Throws Error(Data) naming the column
// and the problem (unreadable file, bad hex, not a path).
std::vector<Attachment> attachments_from_cell(const TypedColumn& column, std::optional<std::string>& value);

}  // namespace ccetl::push
