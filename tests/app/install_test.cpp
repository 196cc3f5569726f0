// What `cmake --install` and the .deb put on disk (cmake/install.cmake), checked on this build:
// the tree, the units' paths, the package metadata, and systemd-analyze on the installed units.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <vector>

#include "app/deploy_files.h"

namespace fs = std::filesystem;
using namespace ccetl::test;

namespace {

const char* const kUnits[] = {"ccetl.service", "ccetl-run@.service", "ccetl-run@.timer"};

// The [Service] keys of ccetl.service that are about the daemon, not about confinement; every
// other key of its [Service] section is hardening that ccetl-run@.service must repeat.
const std::set<std::string> kDaemonOnly = {
    "Service.Type",        "Service.NotifyAccess", "Service.ExecStart",   "Service.ExecReload",
    "Service.EnvironmentFile", "Service.WatchdogSec", "Service.Restart",  "Service.RestartSec",
    "Service.RestartPreventExitStatus", "Service.TimeoutStopSec", "Service.KillMode"};

std::string install(const fs::path& destdir, const std::string& prefix, const std::string& extra = "") {
  ShellResult r = shell("DESTDIR='" + destdir.string() + "' cmake --install '" + build_dir().string() +
                        "' --prefix " + prefix + " " + extra);
  INFO(r.output);
  REQUIRE(r.code == 0);
  return r.output;
}

// The value of `key=` in a unit, from the start of the line (not commented out).
std::string exec_start_binary(const std::map<std::string, std::string>& unit) {
  auto it = unit.find("Service.ExecStart");
  if (it == unit.end()) return "";
  return it->second.substr(0, it->second.find(' '));
}

}  // namespace

TEST_CASE("cmake --install: binary, units naming it, docs, sql, examples and /etc/ccetl/ccetl.yaml") {
  TempDir root("install");
  install(root.path(), "/usr/local", "--component ccetl");
  const fs::path prefix = root.path() / "usr/local";

  CHECK(fs::is_regular_file(prefix / "bin/ccetl"));
  CHECK(::access((prefix / "bin/ccetl").c_str(), X_OK) == 0);
  CHECK_FALSE(fs::exists(prefix / "bin/centercode-sim"));  // its own component and package
  CHECK(fs::is_regular_file(prefix / "share/doc/ccetl/README.md"));
  CHECK(fs::is_regular_file(prefix / "share/doc/ccetl/docs/guarantees.md"));
  CHECK(fs::is_regular_file(prefix / "share/ccetl/sql/001_catalog.sql"));
  CHECK(fs::is_regular_file(prefix / "share/ccetl/examples/examples.yaml"));
  CHECK(fs::is_regular_file(prefix / "share/ccetl/examples/ccetl.env.example"));
  const fs::path config = root.path() / "etc/ccetl/ccetl.yaml";
  REQUIRE(fs::is_regular_file(config));

  // The units go where systemd reads them under this prefix, and name the installed binary.
  const fs::path unit_dir = prefix / "lib/systemd/system";
  for (const char* name : kUnits) {
    INFO(name);
    REQUIRE(fs::is_regular_file(unit_dir / name));
    std::string text = slurp(unit_dir / name);
    CHECK(text.find("@CCETL_") == std::string::npos);  // every template placeholder filled in
    CHECK(text.find("Documentation=file:/usr/local/share/doc/ccetl/README.md") != std::string::npos);
  }
  auto daemon = read_unit(unit_dir / "ccetl.service");
  auto run = read_unit(unit_dir / "ccetl-run@.service");
  CHECK(exec_start_binary(daemon) == "/usr/local/bin/ccetl");
  CHECK(exec_start_binary(run) == "/usr/local/bin/ccetl");
  CHECK_THAT(daemon["Service.ExecStart"], Catch::Contains(" -c /etc/ccetl/ccetl.yaml"));
  CHECK_THAT(run["Service.ExecStart"], Catch::Contains(" -c /etc/ccetl/ccetl.yaml --job %i"));
  CHECK(daemon["Service.EnvironmentFile"] == "/etc/ccetl/ccetl.env");

  // Exit 2 (configuration or usage) is not restarted; the timer's runs are bounded in time.
  CHECK(daemon["Service.RestartPreventExitStatus"] == "2");
  CHECK(run["Service.Type"] == "oneshot");
  CHECK(run["Service.TimeoutStartSec"] == "1h");
  // The timer's service is confined exactly like the daemon.
  int hardening = 0;
  for (const auto& [key, value] : daemon) {
    if (key.rfind("Service.", 0) != 0 || kDaemonOnly.count(key)) continue;
    INFO(key);
    CHECK(run[key] == value);
    ++hardening;
  }
  CHECK(hardening >= 20);

  // The example configuration is valid as installed, before its secrets exist.
  RunResult valid = run_binary("ccetl", {"validate", "-c", config.string(), "--allow-unset-env"});
  INFO(valid.err);
  CHECK(valid.code == 0);
  CHECK_THAT(valid.out, Catch::Contains("CCETL_PG_DSN") && Catch::Contains("CENTERCODE_API_KEY"));

  // README's "Run it as a service" names only paths that this install creates (PREFIX is the
  // install prefix), apart from the secrets file the operator writes.
  std::string readme = slurp(source_dir() / "README.md");
  size_t from = readme.find("## Run it as a service");
  REQUIRE(from != std::string::npos);
  std::string section = readme.substr(from, readme.find("\n## ", from + 1) - from);
  std::regex named_path("(PREFIX/[^`\\s,)]*|/etc/ccetl/[^`\\s,)]*)");
  int named = 0;
  for (auto it = std::sregex_iterator(section.begin(), section.end(), named_path); it != std::sregex_iterator(); ++it) {
    std::string p = it->str();
    if (p == "/etc/ccetl/ccetl.env") continue;
    if (p.rfind("PREFIX/", 0) == 0) p = "usr/local/" + p.substr(7);
    INFO("README names " << it->str());
    CHECK(fs::exists(root.path() / fs::path(p).relative_path()));
    ++named;
  }
  CHECK(named >= 8);

  // A second install (an upgrade by hand) keeps the edited configuration.
  std::ofstream(config) << "# edited by the operator\n";
  std::string again = install(root.path(), "/usr/local", "--component ccetl");
  CHECK(slurp(config) == "# edited by the operator\n");
  CHECK_THAT(again, Catch::Contains("Keeping"));
}

