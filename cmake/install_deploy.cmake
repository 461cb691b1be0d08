# install_deploy.cmake — run at install time (cmake --install, cpack) from
# CMakeLists.txt's install(CODE).  The files in deploy/ name the Debian
# paths; here they are rewritten for the prefix actually being installed
# to (CMAKE_INSTALL_PREFIX at install time: /usr for the .deb, /usr/local
# or anything else for `cmake --install`) and installed: the units, the
# report wrapper and the configuration (/etc for the /usr prefix, else
# PREFIX/etc).  DESTDIR is honoured by file(INSTALL).
set(tw_p "${CMAKE_INSTALL_PREFIX}")
if(tw_p STREQUAL "/usr")
  set(tw_etc "/etc")
else()
  set(tw_etc "${tw_p}/etc")
endif()
if(IS_ABSOLUTE "${TW_SYSTEMD_UNITDIR}")
  set(tw_units "${TW_SYSTEMD_UNITDIR}")
else()
  set(tw_units "${tw_p}/${TW_SYSTEMD_UNITDIR}")
endif()
set(tw_out "${TW_BINARY_DIR}/deploy-install")
file(MAKE_DIRECTORY "${tw_out}")
foreach(f tunnelwatch.service tunnelwatch-report.service tunnelwatch-report.timer
          tunnelwatch-report.sh)
  file(READ "${TW_SOURCE_DIR}/deploy/${f}" tw_text)
  string(REPLACE "/usr/bin/" "${tw_p}/bin/" tw_text "${tw_text}")
  string(REPLACE "/usr/libexec/" "${tw_p}/libexec/" tw_text "${tw_text}")
  string(REPLACE "/usr/share/doc/tunnelwatch/" "${tw_p}/share/doc/tunnelwatch/" tw_text "${tw_text}")
  string(REPLACE "/etc/" "${tw_etc}/" tw_text "${tw_text}")
  file(WRITE "${tw_out}/${f}" "${tw_text}")
endforeach()
file(INSTALL DESTINATION "${tw_units}" TYPE FILE FILES
     "${tw_out}/tunnelwatch.service" "${tw_out}/tunnelwatch-report.service"
     "${tw_out}/tunnelwatch-report.timer")
file(INSTALL DESTINATION "${tw_p}/libexec/tunnelwatch" TYPE PROGRAM
     RENAME tunnelwatch-report FILES "${tw_out}/tunnelwatch-report.sh")
file(INSTALL DESTINATION "${tw_etc}/tunnelwatch" TYPE FILE
     RENAME tunnelwatch.json FILES "${TW_SOURCE_DIR}/deploy/tunnelwatch.example.json")
