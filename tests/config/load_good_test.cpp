#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

TEST_CASE("a file using every key loads into the expected structs", "[config]") {
  const std::string path = source_dir() + "/tests/fixtures/config/every_key.yaml";
  Config c = load_config(path, default_env());
  CHECK(c.path == path);
  CHECK(c.centercode.base_url == "https://company.centercode.com/api/v1");  // trailing / dropped
  CHECK(c.centercode.api_key == kTestKey);
  CHECK(c.centercode.api_key_file.empty());
  CHECK_FALSE(c.centercode.allow_insecure_http);
  CHECK(c.centercode.ca_file == source_dir() + "/tests/fixtures/config/every_key.yaml");
  CHECK(c.centercode.rate_limit == 2.5);
  CHECK(c.centercode.max_in_flight == 8);
  CHECK(c.centercode.request_timeout == std::chrono::seconds{90});
  CHECK(c.centercode.max_attempts == 3);
  CHECK(c.warehouse.dsn == "host=/tmp dbname=ccetl");
  CHECK(c.warehouse.schema == "cc_data");
  CHECK(c.daemon.max_concurrent_jobs == 2);
  CHECK(c.daemon.listen == "127.0.0.1:9464");
  CHECK(c.daemon.time_zone == "Europe/Berlin");
  CHECK(c.daemon.grace == std::chrono::seconds{60});
  CHECK(c.daemon.catch_up == std::chrono::seconds{3600});
  REQUIRE(c.jobs.size() == 8);

  const JobSpec& fb = c.jobs[0];
  CHECK(fb.name == "feedback_scores");
  CHECK(fb.mark.line == 21);
  CHECK(fb.mark.column == 5);
  REQUIRE(fb.source);
  CHECK(fb.source->scope == Scope::ProjectFeedback);
  CHECK(fb.source->project == "WidgetPro");
  CHECK(fb.source->report == "FeedbackScores");
  CHECK(fb.source->lookup.empty());
  CHECK(fb.source->format == "json");
  CHECK(fb.key == std::vector<std::string>{"ID"});
  CHECK(fb.table == "fb_scores");
  CHECK(fb.deletes == DeleteMode::Soft);
  CHECK(fb.max_delete_ratio == 0.25);
  CHECK(fb.time_zone == "America/Los_Angeles");
  CHECK(fb.schedule == "*/15 * * * *");
  CHECK_FALSE(fb.interval);
  CHECK(fb.after == std::vector<std::string>{"project_list"});
  CHECK(fb.api_key == "0123456789abcdef0123456789abcdef");
  CHECK_FALSE(fb.push);
  CHECK_FALSE(fb.fans_out());

  const JobSpec& list = c.jobs[1];
  CHECK(list.source->scope == Scope::CommunityProject);
  CHECK(list.source->format == "csv");
  CHECK(list.table == "project_list");  // defaults to the name
  CHECK(list.key.empty());
  CHECK(list.deletes == DeleteMode::Keep);
  CHECK(list.max_delete_ratio == 0.5);
  CHECK(list.interval == std::chrono::seconds{6 * 3600});
  CHECK(list.schedule.empty());
  CHECK(list.api_key == kTestKey);  // the default key

  CHECK(c.jobs[2].projects == std::vector<std::string>{"WidgetPro", "${literal}"});
  CHECK(c.jobs[2].fans_out());
  CHECK(c.jobs[3].projects_from_job == "project_list");
  CHECK(c.jobs[3].projects_from_field == "Project Name");
  CHECK(c.jobs[3].fans_out());

  CHECK(c.jobs[4].source->lookup == "BugReports");
  CHECK(c.jobs[4].source->report.empty());
  CHECK(c.jobs[4].find == std::vector<std::string>{"BUG-0001", "BUG-0002"});
  CHECK(c.jobs[5].find_sql == "SELECT id FROM crm.bugs");

  const JobSpec& mobile = c.jobs[6];
  CHECK_FALSE(mobile.source);
  REQUIRE(mobile.push);
  CHECK(mobile.table.empty());
  CHECK(mobile.push->kind == PushTargetKind::Feedback);
  CHECK(mobile.push->project == "WidgetPro");
  CHECK(mobile.push->target_key == "Mobile");
  CHECK(mobile.push->sql == "SELECT email AS find, title, shot FROM crm.reports");
  CHECK(mobile.push->key == std::vector<std::string>{"find"});
  CHECK(mobile.push->mode == PushMode::Once);
  CHECK(mobile.push->body == std::map<std::string, std::string>{{"title", "title"}, {"device.model", "model"}});
  CHECK(mobile.push->attachments == std::map<std::string, std::string>{{"Screenshot", "shot"}});
  CHECK(mobile.push->max_failures == 3);

  const JobSpec& perf = c.jobs[7];
  CHECK(perf.push->kind == PushTargetKind::DataListener);
  CHECK(perf.push->scope == Scope::CommunityUser);
  CHECK(perf.push->project.empty());
  CHECK(perf.push->target_key == "Performance");
  CHECK(perf.push->mode == PushMode::OnChange);
  CHECK(perf.push->max_failures == 10);
  CHECK(perf.push->body.empty());

  CHECK(c.find_job("bug_lookup") == &c.jobs[4]);
  CHECK(c.find_job("nope") == nullptr);
}

TEST_CASE("defaults when optional sections are omitted", "[config]") {
  auto path = write_temp("minimal.yaml", kHeader +
                                             "jobs:\n"
                                             "  - name: negative_score\n"
                                             "    source: {scope: community_user, report: NegativeScore}\n");
  Config c = load_config(path, default_env());
  CHECK(c.centercode.rate_limit == 10);
  CHECK(c.centercode.max_in_flight == 6);
  CHECK(c.centercode.request_timeout == std::chrono::seconds{60});
  CHECK(c.centercode.max_attempts == 6);
  CHECK(c.warehouse.schema == "centercode");
  CHECK(c.daemon.max_concurrent_jobs == 4);
  CHECK(c.daemon.time_zone == "UTC");
  CHECK(c.daemon.grace == std::chrono::seconds{30});
  CHECK_FALSE(c.daemon.catch_up);
  CHECK(c.daemon.listen.empty());
  REQUIRE(c.jobs.size() == 1);
  CHECK(c.jobs[0].table == "negative_score");
  CHECK(c.jobs[0].api_key == kTestKey);
}
