// `tailprune profile`: Ctrl-C keeps the finished points in a partial profile; --resume finishes it.
#include <QtTest>

#include <csignal>

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include "core/model/profile_json.h"

namespace {
QStringList tiny_args(const QString& output, const QString& tokens, const QString& min_time) {
    return {"profile", "--model", "deit_tiny", "--tokens", tokens, "--rounds", "2", "--warmup", "1",
            "--chunk", "4", "--min-samples", "3", "--min-time", min_time, "--noise", "0.5", "--timeout", "5",
            "-o", output};
}
}  // namespace

class TestAgentProfileCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!qgetenv("TAILPRUNE_CLI").isEmpty(), "TAILPRUNE_CLI is not set"); }

    void interruptThenResume() {
        QTemporaryDir dir;
        const QString out = dir.filePath("tiny.json");
        QProcess p;
        p.setProgram(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")));
        // 30 points x 2 rounds, >= 0.12 s per visit: ~7 s uninterrupted.
        p.setArguments(tiny_args(out, "2..31", "0.12"));
        p.start();
        QVERIFY(p.waitForStarted(10000));
        // Wait until the first chunk (4 points x 2 rounds) is done: 8 progress lines.
        QByteArray err;
        QElapsedTimer t;
        t.start();
        while (err.count('\r') < 10 && t.elapsed() < 60000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.count('\r') >= 10, err.constData());
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QElapsedTimer stop;
        stop.start();
        QVERIFY2(p.waitForFinished(5000), "profile did not stop after Ctrl-C");
        QVERIFY2(stop.elapsed() < 2000, qPrintable(QString("stopping took %1 ms").arg(stop.elapsed())));
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("--resume"), err.constData());

        tp::Profile partial = tp::load_profile(out.toStdString());
        QVERIFY(partial.partial());
        const auto kept = partial.curves.at(0).points;
        QVERIFY(kept.size() >= 4);
        QVERIFY(kept.size() < 30);

        QProcess resume;
        resume.setProgram(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")));
        resume.setArguments({"profile", "--resume", out, "--tokens", "2..31", "--rounds", "2", "--warmup", "1",
                             "--min-samples", "3", "--min-time", "0", "--noise", "0.5", "--timeout", "5", "-q"});
        resume.start();
        QVERIFY(resume.waitForFinished(60000));
        QVERIFY2(resume.exitCode() == 0, resume.readAllStandardError().constData());
        tp::Profile full = tp::load_profile(out.toStdString());
        QVERIFY(!full.partial());
        QCOMPARE(full.curves.size(), std::size_t(1));
        QCOMPARE(full.curves[0].points.size(), std::size_t(30));
        for (const auto& k : kept) {  // finished points are kept as they were, not re-measured
            const tp::CurvePoint* again = full.curves[0].find(k.tokens);
            QVERIFY(again);
            QCOMPARE(again->median_ms, k.median_ms);
            QCOMPARE(again->samples, k.samples);
        }
        QVERIFY(full.settings.environment.count("resumed_from"));

        QProcess validate;
        validate.start(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")), {"validate", out});
        QVERIFY(validate.waitForFinished(20000));
        QCOMPARE(validate.exitCode(), 0);
    }

    // A profile names the weights it measured by their SHA-256 (checked against Qt's own), and
    // random weights by an empty hash.
    void profileRecordsTheWeightsIdentity_data() {
        QTest::addColumn<QString>("weights");
        QTest::newRow("random weights (preset)") << QString();
        QTest::newRow("shipped weights") << QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
    }
    void profileRecordsTheWeightsIdentity() {
        QFETCH(QString, weights);
        QTemporaryDir dir;
        const QString out = dir.filePath("p.json");
        QStringList args = tiny_args(out, "2..3", "0.01");
        if (!weights.isEmpty()) args.replace(args.indexOf("deit_tiny") - 1, "--weights"), args.replace(args.indexOf("deit_tiny"), weights);
        QProcess p;
        p.start(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")), args << "-q");
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QString expected;
        if (!weights.isEmpty()) {
            QFile file(weights);
            QVERIFY(file.open(QIODevice::ReadOnly));
            expected = QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex());
        }
        QCOMPARE(QString::fromStdString(tp::load_profile(out.toStdString()).model.weights_hash), expected);
    }

    void badOptionsFailBeforeMeasuring_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no output") << QStringList{"profile", "--model", "deit_tiny"} << "-o FILE";
        QTest::newRow("bad scope") << QStringList{"profile", "--model", "deit_tiny", "--scope", "block:99", "-o", "/tmp/x.json"}
                                   << "outside the model's 12 blocks";
        QTest::newRow("bad tokens") << QStringList{"profile", "--model", "deit_tiny", "--tokens", "1..500", "-o", "/tmp/x.json"}
                                    << "leaves 1..197";
        QTest::newRow("graph on cpu") << QStringList{"profile", "--model", "deit_tiny", "--mode", "graph", "-o", "/tmp/x.json"}
                                      << "does not fit the CPU";
        // measure takes the schedule's dtype when --dtype is not given (an fp16 GPU schedule on the CPU)
        QTest::newRow("measure uses the schedule's dtype")
            << QStringList{"measure", "--schedule", QStringLiteral(TAILPRUNE_TESTDATA_DIR "/schedules/deit_tiny_fp16_cut.schedule.json")}
            << "fp16 on the CPU";
    }
    void badOptionsFailBeforeMeasuring() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess p;
        p.start(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")), args);
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(p.exitCode() != 0);
        QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains(message.toUtf8()), err.constData());
        QCOMPARE(err.count("error:"), 1);
    }
};

QTEST_MAIN(TestAgentProfileCli)
#include "tst_agent_profile_cli.moc"
