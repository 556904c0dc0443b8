// `tailprune search` as a user runs it, on the shipped fmnist_vit8 profile of this CPU and its
// shipped accuracy calibration: the front as JSON, the objective's pick, saved schedules, the POMT
// rule, and one clear error for each input that does not fit.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/model/method_rules.h"
#include "core/model/schedule_json.h"
#include "tests/cli/cli_runner.h"

using namespace tp;

namespace {

QString source(const QString& path) { return qEnvironmentVariable("TAILPRUNE_SOURCE_DIR") + "/" + path; }
const QString kProfile = "profiles/cpu-2core_fmnist_vit8_fp32_b1.json.gz";
const QString kOtherModel = "profiles/cpu-2core_deit_tiny_fp32_b1.json.gz";
const QString kCalibration = "resources/models/fmnist_vit8/fmnist_vit8.accuracy-calibration.json";

CliResult run(QStringList args, const QString& models_dir = {}) {
    if (models_dir.isEmpty()) return runCli(args, 180000);
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("TAILPRUNE_MODELS", models_dir);
    p.setProcessEnvironment(env);
    p.start(tailpruneCli(), args);
    CliResult r;
    p.waitForFinished(180000);
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

nlohmann::json search_json(const QStringList& extra) {
    const CliResult r = run(QStringList{"search", "--profile", source(kProfile), "--json"} + extra);
    if (r.exitCode != 0) qWarning() << r.err;
    return r.exitCode == 0 ? nlohmann::json::parse(r.out.toStdString()) : nlohmann::json();
}

}  // namespace

class TestSearchCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)"); }

    void printsTheFrontAsJson() {
        const nlohmann::json doc = search_json({"--front"});
        QVERIFY(doc.is_object());
        QVERIFY(doc.at("exact").get<bool>());  // a 50-token model: every method's space is enumerated
        const auto& front = doc.at("front");
        QVERIFY(front.size() >= 2);
        double previous_pct = 0, previous_top1 = 0;
        for (const auto& e : front) {
            const Schedule s = schedule_from_json(e.at("schedule"));
            validate_for_method(s);
            QCOMPARE(s.model.name, std::string("fmnist_vit8"));
            const double pct = e.at("predicted_pct"), top1 = e.at("predicted_top1"), ms = e.at("predicted_ms");
            QVERIFY(pct > previous_pct && top1 > previous_top1);  // ordered by latency, each more accurate
            previous_pct = pct, previous_top1 = top1;
            QVERIFY(pct < 100.0);  // the unpruned model beats anything slower
            QVERIFY(e.at("predicted_ms_band")[0].get<double>() <= ms && ms <= e.at("predicted_ms_band")[1].get<double>());
            QVERIFY(e.at("predicted_pct_band")[0].get<double>() <= pct && pct <= e.at("predicted_pct_band")[1].get<double>());
            QVERIFY(e.at("predicted_top1_band")[0].get<double>() <= top1 && top1 <= e.at("predicted_top1_band")[1].get<double>());
            if (e.at("family") == "cuts") {
                QCOMPARE(e.at("targets").size(), s.pruning_points().size());
                for (const auto& t : e.at("targets")) QVERIFY(!t.at("findings").empty());
            }
        }
        QCOMPARE(doc.at("best"), nlohmann::json());  // --front picks nothing
    }

    void picksTheFastestWithinTheDrop_data() {
        QTest::addColumn<double>("drop");
        QTest::newRow("1 pp") << 1.0;
        QTest::newRow("3 pp") << 3.0;
    }
    void picksTheFastestWithinTheDrop() {
        QFETCH(double, drop);
        const nlohmann::json doc = search_json({"--max-drop", QString::number(drop)});
        QVERIFY(doc.is_object());
        const int best = doc.at("best");
        const auto& front = doc.at("front");
        QVERIFY(front.at(std::size_t(best)).at("predicted_drop_pp").get<double>() <= drop);
        for (int i = 0; i < best; ++i) QVERIFY(front.at(std::size_t(i)).at("predicted_drop_pp").get<double>() > drop);
    }

    void savesTheTopSchedules() {
        QTemporaryDir dir;
        const CliResult r = run({"search", "--profile", source(kProfile), "--max-drop", "2", "--save-top", "2", "--out",
                                 dir.path(), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json doc = nlohmann::json::parse(r.out.toStdString());
        const QStringList files = QDir(dir.path()).entryList({"search-*.json"}, QDir::Files, QDir::Name);
        QCOMPARE(files.size(), std::min(2, int(doc.at("feasible").size())));
        const Schedule first = load_schedule(QDir(dir.path()).filePath(files[0]).toStdString());
        QCOMPARE(first.name, doc.at("front").at(std::size_t(doc.at("best").get<int>())).at("schedule").at("name").get<std::string>());
    }

    void appliesThePomtRule_data() {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<int>("extra");
        QTest::newRow("the paper's rule") << "pomt" << 0;
        QTest::newRow("the release's off-by-two") << "pomt-release" << 2;
    }
    void appliesThePomtRule() {
        QFETCH(QString, rule);
        QFETCH(int, extra);
        const nlohmann::json doc = search_json({"--rule", rule});
        QVERIFY(doc.is_object());
        const int chosen = doc.at("chosen_tokens"), deployed = doc.at("deployed_tokens");
        QCOMPARE(deployed, std::min(50, chosen + extra));
        QCOMPARE(doc.at("block").get<int>(), 3);
        QCOMPARE(doc.at("scan").size(), std::size_t(49));  // n = 50 .. 2
        // the shipped profile measured the deployed cut after block 3
        QVERIFY(QString::fromStdString(doc.at("latency_source")).startsWith("deployed:3"));
        const Schedule s = schedule_from_json(doc.at("pick").at("schedule"));
        QCOMPARE(s.method, std::string("pomt"));
        if (deployed < 50) QCOMPARE(s.tokens_after_block[3], deployed);
        if (extra) QVERIFY(QString::fromStdString(doc.at("rule")).contains("off-by-two"));
    }

    void refusesWithOneClearError_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("emptyModels");  // TAILPRUNE_MODELS pointed at an empty folder
        QTest::addColumn<QString>("message");
        QTest::newRow("profiles of two models")
            << QStringList{"--profile", source(kProfile), "--profile", source(kOtherModel)} << false << "search one model at a time";
        QTest::newRow("a calibration of another model")
            << QStringList{"--profile", source(kOtherModel), "--accuracy", source(kCalibration)} << false
            << "is for model 'fmnist_vit8'";
        QTest::newRow("no calibration for the model")
            << QStringList{"--profile", source(kProfile)} << true << "no accuracy calibration for model 'fmnist_vit8'";
        QTest::newRow("a budget nothing meets")
            << QStringList{"--profile", source(kProfile), "--max-latency-pct", "1"} << false
            << "the constraint --max-latency-pct 1.0 emptied the front";
        QTest::newRow("save-top without a destination")
            << QStringList{"--profile", source(kProfile), "--save-top", "1"} << false << "--save-top needs --out DIR or --store PATH";
        QTest::newRow("a method the calibration lacks")
            << QStringList{"--profile", source(kProfile), "--method", "none"} << false << "'none'";
    }
    void refusesWithOneClearError() {
        QFETCH(QStringList, args);
        QFETCH(bool, emptyModels);
        QFETCH(QString, message);
        QTemporaryDir empty;
        const CliResult r = run(QStringList{"search"} + args, emptyModels ? empty.path() : QString());
        QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(QString::number(r.exitCode)));  // command or format error
        QVERIFY2(r.err.contains("error: ") && r.err.contains(message), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestSearchCli)
#include "tst_search_cli.moc"
