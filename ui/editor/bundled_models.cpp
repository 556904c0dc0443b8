#include "ui/editor/bundled_models.h"

#include <QDir>
#include <QProcessEnvironment>
#include <QtDebug>

#include "core/formats/model_card.h"
#include "core/util/format_error.h"

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
            // The same strict reader the runtime and the CLI use: a card they would refuse is not offered.
            formats::ModelCard card;
            try {
                card = formats::read_model_card(dir.filePath(cardName).toStdString());
            } catch (const FormatError& e) {
                qWarning().noquote() << "skipping a bundled model:" << QString::fromStdString(e.what());
                continue;
            }
            const QString weightsFile = QString::fromStdString(card.weights_file);
            if (weightsFile.isEmpty() || !dir.exists(weightsFile)) continue;  // a card without its weights is not usable
            BundledModel m;
            m.name = QString::fromStdString(card.name);
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
