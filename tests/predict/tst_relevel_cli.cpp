// `tailprune calibrate-latency` as a user runs it (issue 27): a profile measured here, re-levelled
// here with the real runtime, the record filed under this machine, then picked by `predict` and
// `measure --profile` for this machine and not for the profile's own; bad profiles give one error.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/model/machine_identity.h"
#include "core/model/method_rules.h"
#include "core/predict/latency_calibration.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "predict_fixtures.h"
#include "tests/cli/cli_runner.h"

using namespace tp;

class TestRelevelCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString profile_, schedule_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)");
        QVERIFY2(QFile::exists(bundledWeights()), qPrintable(bundledWeights()));  // shipped in the repository
        profile_ = dir_.filePath("here.json");
        CliResult r = runCli(QStringList{"profile", "--weights", bundledWeights(), "--scope", "model", "--scope",
                                         "prune:topk:3:50", "--tokens", "10,20,30,40,49", "-o", profile_, "-q"} +
                             kQuickTiming, 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        Schedule s;
        s.model = load_profile(profile_.toStdString()).model;
        s.name = "cut";
        s.method = "topk";
        s.tokens_after_block = tokens_from_points(s.model.depth, s.model.tokens, {{3, 30}});
        schedule_ = dir_.filePath("cut.schedule.json");
        save_schedule(s, schedule_.toStdString());
    }

    void relevelsForThisMachine() {
        CliResult r = runCli({"calibrate-latency", "--profile", profile_, "-q"}, 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("re-levelled fmnist_vit8 for"), qPrintable(r.out));
        const QStringList records = QDir(dir_.path()).entryList({"here.calibration.cpu-*.json"}, QDir::Files);
        QCOMPARE(records.size(), 1);
        const LatencyCalibration record = load_latency_calibration(dir_.filePath(records[0]).toStdString());
        QVERIFY(record.machine && record.relevel);
        QVERIFY(same_machine(*record.machine, this_machine("cpu")) || this_machine("cpu").machine_id.empty());
        QCOMPARE(record.machine->torch_threads, 1);  // the profile's setup
        QCOMPARE(record.relevel->points.size(), std::size_t(5 + 3));  // the model at 5 sizes, topk's op at 3
        // Measured minutes apart on the same machine: about the same level (a wrong reference curve,
        // e.g. the op's instead of the model's, would be tens of times off).
        QVERIFY2(record.relevel->fit.scale > 0.5 && record.relevel->fit.scale < 2.0,
                 qPrintable(QString::number(record.relevel->fit.scale)));
        QVERIFY(record.relevel->fit.op_scale.count("topk"));
        QVERIFY(record.relevel->seconds > 0);
        QCOMPARE(record.relevel->passes, 3);  // the default: each point at its fastest of three passes
        QVERIFY(record.relevel->agreement >= 0);
        QVERIFY2(r.out.contains("3 passes, each point at its fastest"), qPrintable(r.out));
    }

    void predictPicksTheRecordOfTheMachineItPredictsFor_data() {
        QTest::addColumn<QString>("machine");
        QTest::addColumn<bool>("relevelled");
        QTest::newRow("this machine") << "here" << true;
        QTest::newRow("the profile's machine") << "profile" << false;
    }
    void predictPicksTheRecordOfTheMachineItPredictsFor() {
        QFETCH(QString, machine);
        QFETCH(bool, relevelled);
        CliResult r = runCli({"predict", "--profile", profile_, "--schedule", schedule_, "--json", "--machine", machine});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto doc = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(doc["machine"]["relevelled"].get<bool>(), relevelled);
        bool has_term = false;
        for (const auto& t : doc["terms"]) has_term |= t["kind"] == "relevel";
        QCOMPARE(has_term, relevelled);
        if (relevelled) QVERIFY(doc["machine"]["note"].get<std::string>().find("re-levelled for") != std::string::npos);
        // Relative to unpruned, with its own band around it.
        const double rel = doc["relative"]["value"].get<double>();
        QVERIFY(rel < 0);
        QVERIFY(doc["relative"]["low"].get<double>() <= rel && rel <= doc["relative"]["high"].get<double>());
    }

    void measureSaysWhatThePredictionWas() {
        CliResult r = runCli(QStringList{"measure", "--schedule", schedule_, "--weights", bundledWeights(), "--profile",
                                         profile_, "--json"} + kQuickTiming, 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto doc = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(doc.contains("prediction"));
        QCOMPARE(doc["prediction"]["relevelled"].get<bool>(), true);
        QVERIFY(doc["prediction"]["latency_ms"].get<double>() > 0);
        QVERIFY(doc["prediction"].contains("relative"));
        QVERIFY(doc["prediction"]["relative"]["measured"].get<double>() < 0.5);
    }

    void badProfilesGiveOneError_data() {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("message");
        QTest::newRow("no whole-model curve") << "no_model" << "whole-model curve";
        QTest::newRow("not a preset, no weights given, no bundled model") << "unknown_model" << "--weights";
    }
    void badProfilesGiveOneError() {
        QFETCH(QString, problem);
        QFETCH(QString, message);
        Profile p = load_profile(profile_.toStdString());
        if (problem == "no_model")
            p.curves.erase(std::remove_if(p.curves.begin(), p.curves.end(),
                                          [](const Curve& c) { return c.scope.kind == ScopeKind::Model; }),
                           p.curves.end());
        if (problem == "unknown_model") p.model.name = "somebody_elses_vit";
        const QString path = dir_.filePath(problem + ".json");
        save_profile(p, path.toStdString());
        CliResult r = runCli({"calibrate-latency", "--profile", path, "-q"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(r.err.count("error:"), 1);
        QVERIFY(QDir(dir_.path()).entryList({problem + ".calibration*"}, QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRelevelCli)
#include "tst_relevel_cli.moc"
