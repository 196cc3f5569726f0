// The pages of several projects' data packages as ONE sequence, project by project and page by
// page, fetched concurrently under one in-flight budget and handed out in that order.
//
// Why one sequence: each project's package is its own endpoint with its own rate budget (the
// client paces every endpoint on its own), so a fan-out run is limited only by how many
// requests it keeps in flight. Fetching project after project left the budget idle at every
// project's start and end; one sequence keeps `in_flight` requests busy across projects.
// Handing pages out in sequence order keeps the loader's work deterministic: a project's rows
// are numbered (_seq) in page order whatever order the answers arrive in, so "last duplicate
// wins" is decided by page order, and a project's rows are contiguous (discard_project).
// Memory: at most `window` pages are fetched ahead of the one being taken, whatever the number
// of projects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/client.h"
#include "pipeline/page_fetcher.h"

namespace ccetl {

class ProjectPages {
 public:
  // One page of one project, in sequence order.
  struct Page {
    std::size_t project = 0;  // index into the `ranges` given to the constructor
    int64_t page = 0;
    Response response;
    // The project's package answered 404 (on this page or another of its pages; with
    // vanish_on_404 only): `response` is empty and `vanished_why` holds the API's description.
    // Every later page of that project is handed out vanished too, without a request.
    bool vanished = false;
    std::string vanished_why;
  };
  // One request; throws as ApiClient::get does.
  using Fetch = std::function<Response(std::size_t project, int64_t page)>;

  // Pages first..last of one project (first > last: none).
  struct Range {
    int64_t first = 1;
    int64_t last = 0;
  };

  // Reads the pages ranges[i] of every project i with at most `in_flight` requests at once and
  // at most `window` pages ahead of the consumer. With `vanish_on_404`, a 404 marks its project
  // vanished instead of failing the sequence.
  ProjectPages(Fetch fetch, const std::vector<Range>& ranges, bool vanish_on_404, int in_flight, int window);
  ~ProjectPages();  // stops fetching; waits for the requests in flight (the client's cancel ends them)

  // The next page in sequence order, or nullopt after the last one. Rethrows the error of a
  // page that failed for good (any error but a vanishing 404); nothing more is fetched then.
  std::optional<Page> next();

 private:
  struct Ref {
    std::size_t project;
    int64_t page;
  };
  Response fetch_one(int64_t index);
  std::optional<std::string> vanished(std::size_t project);

  Fetch fetch_;
  const bool vanish_on_404_;
  std::vector<Ref> refs_;
  std::mutex mu_;
  std::vector<std::optional<std::string>> vanished_;  // per project: why, once it answered 404
  std::unique_ptr<PageFetcher> fetcher_;              // last: its threads use the members above
};

}  // namespace ccetl
