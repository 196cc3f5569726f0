#include <catch2/catch.hpp>

#include "api/endpoints.h"
#include "core/error.h"

using namespace ccetl;
using namespace ccetl::endpoints;

TEST_CASE("url_encode keeps unreserved characters and encodes everything else", "[api][endpoints]") {
  CHECK(url_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(url_encode("jim@centercode.com") == "jim%40centercode.com");
  CHECK(url_encode("a b/c?d&e=f#g+h%") == "a%20b%2Fc%3Fd%26e%3Df%23g%2Bh%25");
  CHECK(url_encode("Müller") == "M%C3%BCller");
  CHECK(url_encode("日本") == "%E6%97%A5%E6%9C%AC");
  CHECK(url_encode("") == "");
}

TEST_CASE("data package paths for every scope", "[api][endpoints]") {
  CHECK(data_package(Scope::CommunityUser, "", "NegativeScore", 1) == "/userDataPackages/NegativeScore?page=1");
  CHECK(data_package(Scope::CommunityProject, "", "UserTotals", 3) == "/projectDataPackages/UserTotals?page=3");
  CHECK(data_package(Scope::ProjectUser, "WidgetPro", "UserFeedbackTotals", 1) ==
        "/projects/WidgetPro/userDataPackages/UserFeedbackTotals?page=1");
  CHECK(data_package(Scope::ProjectFeedback, "WidgetPro", "FeedbackScores", 2) ==
        "/projects/WidgetPro/feedbackDataPackages/FeedbackScores?page=2");
  CHECK(data_package(Scope::ProjectFeedback, "Widget Pro", "Scores/1", 12) ==
        "/projects/Widget%20Pro/feedbackDataPackages/Scores%2F1?page=12");
  CHECK_THROWS_AS(data_package(Scope::ProjectUser, "", "X", 1), Error);
  CHECK_THROWS_AS(data_package(Scope::CommunityUser, "", "", 1), Error);
  CHECK_THROWS_AS(data_package(Scope::CommunityUser, "", "X", 0), Error);
}

TEST_CASE("record lookup paths carry one encoded find parameter", "[api][endpoints]") {
  CHECK(record_lookup(Scope::CommunityUser, "", "UserScore", "jim@centercode.com") ==
        "/userRecordLookups/UserScore?find=jim%40centercode.com");
  CHECK(record_lookup(Scope::CommunityProject, "", "ProjectStats", "WidgetPro") ==
        "/projectRecordLookups/ProjectStats?find=WidgetPro");
  CHECK(record_lookup(Scope::ProjectUser, "WidgetPro", "UserStats", "jim@centercode.com") ==
        "/projects/WidgetPro/userRecordLookups/UserStats?find=jim%40centercode.com");
  CHECK(record_lookup(Scope::ProjectFeedback, "WidgetPro", "BugReports", "BUG-0001") ==
        "/projects/WidgetPro/feedbackRecordLookups/BugReports?find=BUG-0001");
  auto p = record_lookup(Scope::CommunityUser, "", "U", "a?b&apiKey=x");
  CHECK(p == "/userRecordLookups/U?find=a%3Fb%26apiKey%3Dx");
  CHECK(std::count(p.begin(), p.end(), '?') == 1);
  CHECK(record_lookup(Scope::CommunityUser, "", "U", "Zoë") == "/userRecordLookups/U?find=Zo%C3%AB");
}

TEST_CASE("listener paths for every valid kind and scope", "[api][endpoints]") {
  using L = Listener;
  CHECK(listener(L::Macro, Scope::CommunityUser, "", "Enrich", "jim") == "/userMacroListeners/Enrich?find=jim");
  CHECK(listener(L::Macro, Scope::ProjectUser, "WidgetPro", "Promotion", "jim") ==
        "/projects/WidgetPro/userMacroListeners/Promotion?find=jim");
  CHECK(listener(L::Macro, Scope::ProjectFeedback, "WidgetPro", "ClosedInJIRA", "BUG-0001") ==
        "/projects/WidgetPro/feedbackMacroListeners/ClosedInJIRA?find=BUG-0001");
  CHECK(listener(L::Comment, Scope::CommunityUser, "", "UserComment", "nathan") ==
        "/userCommentListeners/UserComment?find=nathan");
  CHECK(listener(L::Comment, Scope::ProjectUser, "WidgetPro", "UserComment", "nathan") ==
        "/projects/WidgetPro/userCommentListeners/UserComment?find=nathan");
  CHECK(listener(L::Comment, Scope::ProjectFeedback, "WidgetPro", "BugComment", "BUG-0001") ==
        "/projects/WidgetPro/feedbackCommentListeners/BugComment?find=BUG-0001");
  CHECK(listener(L::Data, Scope::CommunityUser, "", "Performance", "sam@gmail.com") ==
        "/userDataListeners/Performance?find=sam%40gmail.com");
  CHECK(listener(L::Data, Scope::ProjectUser, "WidgetPro", "Subscription", "jim") ==
        "/projects/WidgetPro/userDataListeners/Subscription?find=jim");
  CHECK(listener(L::Data, Scope::ProjectFeedback, "WidgetPro", "CrashLog", "BUG-0001") ==
        "/projects/WidgetPro/feedbackDataListeners/CrashLog?find=BUG-0001");
  CHECK(listener(L::Data, Scope::CommunityUser, "", "Performance", "") == "/userDataListeners/Performance");
}

TEST_CASE("impossible listener and import combinations are config errors", "[api][endpoints]") {
  for (auto kind : {Listener::Macro, Listener::Comment, Listener::Data}) {
    try {
      listener(kind, Scope::CommunityProject, "", "K", "x");
      FAIL("community_project listener accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Config);
      CHECK(std::string(e.what()).find("community_project") != std::string::npos);
    }
  }
  CHECK_THROWS_AS(listener(Listener::Macro, Scope::ProjectFeedback, "", "K", "x"), Error);
  CHECK_THROWS_AS(user_import(Scope::ProjectFeedback, "P", "Mobile"), Error);
  CHECK_THROWS_AS(user_import(Scope::CommunityProject, "", "Mobile"), Error);
}

TEST_CASE("import, feedback and release paths", "[api][endpoints]") {
  CHECK(user_import(Scope::CommunityUser, "", "Mobile") == "/userImports/Mobile");
  CHECK(user_import(Scope::ProjectUser, "WidgetPro", "Mobile") == "/projects/WidgetPro/userImports/Mobile");
  CHECK(feedback("WidgetPro", "Mobile") == "/projects/WidgetPro/feedback/Mobile");
  CHECK(release("WidgetPro", "Firmware") == "/projects/WidgetPro/releaseTypes/Firmware");
  CHECK_THROWS_AS(feedback("", "Mobile"), Error);
  CHECK_THROWS_AS(release("WidgetPro", ""), Error);
}
