#include "daemon/status_chart.h"

#include <algorithm>
#include <cstdio>

#include "daemon/html.h"

namespace ccetl {
namespace {

constexpr double kWidth = 760, kHeight = 190;
constexpr double kLeft = 56, kRight = 704, kTop = 16, kBottom = 160;

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* bar_colour(const std::string& status) {
  if (status == "succeeded") return "#2da44e";
  if (status == "running") return "#8c959f";
  return "#cf222e";  // failed, abandoned
}

}  // namespace

std::string run_chart_svg(const std::vector<RunRecord>& newest_first, int64_t now) {
  if (newest_first.empty()) return "";
  std::vector<RunRecord> runs(newest_first.rbegin(), newest_first.rend());
  double max_duration = 0;
  int64_t max_rows = 0;
  for (const auto& r : runs) {
    max_duration = std::max(max_duration, r.duration(static_cast<double>(now)));
    max_rows = std::max(max_rows, r.rows_read);
  }
  if (max_duration <= 0) max_duration = 1;
  const double plot_h = kBottom - kTop;
  const double slot = (kRight - kLeft) / static_cast<double>(std::max<size_t>(runs.size(), 10));
  const double bar_w = std::max(1.0, slot * 0.7);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " + fmt(kWidth) + " " +
                    fmt(kHeight) + "\" width=\"" + fmt(kWidth) + "\" height=\"" + fmt(kHeight) +
                    "\" role=\"img\" aria-label=\"Duration (bars) and rows read (line) of the last " +
                    std::to_string(runs.size()) + " runs\" font-family=\"sans-serif\" font-size=\"11\">";
  // Axes and their maxima.
  svg += "<line x1=\"" + fmt(kLeft) + "\" y1=\"" + fmt(kBottom) + "\" x2=\"" + fmt(kRight) + "\" y2=\"" + fmt(kBottom) +
         "\" stroke=\"#8c959f\"/>";
  svg += "<text x=\"" + fmt(kLeft - 4) + "\" y=\"" + fmt(kTop + 4) + "\" text-anchor=\"end\" fill=\"#57606a\">" +
         html_escape(duration_text(max_duration)) + "</text>";
  svg += "<text x=\"" + fmt(kLeft - 4) + "\" y=\"" + fmt(kBottom) + "\" text-anchor=\"end\" fill=\"#57606a\">0</text>";
  if (max_rows > 0)
    svg += "<text x=\"" + fmt(kRight + 4) + "\" y=\"" + fmt(kTop + 4) + "\" fill=\"#0969da\">" +
           std::to_string(max_rows) + " rows</text>";
  svg += "<text x=\"" + fmt(kLeft) + "\" y=\"" + fmt(kHeight - 10) + "\" fill=\"#57606a\">oldest</text>";
  svg += "<text x=\"" + fmt(kRight) + "\" y=\"" + fmt(kHeight - 10) +
         "\" text-anchor=\"end\" fill=\"#57606a\">newest</text>";

  std::string points;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    double d = r.duration(static_cast<double>(now));
    double h = std::max(1.0, d / max_duration * plot_h);
    double x = kLeft + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    svg += "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(kBottom - h) + "\" width=\"" + fmt(bar_w) + "\" height=\"" + fmt(h) +
           "\" fill=\"" + bar_colour(r.status) + "\"><title>" +
           html_escape(iso_utc(r.started) + " " + r.status + ": " + duration_text(d) + ", " +
                       std::to_string(r.rows_read) + " rows read") +
           "</title></rect>";
    if (max_rows > 0) {
      double y = kBottom - static_cast<double>(r.rows_read) / static_cast<double>(max_rows) * plot_h;
      points += (points.empty() ? "" : " ") + fmt(x + bar_w / 2) + "," + fmt(y);
    }
  }
  if (!points.empty())
    svg += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>";
  return svg + "</svg>";
}

}  // namespace ccetl
