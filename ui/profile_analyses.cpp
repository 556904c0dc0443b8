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

void ProfileAnalyses::reload() {
    built_.clear();
    Q_EMIT changed();
}

std::shared_ptr<const ProfileAnalysis> ProfileAnalyses::of(const std::shared_ptr<const Profile>& profile,
                                                           const QString& file) const {
    if (!profile) return nullptr;
    auto& slot = built_[{profile.get(), file}];
    if (!slot) {
        // A profile measured here ("local") predicts for this machine: its re-level record is used,
        // and a profile from another machine or state says so. A device's profile, for that device.
        AnalysisSettings settings = settings_;
        const DeviceInfo& d = profile->device;
        if (d.host.empty() || d.host == "local") {
            auto it = this_machine_.find(d.kind);
            if (it == this_machine_.end()) it = this_machine_.emplace(d.kind, this_machine(d.kind)).first;
            settings.target_machine = it->second;
        }
        slot = std::make_shared<const ProfileAnalysis>(profile, file.toStdString(), settings);
    }
    return slot;
}

}  // namespace tp::ui
