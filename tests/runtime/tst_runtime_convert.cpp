// `tailprune convert --dtype fp16`: the shipped fmnist_vit8 stored in fp16 (half the bytes, the
// card saying so) evaluates on the CPU (fp32 compute) like its fp32 weights on real test images.
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "train_fixtures.h"
#include "core/formats/safetensors.h"

namespace {

const QString kShipped = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";

using train_fixtures::cli;  // the CLI runner the runtime suites share

QJsonObject evaluate(const QString& weights) {
    const auto r = cli({"evaluate", "--weights", weights, "--split", "test", "--limit", "2000", "--json", "--quiet",
                        "--threads", "1"});
    return r.code == 0 ? QJsonDocument::fromJson(r.out).object() : QJsonObject{{"error", QString(r.err)}};
}

}  // namespace

class TstRuntimeConvert : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fp16_weights_evaluate_like_fp32() {
        QTemporaryDir dir;
        const auto r = cli({"convert", "--weights", kShipped, "--dtype", "fp16", "--out", dir.path()});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString converted = dir.filePath("fmnist_vit8.safetensors");
        QVERIFY2(r.out.contains(converted.toUtf8()), r.out.constData());

        const auto file = tp::formats::SafetensorsFile::read(converted.toStdString());
        const auto original = tp::formats::SafetensorsFile::read(kShipped.toStdString());
        QCOMPARE(file.tensors().size(), original.tensors().size());
        for (const auto& [name, entry] : file.tensors()) {
            QVERIFY2(entry.dtype == tp::formats::TensorDtype::F16, name.c_str());
            QCOMPARE(entry.shape, original.entry(name).shape);
        }
        QVERIFY(QFileInfo(converted).size() < QFileInfo(kShipped).size() * 0.51);

        QFile card_file(dir.filePath("fmnist_vit8.card.json"));
        QVERIFY(card_file.open(QIODevice::ReadOnly));
        const auto card = QJsonDocument::fromJson(card_file.readAll()).object();
        QCOMPARE(card["weights_dtype"].toString(), QString("F16"));
        QCOMPARE(card["weights_file"].toString(), QString("fmnist_vit8.safetensors"));
        QCOMPARE(card["name"].toString(), QString("fmnist_vit8"));

        const auto fp32 = evaluate(kShipped);
        const auto fp16 = evaluate(converted);
        QVERIFY2(!fp32.contains("error") && !fp16.contains("error"), qPrintable(fp16["error"].toString()));
        QCOMPARE(fp16["images"].toInt(), 2000);
        // 2,000 stratified test images: at most 4 predictions may change.
        QVERIFY2(std::abs(fp16["top1"].toDouble() - fp32["top1"].toDouble()) <= 0.002,
                 qPrintable(QString("fp16 %1, fp32 %2").arg(fp16["top1"].toDouble()).arg(fp32["top1"].toDouble())));
        QVERIFY(fp16["top1"].toDouble() > 0.85);
        qInfo("test top-1 on 2,000 images: fp32 %.4f, fp16-stored %.4f", fp32["top1"].toDouble(), fp16["top1"].toDouble());
    }

    // A card that names another dtype than the tensors have is an error on load.
    void card_contradicting_the_tensors_is_an_error() {
        QTemporaryDir dir;
        QVERIFY(cli({"convert", "--weights", kShipped, "--dtype", "fp16", "--out", dir.path()}).code == 0);
        QFile card(dir.filePath("fmnist_vit8.card.json"));
        QVERIFY(card.open(QIODevice::ReadWrite));
        QByteArray text = card.readAll().replace("\"weights_dtype\": \"F16\"", "\"weights_dtype\": \"BF16\"");
        card.resize(0);
        card.write(text);
        card.close();
        const auto r = cli({"evaluate", "--weights", dir.filePath("fmnist_vit8.safetensors"), "--limit", "10"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("BF16") && r.err.contains("F16"), r.err.constData());
    }

    void refuses_to_overwrite_its_source() {
        const auto r = cli({"convert", "--weights", kShipped, "--dtype", "fp16", "--out",
                            QFileInfo(kShipped).absolutePath()});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("would overwrite"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstRuntimeConvert)
#include "tst_runtime_convert.moc"
