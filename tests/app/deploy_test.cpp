// The deployment files in deploy/ are checked as far as this machine allows: the Kubernetes
// manifests parse and say what the README promises; the systemd units pass systemd-analyze.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/child_process.h"

namespace fs = std::filesystem;

namespace {

fs::path source_dir() {
  const char* dir = std::getenv("CCETL_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::current_path();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("Kubernetes manifests parse and carry the promised settings") {
  fs::path k8s = source_dir() / "deploy/k8s";
  YAML::Node cron = YAML::LoadFile((k8s / "cronjob.yaml").string());
  CHECK(cron["kind"].as<std::string>() == "CronJob");
  CHECK(cron["spec"]["concurrencyPolicy"].as<std::string>() == "Forbid");
  CHECK(cron["spec"]["jobTemplate"]["spec"]["backoffLimit"].as<int>() >= 1);
  auto args = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"];
  bool has_job = false;
  for (const auto& a : args) has_job |= a.as<std::string>() == "--job";
  CHECK(has_job);

  YAML::Node deploy = YAML::LoadFile((k8s / "deployment.yaml").string());
  auto container = deploy["spec"]["template"]["spec"]["containers"][0];
  CHECK(container["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
  CHECK(container["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/readyz");
  CHECK(container["securityContext"]["allowPrivilegeEscalation"].as<bool>() == false);

  YAML::Node config_map = YAML::LoadFile((k8s / "configmap.yaml").string());
  // The embedded ccetl.yaml is itself valid YAML with the contract's top-level keys.
  YAML::Node embedded = YAML::Load(config_map["data"]["ccetl.yaml"].as<std::string>());
  CHECK(embedded["centercode"]);
  CHECK(embedded["warehouse"]);
  CHECK(embedded["jobs"].size() >= 1);
  YAML::Node secret = YAML::LoadFile((k8s / "secret.yaml").string());
  CHECK(secret["stringData"]["CENTERCODE_API_KEY"]);
}

TEST_CASE("systemd units pass systemd-analyze verify") {
  if (std::system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
    WARN("systemd-analyze is not installed; skipped");
    return;
  }
  fs::path tmp = fs::temp_directory_path() / ("ccetl-units-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  std::string binary = ccetl::test::build_binary("ccetl");
  for (const char* unit : {"ccetl.service", "ccetl-run@.service", "ccetl-run@.timer"}) {
    std::string text = std::regex_replace(slurp(source_dir() / "deploy/systemd" / unit), std::regex("/usr/bin/ccetl"), binary);
    std::ofstream(tmp / unit) << text;
  }
  for (const char* unit : {"ccetl.service", "ccetl-run@feedback_scores.service", "ccetl-run@feedback_scores.timer"}) {
    std::string target = (tmp / unit).string();
    if (std::string(unit).find('@') != std::string::npos) {
      // Instances are verified through their template file name.
      std::string templ = std::regex_replace(std::string(unit), std::regex("@[^.]*"), "@");
      fs::copy_file(tmp / templ, tmp / unit, fs::copy_options::overwrite_existing);
    }
    std::string cmd = "cd " + tmp.string() + " && systemd-analyze verify " + target + " > verify.log 2>&1";
    int rc = std::system(cmd.c_str());
    std::string log = slurp(tmp / "verify.log");
    INFO(unit << ": " << log);
    CHECK(rc == 0);
    CHECK(log.find("Unknown") == std::string::npos);
  }
  fs::remove_all(tmp);
}
