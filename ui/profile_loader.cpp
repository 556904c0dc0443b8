#include "ui/profile_loader.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include "core/model/profile_json.h"

namespace tp::ui {
namespace {
struct Outcome {
    std::shared_ptr<const Profile> profile;
    QString error;
};
}  // namespace

void ProfileLoader::load(const QStringList& paths, ProfileOrigin origin) {
    if (paths.isEmpty()) return;
    ++pending_;
    auto* watcher = new QFutureWatcher<QVector<Outcome>>(this);
    connect(watcher, &QFutureWatcher<QVector<Outcome>>::finished, this, [this, watcher, paths, origin] {
        const QVector<Outcome> results = watcher->result();
        watcher->deleteLater();
        for (int i = 0; i < results.size(); ++i) {
            if (results[i].profile)
                Q_EMIT loaded(LoadedProfile{results[i].profile, origin, paths[i]});
            else
                Q_EMIT failed(paths[i], results[i].error);
        }
        if (--pending_ == 0) Q_EMIT idle();
    });
    watcher->setFuture(QtConcurrent::run([paths] {
        QVector<Outcome> out;
        for (const QString& path : paths) {
            Outcome o;
            try {
                o.profile = std::make_shared<const Profile>(load_profile(path.toStdString()));
            } catch (const std::exception& e) {
                o.error = QString::fromUtf8(e.what());
            }
            out << o;
        }
        return out;
    }));
}

}  // namespace tp::ui
