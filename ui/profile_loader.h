#pragma once
#include <QObject>
#include <QStringList>

#include "ui/profile_library.h"

namespace tp::ui {

// Reads profile files on a worker thread (QtConcurrent) so a large file never blocks the GUI;
// results come back on the GUI thread, one signal per file, in the order given.
class ProfileLoader : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    void load(const QStringList& paths, ProfileOrigin origin);
    bool isBusy() const { return pending_ > 0; }

Q_SIGNALS:
    void loaded(const tp::ui::LoadedProfile& profile);
    void failed(const QString& path, const QString& message);
    void idle();  // every requested file has been reported

private:
    int pending_ = 0;
};

}  // namespace tp::ui
