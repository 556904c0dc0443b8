#include "core/schedule/cut_curves.h"

namespace tp {

const Curve* cut_curve(const Profile& profile, int block) {
    if (const Curve* c = profile.find_curve(Scope{ScopeKind::Deployed, block, {}, 0, {}})) return c;
    return profile.find_curve(Scope{ScopeKind::Model, -1, {}, 0, {}});
}

const Curve* block_curve(const Profile& profile, int block) {
    if (const Curve* c = profile.find_curve(Scope{ScopeKind::Block, block, {}, 0, {}})) return c;
    return profile.find_curve(Scope{ScopeKind::Model, -1, {}, 0, {}});
}

const StepAnalysis* curve_steps(const ProfileAnalysis& analysis, const Curve* curve) {
    if (!curve || curve->points.size() < 2) return nullptr;
    return analysis.steps(*curve);
}

}  // namespace tp
