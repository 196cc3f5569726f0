#include "core/error.h"

namespace ccetl {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Transient: return "transient";
    case ErrorKind::Permanent: return "permanent";
    case ErrorKind::Config: return "config";
    case ErrorKind::Data: return "data";
  }
  return "unknown";
}

}  // namespace ccetl
