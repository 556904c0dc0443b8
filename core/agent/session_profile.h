#pragma once
// What a profile session has so far: its last checkpoint (the worker's partial.json, a profile
// written at the start of the sweep and at most every 10 s) plus every point journaled after it.
// The worker resumes from it after a crash or reboot (only missing points are measured), and
// `session fetch` returns it for a session that has not finished.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::agent {

// Adds the journal's `point` records to `profile` (profile JSON): each to the curve it names,
// unless that curve already has a point at that token count. Returns how many it added.
int add_journaled_points(nlohmann::json& profile, const std::vector<nlohmann::json>& records);

// The checkpoint at `checkpoint_path` with the journal's points added; nullopt when there is no
// readable checkpoint yet.
std::optional<nlohmann::json> session_partial_profile(const std::string& checkpoint_path,
                                                      const std::vector<nlohmann::json>& records);

}  // namespace tp::agent
