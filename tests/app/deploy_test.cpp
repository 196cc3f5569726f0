// The deployment files in deploy/ are checked as far as this machine allows: the Kubernetes
// manifests parse and say what the README promises. (The systemd units: install_test.cpp.)
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
