#pragma once
#include <memory>
#include <vector>

#include <QObject>
#include <QString>

#include "core/model/profile.h"
#include "ui/profile_analyses.h"

namespace tp::ui {

// Where a loaded profile came from; shown in the tree and used to avoid loading a file twice.
enum class ProfileOrigin { Bundled, File, Store, Agent };
QString originName(ProfileOrigin origin);

struct LoadedProfile {
    std::shared_ptr<const Profile> profile;
    ProfileOrigin origin = ProfileOrigin::File;
    QString source;  // file path, "store:<id>" or "agent:<time>"
    QString displayName() const;  // the profile id, else the file name
    // The file it was read from (bundled or opened), which the analysis reads the latency
    // calibration record next to; "" for a profile from the store or an agent.
    QString file() const;
};

// The profiles open in the studio, and their analyses under the user's settings. Append-only while the studio runs (profiles are never edited
// in place), so indices stay valid and the tree can insert rows incrementally.
class ProfileLibrary : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    int size() const { return int(profiles_.size()); }
    const LoadedProfile& at(int index) const { return profiles_.at(std::size_t(index)); }
    // Index of a profile already loaded from `source`, or -1.
    int indexOfSource(const QString& source) const;
    // Adds the profile, or returns the existing index when `source` is already loaded.
    int add(LoadedProfile profile);

    // The analyses the views share (settings: sensitivity, ...), and that of profile `index`.
    ProfileAnalyses* analyses() const { return analyses_; }
    std::shared_ptr<const ProfileAnalysis> analysis(int index) const;

Q_SIGNALS:
    void profileAdded(int index);

private:
    std::vector<LoadedProfile> profiles_;
    ProfileAnalyses* analyses_ = new ProfileAnalyses(this);
};

}  // namespace tp::ui
