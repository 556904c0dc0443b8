#include "ui/store_loader.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#if TAILPRUNE_HAS_STORE
#include "core/store/store.h"
#include "core/store/store_location.h"
#endif

namespace tp::ui {
namespace {
struct StoreContents {
    QVector<LoadedProfile> profiles;
    QStringList errors;
};
}  // namespace

bool StoreLoader::available() {
#if TAILPRUNE_HAS_STORE
    return true;
#else
    return false;
#endif
}

QString StoreLoader::resolvePath(const QString& configured) {
#if TAILPRUNE_HAS_STORE
    return QString::fromStdString(store::resolve_store_path(configured.toStdString()));
#else
    Q_UNUSED(configured);
    return {};
#endif
}

void StoreLoader::load(const QString& path, bool mustExist) {
    if (!available()) {
        if (mustExist) Q_EMIT failed(tr("This build of the studio has no store support (SQLiteCpp was not found)"));
        Q_EMIT finished(0);
        return;
    }
    if (!QFileInfo::exists(path)) {
        if (mustExist) Q_EMIT failed(tr("Store %1 does not exist").arg(path));
        Q_EMIT finished(0);
        return;
    }
    busy_ = true;
    auto* watcher = new QFutureWatcher<StoreContents>(this);
    connect(watcher, &QFutureWatcher<StoreContents>::finished, this, [this, watcher] {
        const StoreContents c = watcher->result();
        watcher->deleteLater();
        busy_ = false;
        for (const LoadedProfile& p : c.profiles) Q_EMIT loaded(p);
        for (const QString& e : c.errors) Q_EMIT failed(e);
        Q_EMIT finished(int(c.profiles.size()));
    });
    watcher->setFuture(QtConcurrent::run([path] {
        StoreContents c;
#if TAILPRUNE_HAS_STORE
        try {
            const auto s = store::Store::open(path.toStdString(), store::Mode::ReadOnly);
            for (const store::RunRow& run : s.list_runs()) {
                // One bad run must not hide the others.
                try {
                    auto p = std::make_shared<Profile>(s.load_profile(run.id));
                    if (p->id.empty()) p->id = run.label.empty() ? "run " + std::to_string(run.id) : run.label;
                    c.profiles << LoadedProfile{p, ProfileOrigin::Store,
                                                QStringLiteral("store:%1#%2").arg(path).arg(run.id)};
                } catch (const std::exception& e) {
                    c.errors << QObject::tr("Store %1, run %2: %3").arg(path).arg(run.id).arg(QString::fromUtf8(e.what()));
                }
            }
        } catch (const std::exception& e) {
            c.errors << QObject::tr("Could not read the store %1: %2").arg(path, QString::fromUtf8(e.what()));
        }
#endif
        return c;
    }));
}

}  // namespace tp::ui
