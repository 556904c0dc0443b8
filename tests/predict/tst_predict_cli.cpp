// `tailprune predict` as a user runs it: JSON result on a profile with known structure, recording
// measured latencies into the calibration record until the band is calibrated, and one clear error
// for inputs that do not fit.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "predict_fixtures.h"
#include "tests/cli/cli_runner.h"

using namespace tp;
using namespace tp::test;

namespace {

// The fixture's curves are exact lines, so the step analysis finds one sloped plateau per curve and
// the prediction equals the hand computation.
double expected_ms(const std::vector<int>& after) {
    double total = 0.3 + 0.1 + 0.001 * after.back();
    int in = 50;
    for (std::size_t b = 0; b < after.size(); ++b) {
        int block = static_cast<int>(b);
        total += after[b] < in ? attn_ms(block, in) + mlp_ms(block, after[b]) : attn_ms(block, in) + mlp_ms(block, in);
        in = after[b];
    }
    return total;
}

struct Files {
    QTemporaryDir dir;
    QString profile, schedule;
};

void write_files(Files& f, const std::vector<int>& after, const ModelInfo& schedule_model = small_vit_model()) {
    f.profile = f.dir.filePath("cpu.json");
    f.schedule = f.dir.filePath("s.schedule.json");
    save_profile(linear_profile(), f.profile.toStdString());
    Schedule s;
    s.model = schedule_model;
    s.name = "cli";
    s.method = "random";
    s.tokens_after_block = after;
    save_schedule(s, f.schedule.toStdString());
}

}  // namespace

class TestPredictCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)"); }

    void predictsAsJson_data() {
        QTest::addColumn<QVector<int>>("after");
        QTest::newRow("unpruned") << QVector<int>{50, 50, 50, 50, 50, 50, 50, 50};
        QTest::newRow("cut at block 3") << QVector<int>{50, 50, 50, 30, 30, 30, 30, 30};
        QTest::newRow("two cuts") << QVector<int>{50, 40, 40, 40, 40, 17, 17, 17};
    }
    void predictsAsJson() {
        QFETCH(QVector<int>, after);
        std::vector<int> tokens(after.begin(), after.end());
        Files f;
        write_files(f, tokens);
        CliResult r = runCli({"predict", "--profile", f.profile, "--schedule", f.schedule, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto doc = nlohmann::json::parse(r.out.toStdString());
        const double ms = doc["latency_ms"].get<double>();
        QVERIFY2(std::abs(ms - expected_ms(tokens)) < 1e-6 * ms, qPrintable(r.out));
        QVERIFY(std::abs(doc["low_ms"].get<double>() - 0.95 * ms) < 1e-9);
        QVERIFY(std::abs(doc["high_ms"].get<double>() - 1.05 * ms) < 1e-9);
        QCOMPARE(QString::fromStdString(doc["band"]["source"].get<std::string>()), QString("default"));
        QCOMPARE(doc["block_ms"].size(), std::size_t(8));
    }

    // Measurements recorded for the profile's own machine go to its record; measured on this machine,
    // which the fixture profile cannot be confirmed as (it records no machine id), they go to this
    // machine's record and never into the profile's. Either way the next prediction for the same
    // machine reads them.
    void recordedMeasurementsCalibrateTheBand_data() {
        QTest::addColumn<QString>("machine");
        QTest::addColumn<QString>("record");  // name filter of the record written
        QTest::newRow("the profile's machine") << "profile" << "cpu.calibration.json";
        QTest::newRow("this machine: its own record") << "auto" << "cpu.calibration.cpu-*.json";
    }
    void recordedMeasurementsCalibrateTheBand() {
        QFETCH(QString, machine);
        QFETCH(QString, record);
        Files f;
        std::vector<int> tokens{50, 50, 50, 30, 30, 30, 30, 30};
        write_files(f, tokens);
        const double predicted = expected_ms(tokens);
        // Ten measurements 1..10% over the prediction: the 90% band becomes [0, +10%].
        for (int i = 1; i <= 10; ++i) {
            CliResult r = runCli({"predict", "--profile", f.profile, "--schedule", f.schedule, "--record-measured",
                                  QString::number(predicted * (1 + i / 100.0), 'g', 12), "--round", "1", "--json",
                                  "--machine", machine});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const QStringList written = QDir(f.dir.path()).entryList({"cpu.calibration*.json"}, QDir::Files);
        QCOMPARE(written.size(), 1);
        QVERIFY2(QDir::match(record, written[0]), qPrintable(written[0]));
        CliResult r = runCli({"predict", "--profile", f.profile, "--schedule", f.schedule, "--json", "--machine", machine});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto doc = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(doc["band"]["samples"].get<int>(), 10);
        QCOMPARE(QString::fromStdString(doc["band"]["source"].get<std::string>()), QString("calibrated"));
        QVERIFY(std::abs(doc["band"]["low_rel"].get<double>()) < 1e-12);
        QVERIFY(std::abs(doc["band"]["high_rel"].get<double>() - 0.10) < 1e-6);
    }

    void badInputIsOneClearError_data() {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("message");
        QTest::newRow("schedule for another model") << "model" << "has 6 blocks but the profile's model has 8";
        QTest::newRow("missing calibration record") << "calibration" << "does not exist";
        QTest::newRow("profile is not a profile") << "profile" << "cpu.json";
    }
    void badInputIsOneClearError() {
        QFETCH(QString, problem);
        QFETCH(QString, message);
        Files f;
        QStringList args;
        if (problem == "model") {
            write_files(f, {50, 50, 50, 50, 50, 50}, small_vit_model(6, 50));
        } else {
            write_files(f, std::vector<int>(8, 50));
        }
        args << "predict" << "--profile" << f.profile << "--schedule" << f.schedule;
        if (problem == "calibration") args << "--calibration" << f.dir.filePath("none.json");
        if (problem == "profile") {
            QFile file(f.profile);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("{\"format\": 3}");
        }
        CliResult r = runCli(args);
        QVERIFY2(r.exitCode != 0, qPrintable(r.out));
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(r.err.count("error:"), 1);
    }
};

QTEST_GUILESS_MAIN(TestPredictCli)
#include "tst_predict_cli.moc"
