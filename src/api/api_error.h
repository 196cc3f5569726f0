// The error the client throws for HTTP answers it will not (or no longer) retry. It is a
// ccetl::Error, so callers that only care about the kind catch that; push jobs that record the
// API's answer per row catch ApiError for the status and description.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ccetl {

struct InvalidParameter {
  std::string name;
  std::string description;
};

class ApiError : public Error {
 public:
  // `message` must already be redacted. status 0 means no HTTP answer (network, TLS, timeout).
  ApiError(ErrorKind kind, const std::string& message, int status, std::string description,
           std::vector<InvalidParameter> invalid_parameters = {})
      : Error(kind, message),
        status_(status),
        description_(std::move(description)),
        invalid_parameters_(std::move(invalid_parameters)) {}

  int status() const { return status_; }
  // The API's `description` (redacted), or a short redacted excerpt of a non-JSON body, or the
  // network/TLS cause when there was no answer.
  const std::string& description() const { return description_; }
  const std::vector<InvalidParameter>& invalid_parameters() const { return invalid_parameters_; }
  // The request may have reached the API and been applied (timeout, reset or 5xx after it was
  // written). False only where the client proved otherwise: the API refused it (4xx), or it
  // never left the client (bad URL or file, every attempt failed before writing or got 429).
  // True by default, so that an error nobody classified (e.g. a run stopped mid-request) never
  // lets a creation be sent twice.
  bool maybe_applied() const { return maybe_applied_; }
  ApiError& set_maybe_applied(bool value) {
    maybe_applied_ = value;
    return *this;
  }

 private:
  int status_;
  std::string description_;
  std::vector<InvalidParameter> invalid_parameters_;
  bool maybe_applied_ = true;
};

}  // namespace ccetl
