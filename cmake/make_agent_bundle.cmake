# Packs the headless agent's sources into one versioned tarball (run by the agent_bundle target,
# cmake/agent_bundle.cmake; issue 22). `tailprune device install` copies it to a device and builds
# it there with -DTAILPRUNE_GUI=OFF -DTAILPRUNE_TESTS=OFF.
#
# In:  SOURCE (the checkout), WORK (a scratch folder), OUTPUT (the .tar.gz), MANIFEST (its .json
#      sidecar), VERSION, and the folders of the header-only libraries to carry along: NLOHMANN_DIR,
#      CLI11_DIR, STB_DIR (devices often lack them and may have no root to install them; the
#      bundle's CMake uses them only when find_package finds none).
# Out: OUTPUT with one top folder `tailprune-agent-src/` holding CMakeLists.txt, cmake/, core/,
#      app/, resources/models/, third_party/ and bundle.json; MANIFEST = the same bundle.json.
#      The bundle's id is VERSION-<first 12 hex of a hash over every file's sha256 and path>, so
#      two builds of the same sources give the same id and any change gives another.
cmake_minimum_required(VERSION 3.22)

set(top tailprune-agent-src)
set(stage ${WORK}/${top})
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${stage})

file(GLOB_RECURSE files RELATIVE ${SOURCE} ${SOURCE}/core/* ${SOURCE}/app/* ${SOURCE}/cmake/*
     ${SOURCE}/resources/models/*)
list(APPEND files CMakeLists.txt)
list(SORT files)
set(listing "")
foreach(f IN LISTS files)
  get_filename_component(dir ${stage}/${f} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  configure_file(${SOURCE}/${f} ${stage}/${f} COPYONLY)
  file(SHA256 ${SOURCE}/${f} h)
  string(APPEND listing "${h}  ${f}\n")
endforeach()

# Header-only libraries, with the copyright files Debian ships for them.
set(third ${stage}/third_party)
file(MAKE_DIRECTORY ${third}/include ${third}/licenses)
set(carried "")
if(NLOHMANN_DIR AND EXISTS ${NLOHMANN_DIR}/nlohmann/json.hpp)
  file(COPY ${NLOHMANN_DIR}/nlohmann DESTINATION ${third}/include)
  list(APPEND carried "\"nlohmann_json\"")
endif()
if(CLI11_DIR AND EXISTS ${CLI11_DIR}/CLI/CLI.hpp)
  file(COPY ${CLI11_DIR}/CLI DESTINATION ${third}/include)
  list(APPEND carried "\"CLI11\"")
endif()
if(STB_DIR AND EXISTS ${STB_DIR}/stb_image.h)
  file(MAKE_DIRECTORY ${third}/include/stb)
  foreach(h stb_image.h stb_image_resize.h)
    if(EXISTS ${STB_DIR}/${h})
      configure_file(${STB_DIR}/${h} ${third}/include/stb/${h} COPYONLY)
    endif()
  endforeach()
  list(APPEND carried "\"stb\"")
endif()
foreach(pkg nlohmann-json3-dev libcli11-dev libstb-dev)
  if(EXISTS /usr/share/doc/${pkg}/copyright)
    configure_file(/usr/share/doc/${pkg}/copyright ${third}/licenses/${pkg}.copyright COPYONLY)
  endif()
endforeach()

string(SHA256 tree_hash "${listing}")
string(SUBSTRING ${tree_hash} 0 12 short)
list(LENGTH files count)
list(JOIN carried ", " carried_json)
string(TIMESTAMP now "%Y-%m-%dT%H:%M:%SZ" UTC)
set(manifest "{\n  \"format\": \"tailprune-agent-bundle\",\n  \"format_version\": 1,\n  \"id\": \"${VERSION}-${short}\",\n  \"version\": \"${VERSION}\",\n  \"source_hash\": \"${tree_hash}\",\n  \"files\": ${count},\n  \"third_party\": [${carried_json}],\n  \"packed_at\": \"${now}\"\n}\n")
file(WRITE ${stage}/bundle.json "${manifest}")
file(WRITE ${stage}/FILES.sha256 "${listing}")

# A fixed mtime keeps the tarball's bytes a function of its contents; the device's install copies
# only changed files into its source folder, so incremental rebuilds there still work.
execute_process(COMMAND ${CMAKE_COMMAND} -E tar czf ${OUTPUT}.part "--mtime=2026-01-01 00:00:00 UTC" ${top}
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "packing the agent bundle failed: ${rc}")
endif()
file(RENAME ${OUTPUT}.part ${OUTPUT})
file(WRITE ${MANIFEST} "${manifest}")
file(REMOVE_RECURSE ${WORK})
