#pragma once
#include <map>
#include <memory>
#include <string>

#include "core/model/profile.h"
#include "core/steps/step_detector.h"

namespace tp::ui {

// Step analyses of a profile's curves, computed once per curve (detection costs ~1 ms per curve,
// far too much to repeat on every mouse move) and kept while the profile is loaded.
class StepCache {
public:
    explicit StepCache(std::shared_ptr<const Profile> profile);

    const Profile& profile() const { return *profile_; }
    const std::shared_ptr<const Profile>& profilePtr() const { return profile_; }
    // nullptr when the curve is missing or has too few points to analyse.
    const StepAnalysis* analysis(const Curve& curve) const;

    // The curve to use for a cut at `block`: deployed:block if measured, else the model curve.
    const Curve* cutCurve(int block) const;
    // The curve that describes block `block` at its own token count: block:block, else the model curve.
    const Curve* blockCurve(int block) const;

private:
    std::shared_ptr<const Profile> profile_;
    mutable std::map<std::string, StepAnalysis> analyses_;
};

}  // namespace tp::ui
