#include "core/model/schedule_profile_match.h"

namespace tp {

namespace {
const std::string& host_or_local(const DeviceInfo& d) {
    static const std::string local = "local";
    return d.host.empty() ? local : d.host;
}
}  // namespace

std::optional<std::size_t> profile_for_schedule(const std::vector<const Profile*>& profiles, const Schedule& schedule,
                                                std::optional<std::size_t> current) {
    std::optional<std::size_t> best;
    int best_rank = -1;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        const Profile& p = *profiles[i];
        if (p.model.depth != schedule.model.depth || p.model.tokens != schedule.model.tokens) continue;
        const bool same_device = !schedule.device.name.empty() && p.device.name == schedule.device.name &&
                                 host_or_local(p.device) == host_or_local(schedule.device);
        const bool same_model = p.model.name == schedule.model.name;
        const int rank = 4 * same_device + 2 * same_model + (current && *current == i);
        if (rank > best_rank) {
            best = i;
            best_rank = rank;
        }
    }
    return best;
}

}  // namespace tp
