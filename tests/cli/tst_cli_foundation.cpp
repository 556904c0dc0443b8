// The foundation commands as a user runs them: validate, import-csv, show, --help, bad input.
#include <QtTest>

#include "cli_runner.h"

namespace {
QString fixture(const QString& rel) { return QStringLiteral(TAILPRUNE_TESTDATA_DIR) + "/" + rel; }
}

class TestCliFoundation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)"); }

    void commands_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stdoutHas");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("help lists commands") << QStringList{"--help"} << 0 << "validate" << "";
        QTest::newRow("no command") << QStringList{} << 106 << "" << "A subcommand is required";
        QTest::newRow("validate good profile") << QStringList{"validate", fixture("formats/good/imported_profile.json")} << 0 << "ok — profile" << "";
        QTest::newRow("validate good schedule") << QStringList{"validate", fixture("formats/good/fmnist_two_cuts.schedule.json")} << 0 << "ok — schedule" << "";
        QTest::newRow("validate json output") << QStringList{"validate", "--json", fixture("formats/good/imported_profile.json")} << 0 << "\"valid\":true" << "";
        QTest::newRow("validate bad profile names field") << QStringList{"validate", fixture("formats/bad/profile_string_latency.json")} << 2 << "" << "/curves/0/points/0/median_ms";
        QTest::newRow("validate latency calibration record") << QStringList{"validate", fixture("formats/good/fmnist.calibration.json")} << 0 << "ok — latency calibration record of fmnist_vit8" << "";
        QTest::newRow("validate bad calibration names field") << QStringList{"validate", fixture("formats/bad/calibration_string_latency.json")} << 2 << "" << "/entries/1/measured_ms";
        QTest::newRow("validate truncated") << QStringList{"validate", fixture("formats/bad/profile_truncated.json")} << 2 << "" << "malformed JSON";
        QTest::newRow("validate missing file") << QStringList{"validate", "/nonexistent.json"} << 105 << "" << "File does not exist";
        QTest::newRow("show profile") << QStringList{"show", fixture("formats/good/imported_profile.json")} << 0 << "block:3" << "";
        QTest::newRow("show schedule") << QStringList{"show", fixture("formats/good/fmnist_two_cuts.schedule.json")} << 0 << "block 3→39" << "";
        QTest::newRow("show bad schedule") << QStringList{"show", fixture("formats/bad/schedule_cls_dropped.json")} << 2 << "" << "at least 1 (CLS)";
        QTest::newRow("import-csv bad scope") << QStringList{"import-csv", fixture("formats/good/h100_block_small.csv"), "-o", "/tmp/x.json", "--device", "d", "--model", "m", "--scope", "blok:3"} << 2 << "" << "unknown scope kind";
    }
    void commands() {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stdoutHas);
        QFETCH(QString, stderrHas);
        CliResult r = runCli(args);
        QVERIFY2(r.exitCode == exitCode, qPrintable(QString("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
        if (!stdoutHas.isEmpty()) QVERIFY2(r.out.contains(stdoutHas), qPrintable(r.out));
        if (!stderrHas.isEmpty()) QVERIFY2(r.err.contains(stderrHas) || r.out.contains(stderrHas), qPrintable(r.err));
    }

    void importCsvThenValidateAndShow() {
        QTemporaryDir dir;
        const QString out = dir.filePath("p.json");
        CliResult r = runCli({"import-csv", fixture("formats/good/h100_block_small.csv"), "-o", out, "--device", "GPU X",
                              "--model", "deit_small_patch16_224", "--scope", "block:3", "--batch", "4", "--dtype", "fp16"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"show", "--json", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("\"batch\":4"));
        QVERIFY(r.out.contains("\"dtype\":\"fp16\""));
        QVERIFY(r.out.contains("\"median_ms\":0.0441"));
    }

    void mergeSeparateSweeps() {
        QTemporaryDir dir;
        const QString csv = fixture("formats/good/h100_block_small.csv");
        for (const QString scope : {"block:3", "attn:3"}) {
            CliResult r = runCli({"import-csv", csv, "-o", dir.filePath(QString(scope).replace(':', '_') + ".json"), "--device", "GPU X",
                                  "--model", "deit_small_patch16_224", "--scope", scope});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const QString merged = dir.filePath("all.json");
        CliResult r = runCli({"merge", dir.filePath("block_3.json"), dir.filePath("attn_3.json"), "-o", merged});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("2 curve(s) from 2 profiles"), qPrintable(r.out));
        r = runCli({"show", merged});
        QVERIFY(r.out.contains("block:3") && r.out.contains("attn:3") && r.out.contains("Profile 'all'"));
        // The same curve in two parts: one error naming the part and the curve, nothing written.
        const QString again = dir.filePath("again.json");
        r = runCli({"merge", merged, dir.filePath("attn_3.json"), "-o", again});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("attn_3.json: /curves/attn:3"), qPrintable(r.err));
        QVERIFY(!QFile::exists(again));
    }

    void importCsvBadRowNamesLineAndWritesNothing() {
        QTemporaryDir dir;
        const QString csv = dir.filePath("bad.csv");
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("tokens,median_ms\n1,0.5\n2,oops\n");
        f.close();
        const QString out = dir.filePath("p.json");
        CliResult r = runCli({"import-csv", csv, "-o", out, "--device", "d", "--model", "m", "--scope", "model"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("bad.csv:3"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliFoundation)
#include "tst_cli_foundation.moc"
