#include "ui/bundled_profiles.h"

#include <QDir>
#include <QProcessEnvironment>

namespace tp::ui {

QString bundled_profiles_dir() {
    const QString env = QProcessEnvironment::systemEnvironment().value("TAILPRUNE_PROFILES");
    if (!env.isEmpty()) return env;
    return QStringLiteral(TAILPRUNE_SOURCE_DIR) + "/profiles";
}

QStringList bundled_profile_files() {
    QDir dir(bundled_profiles_dir());
    QStringList out;
    // A profile's latency calibration record lives beside it and is not a profile.
    for (const QString& name : dir.entryList({"*.json", "*.json.gz"}, QDir::Files, QDir::Name))
        if (!name.endsWith(".calibration.json") && !name.endsWith(".calibration.json.gz")) out << dir.filePath(name);
    return out;
}

}  // namespace tp::ui
