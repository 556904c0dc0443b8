#pragma once
#include <QString>
#include <QStringList>

namespace tp::ui {

// Folder holding the profiles shipped with the studio: $TAILPRUNE_PROFILES, else the source tree's profiles/.
QString bundled_profiles_dir();
QStringList bundled_profile_files();

}  // namespace tp::ui
