#pragma once
#include <memory>
#include <string>

#include <QString>

#include "core/model/profile.h"

namespace tp::ui {

// One curve of one loaded profile, as the views show it.
struct CurveRef {
    std::shared_ptr<const Profile> profile;
    std::string curveName;
    QString label;  // legend text: device (and profile when two share a device)
    QString file;   // the file the profile was read from ("" : store or agent), for its analysis

    const Curve* curve() const { return profile ? profile->find_curve(curveName) : nullptr; }
    bool isValid() const { return curve() != nullptr; }
};

}  // namespace tp::ui
