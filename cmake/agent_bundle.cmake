# The agent's source bundle, next to the binaries (issue 22): app/tailprune-agent-VERSION-src.tar.gz
# and its manifest app/tailprune-agent-VERSION-src.json (id, source hash). `tailprune device
# install` finds both beside itself. Part of `all`; repacked only when a packed file changes (~1 s).
set(TAILPRUNE_BUNDLE_BASE ${CMAKE_BINARY_DIR}/app/tailprune-agent-${PROJECT_VERSION}-src)
file(GLOB_RECURSE _tailprune_bundle_inputs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/core/* ${PROJECT_SOURCE_DIR}/app/*
     ${PROJECT_SOURCE_DIR}/cmake/* ${PROJECT_SOURCE_DIR}/resources/models/*)
get_target_property(_tailprune_json_dirs nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
get_target_property(_tailprune_cli11_dirs CLI11::CLI11 INTERFACE_INCLUDE_DIRECTORIES)
list(GET _tailprune_json_dirs 0 _tailprune_json_dir)
list(GET _tailprune_cli11_dirs 0 _tailprune_cli11_dir)
add_custom_command(
  OUTPUT ${TAILPRUNE_BUNDLE_BASE}.tar.gz ${TAILPRUNE_BUNDLE_BASE}.json
  COMMAND ${CMAKE_COMMAND} -DSOURCE=${PROJECT_SOURCE_DIR} -DWORK=${CMAKE_BINARY_DIR}/agent-bundle-work
          -DOUTPUT=${TAILPRUNE_BUNDLE_BASE}.tar.gz -DMANIFEST=${TAILPRUNE_BUNDLE_BASE}.json
          -DVERSION=${PROJECT_VERSION} -DNLOHMANN_DIR=${_tailprune_json_dir} -DCLI11_DIR=${_tailprune_cli11_dir}
          -DSTB_DIR=${STB_INCLUDE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/make_agent_bundle.cmake
  DEPENDS ${_tailprune_bundle_inputs} ${PROJECT_SOURCE_DIR}/CMakeLists.txt
  COMMENT "Packing the agent's source bundle (tailprune-agent-${PROJECT_VERSION}-src.tar.gz)"
  VERBATIM)
add_custom_target(agent_bundle ALL DEPENDS ${TAILPRUNE_BUNDLE_BASE}.tar.gz ${TAILPRUNE_BUNDLE_BASE}.json)