TEST_CASE("cmake --install --prefix: the units follow the prefix") {
  TempDir root("install-opt");
  install(root.path(), "/opt/ccetl");
  auto daemon = read_unit(root.path() / "opt/ccetl/lib/systemd/system/ccetl.service");
  CHECK(exec_start_binary(daemon) == "/opt/ccetl/bin/ccetl");
  CHECK(fs::is_regular_file(root.path() / "opt/ccetl/bin/ccetl"));
  CHECK(fs::is_regular_file(root.path() / "opt/ccetl/bin/centercode-sim"));  // all components
}

TEST_CASE("the installed units pass systemd-analyze verify") {
  if (shell("command -v systemd-analyze").code != 0) {
    WARN("systemd-analyze is not installed (Debian package systemd); skipped");
    return;
  }
  TempDir root("verify");
  install(root.path(), "/usr/local", "--component ccetl");
  // verify --root=DIR reads units and checks Exec*= binaries inside DIR: the units'
  // dependencies (network-online.target, sysinit.target...) and /bin/kill (ExecReload=) come
  // from this machine.
  ShellResult copy = shell("mkdir -p '" + root.str() + "/lib/systemd' '" + root.str() + "/bin' && cp -a /lib/systemd/system '" +
                           root.str() + "/lib/systemd/' && rm -f '" + root.str() + "'/lib/systemd/system/ccetl* && cp /bin/kill '" +
                           root.str() + "/bin/'");
  REQUIRE(copy.code == 0);
  for (const char* unit : {"ccetl.service", "ccetl-run@feedback_scores.service", "ccetl-run@feedback_scores.timer"}) {
    ShellResult r = shell(std::string("SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --root='") + root.str() + "' " + unit);
    INFO(unit << ": " << r.output);
    CHECK(r.code == 0);
    // Warnings do not change the exit code: an ignored line is a unit that does less than it says.
    CHECK(r.output.find("Unknown") == std::string::npos);
    CHECK(r.output.find("gnoring") == std::string::npos);
    CHECK(r.output.find("no effect") == std::string::npos);
  }
  // The check sees the installed binary: without it, verify fails.
  fs::remove(root.path() / "usr/local/bin/ccetl");
  ShellResult missing = shell("systemd-analyze verify --root='" + root.str() + "' ccetl.service");
  CHECK(missing.code != 0);
  CHECK_THAT(missing.output, Catch::Contains("/usr/local/bin/ccetl"));
}

