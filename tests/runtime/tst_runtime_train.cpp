// `tailprune train` end to end on the CPU with a tiny model: the code path of a CUDA run (dataset
// held as tensors on the training device, augmentation there, autocast, checkpoints) with
// `--device cpu`. It learns (well above chance), resuming from a checkpoint gives exactly the
// weights of an uninterrupted run, the card records what was run, and fp16 storage evaluates like
// the fp32 weights.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "core/formats/safetensors.h"

namespace {

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(qEnvironmentVariable("TAILPRUNE_CLI"), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// A 2-block, dim-32 ViT on 17 tokens (patch 7), 2,000 training images, 500 held out: a few seconds.
QStringList tiny(const QString& out, const QString& name = "tiny") {
    return {"train", "--out", out, "--name", name, "--device", "cpu", "--depth", "2", "--dim", "32", "--heads", "2",
            "--patch", "7", "--mlp-ratio", "2", "--limit-train", "2000", "--holdout", "500", "--batch", "64",
            "--lr", "2e-3", "--warmup-epochs", "1", "--translate", "1", "--seed", "5", "--threads", "1"};
}

QJsonObject read_json(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QByteArray read_bytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The mean training loss of each finished epoch, from the "epoch K done: ... loss X" lines.
std::vector<double> epoch_losses(const QByteArray& log) {
    std::vector<double> losses;
    QRegularExpression re("epoch \\d+ done: train loss ([0-9.]+)");
    for (auto it = re.globalMatch(QString(log)); it.hasNext();) losses.push_back(it.next().captured(1).toDouble());
    return losses;
}

}  // namespace

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
        QVERIFY2(results["test_top1"].toDouble() > 0.5, qPrintable(QString::number(results["test_top1"].toDouble())));
        QCOMPARE(results["test_images"].toInt(), 10000);
        QCOMPARE(results["holdout_images"].toInt(), 500);
        const auto training = card["training"].toObject();
        QCOMPARE(training["device"].toString(), QString("cpu"));
        QCOMPARE(training["precision"].toString(), card_precision);
        QCOMPARE(training["epochs"].toInt(), 2);
        QVERIFY(training["augmentation"].toArray().contains(QString("translate(+-1px, zero fill)")));
        QCOMPARE(card["data"].toObject()["train_images"].toInt(), 2000);
        QCOMPARE(card["architecture"].toObject()["tokens"].toInt(), 17);
        QVERIFY(!card.contains("weights_dtype"));  // F32, the default, is not written
    }

    // Stopping after epoch 1 and resuming gives the very bytes of an uninterrupted 2-epoch run:
    // model, optimizer state, learning-rate position and the seeded data order all continue.
    void resume_continues_exactly() {
        QTemporaryDir straight, split;
        const auto a = cli(tiny(straight.path()) + QStringList{"--epochs", "2"});
        QVERIFY2(a.code == 0, a.err.constData());

        const auto first = cli(tiny(split.path()) + QStringList{"--epochs", "2", "--epochs-this-run", "1"});
        QVERIFY2(first.code == 0, first.err.constData());
        QVERIFY2(first.err.contains("stopped after epoch 1 of 2"), first.err.constData());
        QVERIFY(!QFile::exists(split.filePath("tiny.safetensors")));
        QCOMPARE(read_json(split.filePath("tiny.checkpoint.json"))["epochs_done"].toInt(), 1);

        const auto second = cli(tiny(split.path()) + QStringList{"--epochs", "2", "--resume"});
        QVERIFY2(second.code == 0, second.err.constData());
        QVERIFY2(second.err.contains("resuming after epoch 1"), second.err.constData());
        QCOMPARE(epoch_losses(second.err).size(), size_t(1));
        QCOMPARE(epoch_losses(second.err)[0], epoch_losses(a.err)[1]);
        const auto wa = read_bytes(straight.filePath("tiny.safetensors"));
        QVERIFY(!wa.isEmpty());
        QVERIFY2(wa == read_bytes(split.filePath("tiny.safetensors")), "resumed weights differ from the straight run");
        QCOMPARE(read_json(split.filePath("tiny.card.json"))["results"].toObject(),
                 read_json(straight.filePath("tiny.card.json"))["results"].toObject());

        // A resume with other options is refused, naming the checkpoint.
        const auto other = cli(tiny(split.path()) + QStringList{"--epochs", "3", "--resume"});
        QVERIFY(other.code != 0);
        QVERIFY2(other.err.contains("different options"), other.err.constData());
    }

    // --time-budget fits the epoch count after timing epoch 1 (its warmup does not depend on it):
    // a budget shorter than one epoch leaves exactly one.
    void time_budget_fits_the_epochs() {
        QTemporaryDir dir;
        const auto r = cli(tiny(dir.path()) + QStringList{"--epochs", "4", "--time-budget", "0.01"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("time budget"), r.err.constData());
        QCOMPARE(read_json(dir.filePath("tiny.card.json"))["training"].toObject()["epochs"].toInt(), 1);
    }

    // --save-dtype fp16: F16 tensors, the card says so, and evaluating them (fp32 compute on the
    // CPU) gives the card's test top-1 within a few images.
    void fp16_storage_evaluates_like_fp32() {
        QTemporaryDir dir;
        const auto r = cli(tiny(dir.path()) + QStringList{"--epochs", "1", "--save-dtype", "fp16"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto weights = dir.filePath("tiny.safetensors");
        const auto file = tp::formats::SafetensorsFile::read(weights.toStdString());
        for (const auto& [name, entry] : file.tensors())
            QVERIFY2(entry.dtype == tp::formats::TensorDtype::F16, name.c_str());
        const auto card = read_json(dir.filePath("tiny.card.json"));
        QCOMPARE(card["weights_dtype"].toString(), QString("F16"));
        const auto e = cli({"evaluate", "--weights", weights, "--split", "test", "--json", "--quiet", "--threads", "1"});
        QVERIFY2(e.code == 0, e.err.constData());
        const double top1 = QJsonDocument::fromJson(e.out).object()["top1"].toDouble();
        const double stated = card["results"].toObject()["test_top1"].toDouble();
        QVERIFY2(std::abs(top1 - stated) <= 0.003, qPrintable(QString("fp16 %1, card %2").arg(top1).arg(stated)));
    }

    void errors_are_one_clear_line_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("fp16 autocast on cpu") << QStringList{"--precision", "fp16"} << "fp16 autocast needs a CUDA device";
        QTest::newRow("unknown precision") << QStringList{"--precision", "fp8"} << "'fp8' is not fp32, bf16 or fp16";
        QTest::newRow("unknown save dtype") << QStringList{"--save-dtype", "int8"} << "'int8' is not fp32 or fp16";
        QTest::newRow("budget without warmup epoch") << QStringList{"--time-budget", "60", "--warmup-epochs", "0.5"}
                                                     << "needs --warmup-epochs >= 1";
        // No machine here has 8 GPUs: without CUDA "... has no CUDA device", with it "only N CUDA device(s)".
        QTest::newRow("cuda device that does not exist") << QStringList{"--device", "cuda:7"} << "CUDA device";
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
};

QTEST_GUILESS_MAIN(TstRuntimeTrain)
#include "tst_runtime_train.moc"
