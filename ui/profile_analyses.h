#pragma once
#include <map>
#include <memory>
#include <utility>

#include <QObject>
#include <QString>

#include "core/analysis/profile_analysis.h"

namespace tp::ui {

// The studio's analyses of its loaded profiles under the user's settings (core/analysis): built on
// first use, one per profile, and shared by the curve view and the schedule editor. A change of
// settings drops them all and says so once (changed()); each view then reads the new ones, so the
// profile is re-analysed once and every view shows the same edges.
class ProfileAnalyses : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    const AnalysisSettings& settings() const { return settings_; }
    void setStepSettings(const StepSettings& steps);
    double sensitivity() const { return settings_.steps.sensitivity; }
    void setSensitivity(double c);
    // Drops every analysis and says so (changed()): calibration records changed on disk (a re-level).
    void reload();

    // The analysis of `profile`, read from `file` ("" for a profile from the store or an agent: no
    // calibration record).
    std::shared_ptr<const ProfileAnalysis> of(const std::shared_ptr<const Profile>& profile, const QString& file) const;

Q_SIGNALS:
    void changed();  // the settings changed: analyses taken before are stale

private:
    AnalysisSettings settings_;
    mutable std::map<std::string, MachineIdentity> this_machine_;  // by device kind: what predictions are for
    mutable std::map<std::pair<const Profile*, QString>, std::shared_ptr<const ProfileAnalysis>> built_;
};

}  // namespace tp::ui
