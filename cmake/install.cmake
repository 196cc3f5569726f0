# What `cmake --install` and the .deb (cpack) put on disk. Two components:
#   ccetl  the daemon and CLI, its systemd units, docs, sql/, examples and /etc/ccetl/ccetl.yaml
#   sim    centercode-sim, the API simulator: a development tool, never in the production package
# README.md ("Run it as a service") lists the same paths; tests/app/install_test.cpp checks both.
include(GNUInstallDirs)

# Where the units go. Relative paths are under the install prefix: systemd reads units from
# /usr/local/lib/systemd/system as well as /usr/lib/systemd/system, so the default works for
# both `cmake --install` (prefix /usr/local) and the .deb (prefix /usr). Distribution builds may
# pass -DCCETL_SYSTEMD_UNIT_DIR=$(pkg-config --variable=systemdsystemunitdir systemd).
set(CCETL_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "systemd unit directory (relative: under the install prefix)")
# The configuration directory is absolute whatever the prefix: the units, the docs and the
# Kubernetes manifests all name /etc/ccetl.
set(CCETL_CONFIG_DIR "/etc/ccetl" CACHE PATH "Directory of ccetl.yaml and ccetl.env")
set(CCETL_PACKAGE_MAINTAINER "ccetl maintainers <ccetl@localhost>" CACHE STRING
    "Maintainer field of the .deb packages (Name <email>)")

set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME ccetl)
install(TARGETS ccetl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ccetl)
install(TARGETS centercode-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sim)
install(DIRECTORY sql/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ccetl/sql COMPONENT ccetl)
install(DIRECTORY config/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ccetl/examples COMPONENT ccetl)
install(FILES deploy/ccetl.env.example DESTINATION ${CMAKE_INSTALL_DATADIR}/ccetl/examples COMPONENT ccetl)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT ccetl)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT ccetl)

# The units and the example configuration are written at install time, not configure time: only
# then is the final prefix known (`cmake --install --prefix P`, or /usr when cpack packages), so
# ExecStart names the binary where it was actually installed. CMAKE_INSTALL_PREFIX and DESTDIR
# below are escaped: they are read when the install script runs.
if(IS_ABSOLUTE "${CCETL_SYSTEMD_UNIT_DIR}")
  set(ccetl_unit_dir "${CCETL_SYSTEMD_UNIT_DIR}")
else()
  set(ccetl_unit_dir "\${CMAKE_INSTALL_PREFIX}/${CCETL_SYSTEMD_UNIT_DIR}")
endif()
install(CODE "
  set(CCETL_BINARY \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/ccetl\")
  set(CCETL_DOC_DIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\")
  set(CCETL_CONFIG_DIR \"${CCETL_CONFIG_DIR}\")
  foreach(unit ccetl.service ccetl-run@.service ccetl-run@.timer)
    configure_file(\"${PROJECT_SOURCE_DIR}/deploy/systemd/\${unit}.in\"
                   \"${PROJECT_BINARY_DIR}/systemd/\${unit}\" @ONLY)
    file(INSTALL DESTINATION \"${ccetl_unit_dir}\" TYPE FILE
         FILES \"${PROJECT_BINARY_DIR}/systemd/\${unit}\")
  endforeach()
  # Never overwrite a configuration in place (a reinstall or an upgrade by `cmake --install`);
  # the .deb marks it a conffile, so dpkg keeps local edits too.
  if(EXISTS \"\$ENV{DESTDIR}${CCETL_CONFIG_DIR}/ccetl.yaml\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}${CCETL_CONFIG_DIR}/ccetl.yaml\")
  else()
    file(INSTALL DESTINATION \"${CCETL_CONFIG_DIR}\" TYPE FILE
         FILES \"${PROJECT_SOURCE_DIR}/deploy/ccetl.yaml\")
  endif()
" COMPONENT ccetl)

# The .deb packages: `cd build && cpack` writes ccetl_<version>-1_<arch>.deb and
# centercode-sim_<version>-1_<arch>.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ccetl)
set(CPACK_PACKAGE_VENDOR "ccetl")
set(CPACK_PACKAGE_CONTACT "${CCETL_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CCETL_PACKAGE_MAINTAINER}")
# Install through DESTDIR so that the install script above sees CMAKE_INSTALL_PREFIX=/usr (the
# path on the target machine), not cpack's staging directory, and /etc lands in the package.
# In this mode cpack installs to CPACK_INSTALL_PREFIX (default: the build's prefix, /usr/local).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ccetl sim)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
# Depends: the shared libraries' packages (dpkg-shlibdeps, from dpkg-dev) plus what is read at
# run time: the CA bundle for TLS (and for sslmode=verify-full) and the time zone database.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CCETL_PACKAGE_NAME ccetl)
set(CPACK_DEBIAN_CCETL_PACKAGE_DEPENDS "ca-certificates, tzdata")
set(CPACK_DEBIAN_CCETL_DESCRIPTION "Centercode to PostgreSQL sync daemon
ccetl keeps PostgreSQL tables in sync with Centercode data packages: typed tables
created from the package metadata, atomic upserts, run history in ccetl.runs, and
push jobs that send warehouse results back to Centercode. Runs once (ccetl run,
for timers and CronJobs) or as a systemd daemon with schedules and Prometheus
metrics (ccetl daemon).")
configure_file(deploy/debian/conffiles.in ${PROJECT_BINARY_DIR}/debian/conffiles @ONLY)
set(CPACK_DEBIAN_CCETL_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/debian/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)

set(CPACK_DEBIAN_SIM_PACKAGE_NAME centercode-sim)
set(CPACK_DEBIAN_SIM_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_SIM_DESCRIPTION "Simulator of the Centercode API, for developing ccetl jobs offline
centercode-sim serves the Centercode REST API (data packages, record lookups,
listeners, imports) from local data, with rate limits and injected faults. It
is what the ccetl tests, demo and benchmarks run against; not needed in
production.")
include(CPack)
