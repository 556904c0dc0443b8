#pragma once
// Torch-free: the latency sweep (methods.md §5) and the end-to-end measurement of a schedule.
// Used by `tailprune profile`, `tailprune measure` and the agent.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/agent/requests.h"
#include "core/model/profile.h"

namespace tp::runtime {

struct ProfileCallbacks {
    std::function<void(const nlohmann::json& fields)> progress;            // after every visit
    std::function<void(const Curve& curve, const CurvePoint& point)> point;  // a point is final
    std::function<void(const std::string& code, const std::string& message)> warning;
    std::function<bool()> cancelled;                                        // checked before every forward
    std::function<void(const Profile& profile)> checkpoint;                 // at most every 10 s
};

struct ProfileOutcome {
    Profile profile;
    bool cancelled = false;
    int points_measured = 0;      // in this run (resumed points not counted)
    double wall_s = 0;
};

// Runs the sweep. Cancellation is honoured before every forward, so it takes effect within one
// forward; finished points are kept and curves with missing points are marked partial. Throws
// tp::FormatError for a bad request (unknown scope block, token counts outside the model, resume
// profile of another model or device).
ProfileOutcome run_profile(const agent::ProfileRequest& request, const ProfileCallbacks& callbacks);

// One schedule end to end, alternating with the unpruned model in each round when baseline is
// set. The result is the protocol's `measure` result (docs/agent-protocol.md).
nlohmann::json run_measure(const agent::MeasureRequest& request, const ProfileCallbacks& callbacks);

}  // namespace tp::runtime
