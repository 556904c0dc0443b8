#include "ui/profile_analyses.h"

namespace tp::ui {

void ProfileAnalyses::setStepSettings(const StepSettings& steps) {
    settings_.steps = steps;
    built_.clear();
    Q_EMIT changed();
}

void ProfileAnalyses::setSensitivity(double c) {
    if (settings_.steps.sensitivity == c) return;
    StepSettings steps = settings_.steps;
    steps.sensitivity = c;
    setStepSettings(steps);
}

std::shared_ptr<const ProfileAnalysis> ProfileAnalyses::of(const std::shared_ptr<const Profile>& profile,
                                                           const QString& file) const {
    if (!profile) return nullptr;
    auto& slot = built_[{profile.get(), file}];
    if (!slot) slot = std::make_shared<const ProfileAnalysis>(profile, file.toStdString(), settings_);
    return slot;
}

}  // namespace tp::ui
