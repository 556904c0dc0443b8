#pragma once
// Shared by the runtime suites: the CLI runner; for the `tailprune train` suites also the tiny CPU
// configuration.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

#include <vector>

namespace train_fixtures {

struct Run {
    int code = -1;
    QByteArray out, err;
};

inline Run cli(const QStringList& args) {
    QProcess p;
    p.start(qEnvironmentVariable("TAILPRUNE_CLI"), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// A 2-block, dim-32 ViT on 17 tokens (patch 7), 3,000 training images, 500 held out: about a
// second per epoch plus the final evaluation of the 10,000 test images.
inline QStringList tiny(const QString& out, const QString& warmup_epochs = "0.5", const QString& device = "cpu") {
    return {"train", "--out", out, "--name", "tiny", "--device", device, "--depth", "2", "--dim", "32", "--heads", "2",
            "--patch", "7", "--mlp-ratio", "2", "--limit-train", "3000", "--holdout", "500", "--batch", "32",
            "--lr", "3e-3", "--warmup-epochs", warmup_epochs, "--translate", "1", "--seed", "5", "--threads", "1"};
}

inline QJsonObject read_json(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

inline QByteArray read_bytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The mean training loss of each finished epoch, from the "epoch K done: ... loss X" lines.
inline std::vector<double> epoch_losses(const QByteArray& log) {
    std::vector<double> losses;
    QRegularExpression re("epoch \\d+ done: train loss ([0-9.]+)");
    for (auto it = re.globalMatch(QString(log)); it.hasNext();) losses.push_back(it.next().captured(1).toDouble());
    return losses;
}

}  // namespace train_fixtures

using namespace train_fixtures;
