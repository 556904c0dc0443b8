// `tailprune train` on the CPU with a tiny model, continued: resuming from a checkpoint gives
// exactly the weights of an uninterrupted run, --time-budget fits the epoch count, and fp16
// storage evaluates like the fp32 weights.
#include <QTemporaryDir>
#include <QtTest>

#include "core/formats/safetensors.h"
#include "train_fixtures.h"

class TstRuntimeTrainResume : public QObject {
    Q_OBJECT
private Q_SLOTS:
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
        const auto r = cli(tiny(dir.path(), "1") + QStringList{"--epochs", "4", "--time-budget", "0.01"});
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

};

QTEST_GUILESS_MAIN(TstRuntimeTrainResume)
#include "tst_runtime_train_resume.moc"
