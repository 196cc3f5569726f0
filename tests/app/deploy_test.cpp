// The Kubernetes manifests and the image recipe in deploy/ are checked as far as this machine
// allows: they parse, say what the README promises, and pass the Pod Security "restricted"
// profile's rules. (The systemd units are checked as installed: install_test.cpp.)
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <vector>

#include "app/deploy_files.h"
#include "warehouse/dsn_syntax.h"

namespace fs = std::filesystem;
using namespace ccetl::test;

namespace {

fs::path k8s_dir() { return source_dir() / "deploy/k8s"; }

// A scalar's text, "" when the key is missing: a missing setting fails its CHECK with the key's
// name in the message instead of throwing out of the test case.
std::string text(const YAML::Node& node) { return node && node.IsScalar() ? node.as<std::string>() : ""; }

// node[k1][k2]..., an undefined node when a key on the way is missing (yaml-cpp throws when
// indexing or rebinding to a missing key's node). reset() rebinds; `=` would assign into the
// document.
YAML::Node path(const YAML::Node& node, std::initializer_list<const char*> keys) {
  YAML::Node at;
  at.reset(node);
  for (const char* key : keys) {
    if (!at.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& map = at;
    YAML::Node next = map[key];
    if (!next) return YAML::Node(YAML::NodeType::Undefined);
    at.reset(next);
  }
  return at;
}

bool contains(const YAML::Node& list, const std::string& value) {
  for (const auto& item : list) {
    if (item.as<std::string>() == value) return true;
  }
  return false;
}

// The rules of the Pod Security Standards' "restricted" profile (v1.25+) that a pod spec can
// break, checked on one pod template's spec.
void check_restricted(const YAML::Node& pod, const std::string& where) {
  INFO(where);
  for (const char* host : {"hostNetwork", "hostPID", "hostIPC"}) CHECK(text(pod[host]) != "true");
  const YAML::Node pod_security = pod["securityContext"];
  CHECK(text(pod_security["runAsNonRoot"]) == "true");
  CHECK(text(pod_security["runAsUser"]) != "");
  CHECK(text(pod_security["runAsUser"]) != "0");
  CHECK(text(path(pod_security, {"seccompProfile", "type"})) == "RuntimeDefault");
  // Volume types the profile allows.
  const std::set<std::string> allowed = {"configMap", "csi",  "downwardAPI", "emptyDir", "ephemeral",
                                         "persistentVolumeClaim", "projected", "secret"};
  for (const auto& volume : pod["volumes"]) {
    for (const auto& field : volume) {
      std::string key = field.first.as<std::string>();
      if (key != "name") CHECK(allowed.count(key) == 1);
    }
  }
  REQUIRE(pod["containers"].size() >= 1);
  for (const auto& container : pod["containers"]) {
    INFO("container " << text(container["name"]));
    const YAML::Node sc = container["securityContext"];
    CHECK(text(sc["allowPrivilegeEscalation"]) == "false");
    CHECK(text(sc["readOnlyRootFilesystem"]) == "true");
    CHECK(text(sc["privileged"]) != "true");
    CHECK(contains(path(sc, {"capabilities", "drop"}), "ALL"));
    for (const auto& added : path(sc, {"capabilities", "add"})) CHECK(text(added) == "NET_BIND_SERVICE");
    if (sc["seccompProfile"]) CHECK(text(path(sc, {"seccompProfile", "type"})) == "RuntimeDefault");
    if (sc["runAsNonRoot"]) CHECK(text(sc["runAsNonRoot"]) == "true");
    // A read-only root needs a writable /tmp for anything that writes temporary files.
    bool tmp = false;
    for (const auto& mount : container["volumeMounts"]) tmp |= text(mount["mountPath"]) == "/tmp";
    CHECK(tmp);
  }
}

}  // namespace

TEST_CASE("Kubernetes manifests parse and carry the promised settings") {
  YAML::Node cron = YAML::LoadFile((k8s_dir() / "cronjob.yaml").string());
  CHECK(cron["kind"].as<std::string>() == "CronJob");
  CHECK(cron["spec"]["concurrencyPolicy"].as<std::string>() == "Forbid");
  CHECK(cron["spec"]["jobTemplate"]["spec"]["backoffLimit"].as<int>() >= 1);
  auto args = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"];
  CHECK(contains(args, "--job"));

  YAML::Node deploy = YAML::LoadFile((k8s_dir() / "deployment.yaml").string());
  auto container = deploy["spec"]["template"]["spec"]["containers"][0];
  CHECK(container["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
  CHECK(container["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/readyz");

  YAML::Node secret = YAML::LoadFile((k8s_dir() / "secret.yaml").string());
  CHECK(secret["stringData"]["CENTERCODE_API_KEY"]);
}

TEST_CASE("Kubernetes pods pass the Pod Security restricted profile") {
  YAML::Node cron = YAML::LoadFile((k8s_dir() / "cronjob.yaml").string());
  check_restricted(cron["spec"]["jobTemplate"]["spec"]["template"]["spec"], "cronjob.yaml");
  YAML::Node deploy = YAML::LoadFile((k8s_dir() / "deployment.yaml").string());
  check_restricted(deploy["spec"]["template"]["spec"], "deployment.yaml");
}

TEST_CASE("CronJob: a time zone, and exit 2 fails the Job instead of being retried") {
  YAML::Node cron = YAML::LoadFile((k8s_dir() / "cronjob.yaml").string());
  // The zone must exist (the API server rejects unknown ones); tzdata is installed here.
  std::string zone = text(cron["spec"]["timeZone"]);
  CHECK(!zone.empty());
  CHECK(fs::is_regular_file(fs::path("/usr/share/zoneinfo") / zone));

  YAML::Node job = cron["spec"]["jobTemplate"]["spec"];
  // podFailurePolicy is only accepted with restartPolicy: Never.
  CHECK(text(job["template"]["spec"]["restartPolicy"]) == "Never");
  std::string container = text(job["template"]["spec"]["containers"][0]["name"]);
  // The first rule that matches exit code 2 decides: it must fail the Job.
  std::string action_for_2;
  for (const auto& rule : job["podFailurePolicy"]["rules"]) {
    const YAML::Node codes = rule["onExitCodes"];
    if (!codes) continue;
    if (codes["containerName"]) CHECK(text(codes["containerName"]) == container);
    bool listed = false;
    for (const auto& v : codes["values"]) listed |= text(v) == "2";
    bool matches = text(codes["operator"]) == "In" ? listed : !listed;
    if (matches) {
      action_for_2 = text(rule["action"]);
      break;
    }
  }
  CHECK(action_for_2 == "FailJob");
}

TEST_CASE("the DSN of secret.yaml verifies the server with a CA file the image has") {
  YAML::Node secret = YAML::LoadFile((k8s_dir() / "secret.yaml").string());
  std::string dsn = secret["stringData"]["CCETL_PG_DSN"].as<std::string>();
  CHECK(ccetl::dsn_syntax_error(dsn) == std::nullopt);
  CHECK_THAT(dsn, Catch::Contains("sslmode=verify-full"));
  // Without a home directory libpq finds no ~/.postgresql/root.crt: the DSN must name a file.
  const std::string bundle = "/etc/ssl/certs/ca-certificates.crt";  // Debian's ca-certificates
  CHECK_THAT(dsn, Catch::Contains("sslrootcert=" + bundle));
  CHECK(fs::is_regular_file(bundle));
  // The image's runtime stage (after the last FROM) installs that package.
  std::string dockerfile = slurp(source_dir() / "deploy/Dockerfile");
  std::string runtime = dockerfile.substr(dockerfile.rfind("\nFROM "));
  CHECK_THAT(runtime, Catch::Contains(" ca-certificates"));
  CHECK_THAT(runtime, Catch::Contains("USER 10001"));

  // The systemd example (deploy/ccetl.env.example) follows the same rule: DynamicUser has no home.
  std::string env = slurp(source_dir() / "deploy/ccetl.env.example");
  size_t at = env.find("\nCCETL_PG_DSN=\"");
  REQUIRE(at != std::string::npos);
  at += std::string("\nCCETL_PG_DSN=\"").size();
  std::string env_dsn = env.substr(at, env.find('"', at) - at);
  CHECK(ccetl::dsn_syntax_error(env_dsn) == std::nullopt);
  CHECK_THAT(env_dsn, Catch::Contains("sslmode=verify-full") && Catch::Contains("sslrootcert=" + bundle));
}

TEST_CASE("the ConfigMap's ccetl.yaml is a valid configuration") {
  YAML::Node config_map = YAML::LoadFile((k8s_dir() / "configmap.yaml").string());
  TempDir dir("configmap");
  std::ofstream(dir.path() / "ccetl.yaml") << config_map["data"]["ccetl.yaml"].as<std::string>();
  RunResult r = run_binary("ccetl", {"validate", "-c", (dir.path() / "ccetl.yaml").string(), "--allow-unset-env"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
}

TEST_CASE(".dockerignore keeps build trees and history out of the image's build context") {
  std::string ignore = slurp(source_dir() / ".dockerignore");
  std::vector<std::string> lines;
  std::istringstream in(ignore);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  for (const char* pattern : {".git", "build", "build-*", ".demo"}) {
    INFO(pattern);
    CHECK(std::find(lines.begin(), lines.end(), pattern) != lines.end());
  }
}
