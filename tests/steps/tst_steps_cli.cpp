// `tailprune steps` and `tailprune explain` run as a user would (argv lists, never a shell).
#include <QtTest>

#include "tests/cli/cli_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

namespace {

CliResult tailprune(const QStringList& args) { return runCli(args); }

QString data(const QString& name) { return QString(TAILPRUNE_TESTDATA_DIR) + "/steps/" + name; }

}  // namespace

class TestStepsCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFile::exists(qEnvironmentVariable("TAILPRUNE_CLI")), "TAILPRUNE_CLI not set"); }

    void stepsText() {
        const CliResult r = tailprune({"steps", data("gpu_block_staircase.csv")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("Measured steps: 3"));
        QVERIFY(r.out.contains("(drop)"));
        QVERIFY(r.out.contains("Plateaus: 4"));
        QVERIFY(r.out.contains("token count mod 8"));
        QVERIFY(r.out.contains("nearest lower plateau ends at 128 tokens"));
        QVERIFY2(r.out.contains("Staircase: 2 rising steps (level shifts that persist), 1 drop (not steps)"), qPrintable(r.out));
    }

    void stepsJson_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QList<int>>("tokens");
        QTest::addColumn<int>("period");
        QTest::newRow("GPU-like CSV") << QStringList{"steps", data("gpu_block_staircase.csv"), "--json"}
                                      << QList<int>{65, 129, 150} << 8;
        QTest::newRow("profile, curve by name")
            << QStringList{"steps", data("gpu_block_census.profile.json"), "--curve", "block:3", "--json"}
            << QList<int>{65, 129, 150} << 8;
        QTest::newRow("CPU-like CSV: no steps, period 4") << QStringList{"steps", data("cpu_block_period4.csv"), "--json"}
                                                          << QList<int>{} << 4;
        QTest::newRow("very low sensitivity keeps the real steps")
            << QStringList{"steps", data("gpu_block_staircase.csv"), "--sensitivity", "0.5", "--json"}
            << QList<int>{65, 129, 150} << 8;
    }
    void stepsJson() {
        QFETCH(QStringList, args);
        QFETCH(QList<int>, tokens);
        QFETCH(int, period);
        const CliResult r = tailprune(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonParseError error;
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonArray steps = doc["steps"].toArray();
        QCOMPARE(steps.size(), tokens.size());
        for (int i = 0; i < steps.size(); ++i) {
            const QJsonObject s = steps[i].toObject();
            QCOMPARE(s["tokens"].toInt(), tokens[i]);
            for (const char* key : {"height_ms", "height_pct", "confidence", "jump_ms"}) QVERIFY2(s.contains(key), key);
            QVERIFY(s["confidence"].toDouble() >= 3);
        }
        if (tokens.size() == 3) QVERIFY(steps[2].toObject()["height_ms"].toDouble() < 0);  // the drop
        // The staircase apart from the residue pattern: rising steps and drops by the sign of the jump.
        const QJsonObject staircase = doc["staircase"].toObject();
        int rising = 0;
        for (const auto& step : steps) rising += step.toObject()["jump_ms"].toDouble() > 0;
        QCOMPARE(staircase["rising_steps"].toInt(), rising);
        QCOMPARE(staircase["drops"].toInt(), int(steps.size()) - rising);
        QCOMPARE(staircase["found"].toBool(), rising > 0);
        QCOMPARE(staircase["rising_steps"].toInt(), tokens.size() == 3 ? 2 : 0);
        QCOMPARE(staircase["seen_as_period"].toInt(), 0);
        QVERIFY(staircase.contains("tile_tokens"));  // added (issue #25): 0 on these few steps
        QCOMPARE(doc["plateaus"].toArray().size(), tokens.size() + 1);
        QCOMPARE(doc["period"].toObject()["period"].toInt(), period);
        QVERIFY(doc["period"].toObject()["found"].toBool());
    }

    void explainText() {
        const CliResult r = tailprune({"explain", data("gpu_block_census.profile.json"), "--batch", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("132 SMs"));  // from the profile's device
        QVERIFY(r.out.contains("explained: qkv: M-tiles 1→2 (tile 64x64)  [tile model, predicted at 65]"));
        QVERIFY(r.out.contains("kernel switch: sm90_xmma_gemm_f16f16_f32f32_tn_n_tilesize64x64x64"));
        QVERIFY(r.out.contains("[kernel census]"));
        QVERIFY(r.out.contains("Predicted boundaries (tile model, not measured)"));
    }

    void explainJson() {
        const CliResult r = tailprune({"explain", data("gpu_block_staircase.csv"), "--sms", "16", "--batch", "1", "--tiles",
                                 "64x64", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(doc["sms"].toInt(), 16);
        QCOMPARE(doc["measured"].toObject()["steps"].toArray().size(), 3);
        const QJsonArray labels = doc["explained"].toObject()["edge_labels"].toArray();
        QCOMPARE(labels.size(), 3);
        QCOMPARE(labels[0].toObject()["label"].toString(), QString("qkv: waves 2→3 (tile 64x64)"));
        QCOMPARE(labels[0].toObject()["source"].toString(), QString("tile model"));
        QCOMPARE(labels[2].toObject()["label"].toString(), QString("kernel switch?"));  // no census in a CSV
        QVERIFY(!doc["explained"].toObject()["predicted_boundaries"].toArray().isEmpty());
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("fileText");  // written to FILE when not empty
        QTest::addColumn<QString>("message");
        QTest::newRow("missing file") << QStringList{"steps", "/nonexistent/curve.csv"} << "" << "curve.csv";
        QTest::newRow("CSV with a bad number") << QStringList{"steps", "FILE"} << "tokens,median_ms\n2,0.5\n3,abc\n"
                                               << ":3";
        QTest::newRow("CSV without rows") << QStringList{"steps", "FILE"} << "tokens,median_ms\n" << "no data rows";
        QTest::newRow("truncated profile") << QStringList{"steps", "FILE"} << "{\"format\": \"tailprune-profile\", "
                                           << "truncated";
        QTest::newRow("unknown curve") << QStringList{"steps", data("gpu_block_census.profile.json"), "--curve", "nope"}
                                       << "" << "no curve named 'nope' (curves: block:3)";
        QTest::newRow("curve name on a CSV") << QStringList{"steps", data("cpu_block_period4.csv"), "--curve", "x"} << ""
                                             << "holds one curve";
        QTest::newRow("negative sensitivity") << QStringList{"steps", data("cpu_block_period4.csv"), "--sensitivity", "-1"}
                                              << "" << "sensitivity";
        QTest::newRow("explain a CSV without --sms") << QStringList{"explain", data("cpu_block_period4.csv"), "--batch", "1"}
                                                     << "" << "give --sms N";
        QTest::newRow("explain with a bad tile") << QStringList{"explain", data("cpu_block_period4.csv"), "--sms", "8",
                                                                "--batch", "1", "--tiles", "64by64"}
                                                 << "" << "'64by64' is not a tile size";
        QTest::newRow("explain with zero SMs") << QStringList{"explain", data("cpu_block_period4.csv"), "--sms", "0",
                                                              "--batch", "1"}
                                               << "" << "--sms";
    }
    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(QString, fileText);
        QFETCH(QString, message);
        QTemporaryDir dir;
        if (!fileText.isEmpty()) {
            QFile f(dir.filePath("input.csv"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(fileText.toUtf8());
            f.close();
            args.replaceInStrings("FILE", f.fileName());
        }
        const CliResult r = tailprune(args);
        QVERIFY2(r.exitCode > 0, qPrintable(QString("exit %1, stderr %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        // One error line (argument checks by CLI11 add a "Run with --help" hint below it).
        QVERIFY2(r.err.startsWith("error: ") || r.err.trimmed().count('\n') <= 1, qPrintable(r.err));
        if (r.err.startsWith("error: ")) QCOMPARE(r.err.trimmed().count('\n'), 0);
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStepsCli)
#include "tst_steps_cli.moc"
