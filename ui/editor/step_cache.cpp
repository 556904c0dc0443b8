#include "ui/editor/step_cache.h"

namespace tp::ui {

StepCache::StepCache(std::shared_ptr<const Profile> profile) : profile_(std::move(profile)) {}

const StepAnalysis* StepCache::analysis(const Curve& curve) const {
    auto it = analyses_.find(curve.name);
    if (it == analyses_.end()) {
        if (curve.points.size() < 2) return nullptr;
        it = analyses_.emplace(curve.name, detect_steps(curve)).first;
    }
    return &it->second;
}

const Curve* StepCache::cutCurve(int block) const {
    if (const Curve* c = profile_->find_curve(Scope{ScopeKind::Deployed, block, {}, 0, {}})) return c;
    return profile_->find_curve(Scope{ScopeKind::Model, -1, {}, 0, {}});
}

const Curve* StepCache::blockCurve(int block) const {
    if (const Curve* c = profile_->find_curve(Scope{ScopeKind::Block, block, {}, 0, {}})) return c;
    return profile_->find_curve(Scope{ScopeKind::Model, -1, {}, 0, {}});
}

}  // namespace tp::ui
