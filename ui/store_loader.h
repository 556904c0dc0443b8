#pragma once
#include <QObject>
#include <QString>

#include "ui/profile_library.h"

namespace tp::ui {

// Reads every run of a TailPrune store (read-only, on a worker thread) into the studio. Builds
// without SQLite (no TAILPRUNE_HAS_STORE) report that instead; the studio works from files alone.
class StoreLoader : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    static bool available();
    // The store the studio reads: `configured` if set, else $TAILPRUNE_STORE, else the per-user
    // default. Empty without store support.
    static QString resolvePath(const QString& configured);
    // Loads all runs of the store at `path` if the file exists; a missing default store is not an error.
    void load(const QString& path, bool mustExist);
    bool isBusy() const { return busy_; }

Q_SIGNALS:
    void loaded(const tp::ui::LoadedProfile& profile);
    void failed(const QString& message);
    void finished(int runs);

private:
    bool busy_ = false;
};

}  // namespace tp::ui
