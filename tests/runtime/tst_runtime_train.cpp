// `tailprune train` end to end on the CPU with a tiny model: the code path of a CUDA run (dataset
// held as tensors on the training device, augmentation there, autocast, checkpoints) with
// `--device cpu`. It learns (well above chance), the card records what was run, and bad settings
// are clear errors. Resume, time budget and fp16 storage: tst_runtime_train_resume.
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include "train_fixtures.h"

class TstRuntimeTrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // fp32 and bf16 autocast (the CPU's autocast: the same AutocastScope a CUDA run uses with
    // bf16 or fp16) both learn: the loss falls and the test top-1 is far above chance (0.1).
    void tiny_run_learns_and_records_it_data() {
        QTest::addColumn<QString>("precision");
        QTest::addColumn<QString>("card_precision");
        QTest::newRow("fp32") << "fp32" << "fp32";
        QTest::newRow("bf16 autocast") << "bf16" << "bf16-autocast";
    }
    void tiny_run_learns_and_records_it() {
        QFETCH(QString, precision);
        QFETCH(QString, card_precision);
        QTemporaryDir dir;
        const auto r = cli(tiny(dir.path()) + QStringList{"--epochs", "2", "--precision", precision});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto losses = epoch_losses(r.err);
        QCOMPARE(losses.size(), size_t(2));
        QVERIFY2(losses[1] < losses[0], r.err.constData());

        const auto card = read_json(dir.filePath("tiny.card.json"));
        const auto results = card["results"].toObject();
        QVERIFY2(results["test_top1"].toDouble() > 0.4, qPrintable(QString::number(results["test_top1"].toDouble())));
        QCOMPARE(results["test_images"].toInt(), 10000);
        QCOMPARE(results["holdout_images"].toInt(), 500);
        const auto training = card["training"].toObject();
        QCOMPARE(training["device"].toString(), QString("cpu"));
        QCOMPARE(training["precision"].toString(), card_precision);
        QCOMPARE(training["epochs"].toInt(), 2);
        QVERIFY(training["augmentation"].toArray().contains(QString("translate(+-1px, zero fill)")));
        QCOMPARE(card["data"].toObject()["train_images"].toInt(), 3000);
        QCOMPARE(card["architecture"].toObject()["tokens"].toInt(), 17);
        QVERIFY(!card.contains("weights_dtype"));  // F32, the default, is not written
    }

    void errors_are_one_clear_line_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("fp16 autocast on cpu") << QStringList{"--precision", "fp16"} << "fp16 autocast needs a CUDA device";
        QTest::newRow("unknown precision") << QStringList{"--precision", "fp8"} << "'fp8' is not fp32, bf16 or fp16";
        QTest::newRow("unknown save dtype") << QStringList{"--save-dtype", "int8"} << "'int8' is not fp32 or fp16";
        QTest::newRow("budget without warmup epoch") << QStringList{"--time-budget", "60"}
                                                     << "needs --warmup-epochs >= 1";
        // No machine here has 8 GPUs: without CUDA "... has no CUDA device", with it "only N CUDA device(s)".
        QTest::newRow("unknown architecture") << QStringList{"--arch", "deit_huge"} << "deit_huge";
    }
    void errors_are_one_clear_line() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const auto r = cli(tiny(dir.path()) + QStringList{"--epochs", "1"} + args);
        QVERIFY(r.code != 0);
        QVERIFY2(QString(r.err).contains(expected), r.err.constData());
    }

    // No machine here has 8 GPUs: without CUDA "... has no CUDA device", with it "only N CUDA device(s)".
    void missing_cuda_device_is_named() {
        QTemporaryDir dir;
        const auto r = cli(tiny(dir.path(), "0.5", "cuda:7") + QStringList{"--epochs", "1"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("CUDA device"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstRuntimeTrain)
#include "tst_runtime_train.moc"
