#include "ui/bundled_profiles.h"

#include <QDir>
#include <QRegularExpression>
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
    // A profile's latency calibration records live beside it and are not profiles: its own
    // (<stem>.calibration.json) and those re-levelling it for other machines
    // (<stem>.calibration.<machine>.json, tailprune calibrate-latency).
    static const QRegularExpression record(R"(\.calibration(\.[A-Za-z0-9-]+)?\.json(\.gz)?$)");
    for (const QString& name : dir.entryList({"*.json", "*.json.gz"}, QDir::Files, QDir::Name))
        if (!record.match(name).hasMatch()) out << dir.filePath(name);
    return out;
}

}  // namespace tp::ui
