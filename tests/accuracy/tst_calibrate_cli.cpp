// `tailprune calibrate` with the real runtime (needs LibTorch; the runtime-free builds, such as the
// sanitizer's, leave this suite out): the plan runs on the device asked for, and a device this
// machine lacks is one error and no file.
#include <QTemporaryDir>
#include <QtTest>

#include "core/accuracy/accuracy_data.h"
#include "tests/cli/cli_runner.h"

using namespace tp;

class TestCalibrateCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)"); }

    // `calibrate --device`: the plan runs where asked (a GPU calibrates a 197-token model in
    // minutes); a device this machine lacks is one error and no file.
    void calibrateRunsOnTheDeviceAsked_data() {
        QTest::addColumn<QString>("device");
        QTest::addColumn<bool>("works");
        QTest::newRow("cpu") << "cpu" << true;
        QTest::newRow("cuda on a machine without one: one error, nothing written") << "cuda" << false;
    }
    void calibrateRunsOnTheDeviceAsked() {
        QFETCH(QString, device);
        QFETCH(bool, works);
        QTemporaryDir dir;
        const QString file = dir.filePath("c.json");
        const CliResult r = runCli({"calibrate", "--weights", bundledWeights(), "--method", "topk", "--subset", "20",
                                    "--levels", "0.5", "--multi", "0", "--device", device, "--calibration", file},
                                   120000);
        if (!works && r.exitCode == 0) QSKIP("this machine has a CUDA device");
        QCOMPARE(r.exitCode == 0, works);
        QCOMPARE(QFile::exists(file), works);
        if (works) {
            const AccuracyCalibration cal = load_accuracy_calibration(file.toStdString());
            QVERIFY(cal.evaluations.size() >= 8);  // the baseline and a cut at each of the 7 blocks
        } else {
            QCOMPARE(r.err.count("error:"), 1);
            QVERIFY2(r.err.contains("cuda"), qPrintable(r.err));
        }
    }
};

QTEST_GUILESS_MAIN(TestCalibrateCli)
#include "tst_calibrate_cli.moc"