TEST_CASE(".deb packages: ccetl with Depends, maintainer, description and a conffile; centercode-sim apart") {
  if (shell("command -v cpack && command -v dpkg-deb && command -v dpkg-shlibdeps").code != 0) {
    WARN("cpack, dpkg-deb or dpkg-shlibdeps (Debian package dpkg-dev) missing; skipped");
    return;
  }
  TempDir out("deb");
  ShellResult pack = shell("cd '" + out.str() + "' && cpack -G DEB --config '" +
                           (build_dir() / "CPackConfig.cmake").string() + "' -B '" + out.str() + "'");
  INFO(pack.output);
  REQUIRE(pack.code == 0);
  fs::path ccetl_deb, sim_deb;
  for (const auto& entry : fs::directory_iterator(out.path())) {
    std::string name = entry.path().filename().string();
    if (name.rfind("ccetl_", 0) == 0 && entry.path().extension() == ".deb") ccetl_deb = entry.path();
    if (name.rfind("centercode-sim_", 0) == 0 && entry.path().extension() == ".deb") sim_deb = entry.path();
  }
  REQUIRE(!ccetl_deb.empty());
  REQUIRE(!sim_deb.empty());

  auto field = [](const fs::path& deb, const std::string& name) {
    ShellResult r = shell("dpkg-deb -f '" + deb.string() + "' " + name);
    REQUIRE(r.code == 0);
    return r.output;
  };
  CHECK(field(ccetl_deb, "Package") == "ccetl\n");
  std::string depends = field(ccetl_deb, "Depends");
  INFO("Depends: " << depends);
  // Found by dpkg-shlibdeps from the binary's libraries, plus what ccetl reads at run time.
  for (const char* package : {"libc6", "libpqxx-6.4", "libssl3", "libyaml-cpp0.7", "libsystemd0", "ca-certificates",
                              "tzdata"}) {
    CHECK_THAT(depends, Catch::Contains(package));
  }
  CHECK_THAT(field(ccetl_deb, "Maintainer"), Catch::Matches(".+ <.+@.+>\\s*"));
  std::string description = field(ccetl_deb, "Description");
  CHECK_THAT(description, Catch::StartsWith("Centercode to PostgreSQL sync daemon\n"));
  CHECK(std::count(description.begin(), description.end(), '\n') >= 3);  // a long description too

  ShellResult contents = shell("dpkg-deb -c '" + ccetl_deb.string() + "'");
  REQUIRE(contents.code == 0);
  INFO(contents.output);
  for (const char* path : {"./usr/bin/ccetl", "./usr/lib/systemd/system/ccetl.service",
                           "./usr/lib/systemd/system/ccetl-run@.service", "./usr/lib/systemd/system/ccetl-run@.timer",
                           "./etc/ccetl/ccetl.yaml", "./usr/share/doc/ccetl/README.md",
                           "./usr/share/ccetl/sql/001_catalog.sql", "./usr/share/ccetl/examples/examples.yaml"}) {
    CHECK_THAT(contents.output, Catch::Contains(std::string(path) + "\n"));
  }
  CHECK(contents.output.find("centercode-sim") == std::string::npos);
  CHECK(contents.output.find("_CPack_Packages") == std::string::npos);
  CHECK(contents.output.find("/usr/local") == std::string::npos);

  ShellResult conffiles = shell("dpkg-deb -I '" + ccetl_deb.string() + "' conffiles");
  CHECK(conffiles.output == "/etc/ccetl/ccetl.yaml\n");
  ShellResult postinst = shell("dpkg-deb -I '" + ccetl_deb.string() + "' postinst");
  CHECK_THAT(postinst.output, Catch::Contains("daemon-reload"));
  // The maintainer scripts are executable and parse as POSIX sh (dpkg runs them as root).
  ShellResult control = shell("dpkg-deb -e '" + ccetl_deb.string() + "' '" + out.str() + "/control'");
  REQUIRE(control.code == 0);
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    INFO(script);
    fs::path file = out.path() / "control" / script;
    CHECK(::access(file.c_str(), X_OK) == 0);
    CHECK(shell("sh -n '" + file.string() + "'").code == 0);
  }

  // The packaged units name the packaged binary (/usr/bin), not cpack's staging directory.
  ShellResult extract = shell("dpkg-deb -x '" + ccetl_deb.string() + "' '" + out.str() + "/root'");
  REQUIRE(extract.code == 0);
  for (const char* unit : {"ccetl.service", "ccetl-run@.service"}) {
    INFO(unit);
    auto keys = read_unit(out.path() / "root/usr/lib/systemd/system" / unit);
    CHECK(exec_start_binary(keys) == "/usr/bin/ccetl");
  }

  CHECK(field(sim_deb, "Package") == "centercode-sim\n");
  CHECK_THAT(field(sim_deb, "Depends"), Catch::Contains("libssl3"));
  ShellResult sim_contents = shell("dpkg-deb -c '" + sim_deb.string() + "'");
  CHECK_THAT(sim_contents.output, Catch::Contains("./usr/bin/centercode-sim\n"));
  CHECK(sim_contents.output.find("ccetl.service") == std::string::npos);
  CHECK(sim_contents.output.find("./usr/bin/ccetl\n") == std::string::npos);
}
