#include "core/redact.h"

namespace ccetl {

std::string mask_api_key_params(std::string_view text) {
  static constexpr std::string_view kParam = "apikey=";
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool match = i + kParam.size() <= text.size();
    for (size_t k = 0; match && k < kParam.size(); ++k) {
      char c = text[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      match = c == kParam[k];
    }
    if (!match) {
      out.push_back(text[i++]);
      continue;
    }
    out.append(text.substr(i, kParam.size()));
    out.append("***");
    i += kParam.size();
    while (i < text.size() && text[i] != '&' && text[i] != ' ' && text[i] != '"' && text[i] != '\'' &&
           text[i] != '\n' && text[i] != '#' && text[i] != '?')
      ++i;
  }
  return out;
}

std::string redact(std::string_view text, std::string_view secret) {
  std::string out = mask_api_key_params(text);
  if (secret.empty()) return out;
  for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3))
    out.replace(pos, secret.size(), "***");
  return out;
}

}  // namespace ccetl
