#include "ui/profile_library.h"

#include <QFileInfo>

namespace tp::ui {

QString originName(ProfileOrigin origin) {
    switch (origin) {
        case ProfileOrigin::Bundled: return QStringLiteral("bundled");
        case ProfileOrigin::File: return QStringLiteral("file");
        case ProfileOrigin::Store: return QStringLiteral("store");
        case ProfileOrigin::Agent: return QStringLiteral("measured");
    }
    return {};
}

QString LoadedProfile::displayName() const {
    if (profile && !profile->id.empty()) return QString::fromStdString(profile->id);
    if (origin == ProfileOrigin::Bundled || origin == ProfileOrigin::File) return QFileInfo(source).completeBaseName();
    return source;
}

QString LoadedProfile::file() const {
    return origin == ProfileOrigin::Bundled || origin == ProfileOrigin::File ? source : QString();
}

std::shared_ptr<const ProfileAnalysis> ProfileLibrary::analysis(int index) const {
    const LoadedProfile& p = at(index);
    return analyses_->of(p.profile, p.file());
}

int ProfileLibrary::indexOfSource(const QString& source) const {
    for (std::size_t i = 0; i < profiles_.size(); ++i)
        if (profiles_[i].source == source) return int(i);
    return -1;
}

int ProfileLibrary::add(LoadedProfile profile) {
    const int existing = indexOfSource(profile.source);
    if (existing >= 0) return existing;
    profiles_.push_back(std::move(profile));
    const int index = int(profiles_.size()) - 1;
    Q_EMIT profileAdded(index);
    return index;
}

}  // namespace tp::ui
