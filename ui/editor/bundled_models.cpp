#include "ui/editor/bundled_models.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>

namespace tp::ui {

QString bundled_models_dir() {
    const QString env = QProcessEnvironment::systemEnvironment().value("TAILPRUNE_MODELS");
    if (!env.isEmpty()) return env;
    return QStringLiteral(TAILPRUNE_SOURCE_DIR) + "/resources/models";
}

std::vector<BundledModel> bundled_models() {
    std::vector<BundledModel> out;
    QDir root(bundled_models_dir());
    for (const QString& folder : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        QDir dir(root.filePath(folder));
        for (const QString& cardName : dir.entryList({"*.card.json"}, QDir::Files, QDir::Name)) {
            QFile card(dir.filePath(cardName));
            if (!card.open(QIODevice::ReadOnly)) continue;
            const QJsonObject o = QJsonDocument::fromJson(card.readAll()).object();
            const QString weightsFile = o.value("weights_file").toString();
            if (weightsFile.isEmpty() || !dir.exists(weightsFile)) continue;  // a card without its weights is not usable
            BundledModel m;
            m.name = o.value("name").toString();
            m.weights = dir.filePath(weightsFile);
            QString stem = m.weights;
            if (stem.endsWith(".safetensors")) stem.chop(int(qstrlen(".safetensors")));
            m.calibration = stem + ".accuracy-calibration.json";
            out.push_back(m);
        }
    }
    return out;
}

std::optional<BundledModel> bundled_model(const QString& name) {
    for (auto& m : bundled_models())
        if (m.name == name) return m;
    return std::nullopt;
}

}  // namespace tp::ui
