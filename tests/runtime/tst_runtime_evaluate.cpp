// `tailprune evaluate` end to end: JSON output, stratified subsets, an ImageFolder, schedules and
// clear errors.
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

#include "train_fixtures.h"
#include "core/model/schedule_json.h"
#include "core/data/fashion_mnist.h"
#include "core/runtime/vit_runner.h"

namespace {

const QString kShipped = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
const QString kParity = QString(TAILPRUNE_TESTDATA_DIR) + "/parity/tiny_vit.safetensors";

using train_fixtures::cli;  // the CLI runner the runtime suites share

}  // namespace

class TstRuntimeEvaluate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void json_on_a_stratified_subset_data() {
        QTest::addColumn<QString>("split");
        QTest::addColumn<int>("limit");
        QTest::newRow("test 300") << "test" << 300;
        QTest::newRow("holdout 200") << "holdout" << 200;
    }
    void json_on_a_stratified_subset() {
        QFETCH(QString, split);
        QFETCH(int, limit);
        const auto r = cli({"evaluate", "--weights", kShipped, "--split", split, "--limit", QString::number(limit),
                            "--json", "--threads", "1"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc["images"].toInt(), limit);
        const double top1 = doc["top1"].toDouble(), top5 = doc["top5"].toDouble();
        QVERIFY2(top1 > 0.8 && top1 <= top5 && top5 <= 1.0, r.out.constData());
        QVERIFY2(r.err.contains("evaluated " + QByteArray::number(limit) + "/" + QByteArray::number(limit)),
                 r.err.constData());
        // The same subset again gives the same numbers.
        const auto again = cli({"evaluate", "--weights", kShipped, "--split", split, "--limit", QString::number(limit),
                                "--json", "--quiet", "--threads", "1"});
        QCOMPARE(QJsonDocument::fromJson(again.out).object()["top1"].toDouble(), top1);
        QVERIFY(again.err.isEmpty());
    }

    // The stratified 100-image test subset saved as PNG class folders gives exactly the accuracy
    // of the IDX files: decoding, class order and the card's input pipeline agree.
    void image_folder_matches_idx() {
        auto test = tp::data::FashionMnist::load(tp::data::default_fashion_mnist_dir(), "test");
        QTemporaryDir dir;
        for (auto i : tp::runtime::select_images(test.labels(), 100, 0)) {
            const QString cls = QString("%1_class").arg(test.label(i), 2, 10, QChar('0'));
            QDir(dir.path()).mkpath(cls);
            const auto file = dir.filePath(QString("%1/%2.png").arg(cls).arg(i, 5, 10, QChar('0'))).toStdString();
            QVERIFY(stbi_write_png(file.c_str(), 28, 28, 1, test.pixels(i), 28));
        }
        const auto folder = cli({"evaluate", "--weights", kShipped, "--dataset", dir.path(), "--json", "--quiet"});
        QVERIFY2(folder.code == 0, folder.err.constData());
        const auto idx = cli({"evaluate", "--weights", kShipped, "--limit", "100", "--seed", "0", "--json", "--quiet"});
        QVERIFY2(idx.code == 0, idx.err.constData());
        const auto f = QJsonDocument::fromJson(folder.out).object();
        const auto d = QJsonDocument::fromJson(idx.out).object();
        QCOMPARE(f["images"].toInt(), 100);
        QCOMPARE(f["top1"].toDouble(), d["top1"].toDouble());
        QCOMPARE(f["top5"].toDouble(), d["top5"].toDouble());
    }

    void errors_are_one_clear_line_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown split") << QStringList{"--split", "valid"} << "'valid' is not test, holdout or train";
        QTest::newRow("method without schedule") << QStringList{"--method", "topk"} << "needs --schedule";
        QTest::newRow("fp16 on cpu") << QStringList{"--dtype", "fp16"} << "fp16 runs only on CUDA";
        QTest::newRow("no such folder") << QStringList{"--dataset", "/nonexistent/images"} << "not a folder";
        // No machine here has 8 GPUs: without CUDA "... has no CUDA device", with it "only N CUDA device(s)".
        QTest::newRow("cuda device that does not exist") << QStringList{"--device", "cuda:7"} << "CUDA device";
    }
    void errors_are_one_clear_line() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const auto r = cli(QStringList{"evaluate", "--weights", kParity, "--limit", "10"} + args);
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.startsWith("error: ") && r.err.count('\n') == 1, r.err.constData());
        QVERIFY2(QString(r.err).contains(expected), r.err.constData());
    }

    // A schedule runs the pruned forward through the pruning methods; pruning everything to CLS
    // still evaluates (and is much worse than the unpruned model).
    void schedule_prunes_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("topk") << "topk";
        QTest::newRow("random") << "random";
    }
    void schedule_prunes() {
        QFETCH(QString, method);
        QTemporaryDir dir;
        const QString schedule = dir.filePath("s.json");
        const auto model = tp::runtime::describe_model(kShipped.toStdString()).card.architecture;
        tp::Schedule s = tp::unpruned_schedule(model);
        s.name = "cut";
        s.method = method.toStdString();
        s.tokens_after_block = {50, 50, 30, 30, 20, 20, 10, 10};
        tp::save_schedule(s, schedule.toStdString());
        const auto r = cli({"evaluate", "--weights", kShipped, "--limit", "200", "--schedule", schedule, "--json",
                            "--quiet"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc["method"].toString(), method);
        QCOMPARE(doc["images"].toInt(), 200);
        QVERIFY2(doc["top1"].toDouble() > 0.3, r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TstRuntimeEvaluate)
#include "tst_runtime_evaluate.moc"
