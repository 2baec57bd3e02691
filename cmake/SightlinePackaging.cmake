# The Debian package (cpack -G DEB, packaging/build-deb.sh): /usr/bin/sightline with its desktop
# integration (a .desktop file with the video MIME types, icons, AppStream metainfo, a man page)
# and the Debian copyright and changelog. Depends come from dpkg-shlibdeps (the OpenCL ICD loader
# among them), plus the font that burned-in labels need; PoCL and Mesa's GL drivers are
# recommended so a machine without a GPU driver still has a device.

include(GNUInstallDirs)
set(SL_PKG_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)
set(SL_APP_ID org.sightline.Sightline)

install(FILES ${SL_PKG_DIR}/sightline.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${SL_PKG_DIR}/${SL_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/sightline.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# PNG icons rendered from the SVG (librsvg's rsvg-convert), and the gzipped man page and changelog
# (gzip -n: no time stamp, so the package is reproducible). Built with the package only.
find_program(SL_RSVG_CONVERT rsvg-convert)
find_program(SL_GZIP gzip REQUIRED)
set(SL_PKG_OUT ${PROJECT_BINARY_DIR}/packaging)
set(SL_PKG_OUTPUTS)
foreach(size 16 32 48 64 128 256)
  if(SL_RSVG_CONVERT)
    set(png ${SL_PKG_OUT}/icons/${size}/sightline.png)
    add_custom_command(OUTPUT ${png}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${SL_PKG_OUT}/icons/${size}
      COMMAND ${SL_RSVG_CONVERT} -w ${size} -h ${size}
              ${PROJECT_SOURCE_DIR}/resources/icons/sightline.svg -o ${png}
      DEPENDS ${PROJECT_SOURCE_DIR}/resources/icons/sightline.svg VERBATIM)
    list(APPEND SL_PKG_OUTPUTS ${png})
    install(FILES ${png}
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps OPTIONAL)
  endif()
endforeach()
foreach(pair "sightline.1;sightline.1.gz" "changelog;changelog.gz")
  list(GET pair 0 in)
  list(GET pair 1 out)
  add_custom_command(OUTPUT ${SL_PKG_OUT}/${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${SL_PKG_OUT}
    COMMAND ${SL_GZIP} -n -9 -c ${SL_PKG_DIR}/${in} > ${SL_PKG_OUT}/${out}
    DEPENDS ${SL_PKG_DIR}/${in} VERBATIM)
  list(APPEND SL_PKG_OUTPUTS ${SL_PKG_OUT}/${out})
endforeach()
add_custom_target(package_files ALL DEPENDS ${SL_PKG_OUTPUTS})
install(FILES ${SL_PKG_OUT}/sightline.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# The package's name, not the project's (CMAKE_INSTALL_DOCDIR would say "Sightline").
install(FILES ${SL_PKG_OUT}/changelog.gz ${SL_PKG_DIR}/copyright
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sightline)
# The references the man page points at.
install(FILES ${PROJECT_SOURCE_DIR}/docs/monitor.md ${PROJECT_SOURCE_DIR}/docs/formats.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sightline)

set(CPACK_PACKAGE_NAME sightline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Sightline developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "video analytics workstation: detection, tracking, review")
set(CPACK_PACKAGE_DESCRIPTION
    "Sightline plays recordings, network streams and cameras frame-exactly,\n\
runs ONNX detectors on the frames with OpenCL, tracks the objects with\n\
ByteTrack and draws boxes, tracks, zones and counts over the video as it\n\
plays. Projects keep model runs, ground truth and zones; COCO,\n\
MOTChallenge, CVAT, YOLO and Pascal VOC annotations import and export;\n\
detection and tracking metrics compare runs. The same engine runs\n\
headless on the command line.")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # sightline_VERSION_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Sightline developers <developers@sightline.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://sightline.org")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pocl-opencl-icd | opencl-icd, libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "clinfo")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
