#pragma once
// Which loaded profile a schedule is edited against when it is opened (from a file, the store or
// the search): the editor predicts latency from that profile, so it must be of the schedule's model.
#include <cstddef>
#include <optional>
#include <vector>

#include "core/model/profile.h"
#include "core/model/schedule.h"

namespace tp {

// Index into `profiles` of the one to edit `schedule` on, or nullopt when none is of its model's
// shape (depth and tokens, which the token counts need). Among those of that shape: the
// schedule's own device (name and host) first, then its model's name, and at equal rank the
// `current` one (so opening a schedule does not switch device needlessly), else the first.
std::optional<std::size_t> profile_for_schedule(const std::vector<const Profile*>& profiles, const Schedule& schedule,
                                                std::optional<std::size_t> current = std::nullopt);

}  // namespace tp
