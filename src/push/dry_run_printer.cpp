#include "push/dry_run_printer.h"

#include "core/redact.h"
#include "push/target_sender.h"

namespace ccetl::push {

void print_would_send(std::FILE* out, const PushSpec& spec, const PushRow& row, const std::string& api_key) {
  std::string text = "would send row " + row.row_key + ": POST " + target_path(spec, row) + " (apiKey=***)\n";
  text += "  body: " + (spec.kind == PushTargetKind::MacroListener ? std::string("(empty)") : row.body) + "\n";
  for (const auto& set : row.attachments)
    for (const auto& file : set.files)
      text += "  attachment " + set.element_key + ": " + file.file_name + " (" + std::to_string(file.size) +
              " bytes)\n";
  std::fputs(redact(text, api_key).c_str(), out);
}

void print_skip(std::FILE* out, const PushRow& row, const std::string& reason, const std::string& api_key) {
  std::fputs(redact("skip row " + row.row_key + ": " + reason + "\n", api_key).c_str(), out);
}

}  // namespace ccetl::push
