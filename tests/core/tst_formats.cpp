// Profile JSON format: round trips, and one clear error naming the field for every bad input.
#include <QtTest>

#include "core/model/profile_json.h"
#include "core/util/json_reader.h"

using namespace tp;

namespace {

Profile sample_profile() {
    Profile p;
    p.id = "sample";
    p.device.name = "Test GPU";
    p.device.kind = "cuda";
    p.device.sm_count = 132;
    p.device.extra["nvpmodel"] = "MAXN";
    p.model.name = "deit_small_patch16_224";
    p.settings.mode = "graph";
    p.settings.environment["OPENBLAS_CORETYPE"] = "Haswell";
    Curve c;
    c.scope = parse_scope("block:3");
    c.name = "block:3";
    for (int n = 1; n <= 197; n += 7) {
        CurvePoint pt;
        pt.tokens = n;
        pt.samples = 20;
        pt.median_ms = 0.1 + 0.001 * n;
        pt.mean_ms = pt.median_ms * 1.01;
        pt.p10_ms = pt.median_ms * 0.98;
        pt.p90_ms = pt.median_ms * 1.03;
        pt.min_ms = pt.p10_ms * 0.99;
        pt.rel_noise = 0.012;
        pt.stop_reason = "noise";
        pt.raw_ms = {pt.median_ms, pt.p10_ms};
        pt.sm_clock_mhz = 1980;
        c.points.push_back(pt);
    }
    c.partial = true;
    p.curves.push_back(c);
    p.census.push_back({"block:3", 64, {{"sm90_xmma_gemm", 24, 128, 3.5}}});
    return p;
}

std::string sample_text() { return to_json(sample_profile()).dump(1); }

std::string replace(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    if (pos == std::string::npos) qFatal("fixture text '%s' not found", from.c_str());
    return text.replace(pos, from.size(), to);
}

}  // namespace

class TestFormats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripKeepsEverything() {
        Profile p = sample_profile();
        Profile back = parse_profile(to_json(p).dump(), "mem");
        QCOMPARE(to_json(back).dump(), to_json(p).dump());
        QVERIFY(back.partial());
        QCOMPARE(back.curves[0].points.size(), p.curves[0].points.size());
        QCOMPARE(*back.curves[0].points[3].sm_clock_mhz, 1980.0);
        QCOMPARE(back.census[0].kernels[0].grid, 24LL);
    }

    void fileRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.json").toStdString();
        save_profile(sample_profile(), path);
        QCOMPARE(to_json(load_profile(path)).dump(), to_json(sample_profile()).dump());
    }

    void scopeTextRoundTrip_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("model") << "model";
        QTest::newRow("block") << "block:11";
        QTest::newRow("attention") << "attn:0";
        QTest::newRow("mlp") << "mlp:5";
        QTest::newRow("deployed") << "deployed:3";
        QTest::newRow("prune op") << "prune:pomt:3:197";
        QTest::newRow("fixed embed") << "fixed:embed";
    }
    void scopeTextRoundTrip() {
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(to_string(parse_scope(text.toStdString()))), text);
    }

    void badScopeText_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown kind") << "blok:3" << "unknown scope kind";
        QTest::newRow("missing block") << "block" << "expected block:BLOCK";
        QTest::newRow("negative block") << "block:-1" << "non-negative integer";
        QTest::newRow("prune missing tokens") << "prune:pomt:3" << "prune:METHOD:BLOCK:TOKENS_IN";
        QTest::newRow("fixed bad part") << "fixed:tail" << "fixed:embed or fixed:head";
        QTest::newRow("model with args") << "model:1" << "takes no arguments";
    }
    void badScopeText() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            parse_scope(text.toStdString());
            QFAIL("accepted a bad scope");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    // Every bad input gives one FormatError whose text names the place and the problem.
    void badProfileIsRejected_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const std::string good = sample_text();
        QTest::newRow("empty file") << "" << "empty or truncated";
        QTest::newRow("truncated") << QString::fromStdString(good.substr(0, good.size() / 2)) << "malformed JSON";
        QTest::newRow("not an object") << "[1,2]" << "expected an object";
        QTest::newRow("wrong format tag") << QString::fromStdString(replace(good, "tailprune-profile", "other"))
                                          << "not a TailPrune profile";
        QTest::newRow("newer version") << QString::fromStdString(replace(good, "\"format_version\": 1", "\"format_version\": 9"))
                                       << "unsupported version 9";
        QTest::newRow("median is a string") << QString::fromStdString(replace(good, "\"median_ms\": 0.101", "\"median_ms\": \"fast\""))
                                            << "/curves/0/points/0/median_ms";
        QTest::newRow("line of a bad field") << QString::fromStdString(replace(good, "\"median_ms\": 0.101", "\"median_ms\": \"fast\""))
                                             << "mem:";
        QTest::newRow("unknown field") << QString::fromStdString(replace(good, "\"notes\"", "\"nots\""))
                                       << "/nots";
        QTest::newRow("missing model") << QString::fromStdString(replace(good, "\"model\":", "\"modelx\":"))
                                       << "/modelx";
        QTest::newRow("bad device kind") << QString::fromStdString(replace(good, "\"kind\": \"cuda\"", "\"kind\": \"tpu\""))
                                         << "/device/kind";
        QTest::newRow("negative latency") << QString::fromStdString(replace(good, "\"median_ms\": 0.101", "\"median_ms\": -1"))
                                          << "latency must be a finite";
        QTest::newRow("tokens beyond model") << QString::fromStdString(replace(good, "\"tokens\": 190", "\"tokens\": 500"))
                                             << "exceeds the model's 197";
        QTest::newRow("duplicate tokens") << QString::fromStdString(replace(good, "\"tokens\": 8\n", "\"tokens\": 1\n"))
                                          << "duplicate token count";
        QTest::newRow("heads do not divide") << QString::fromStdString(replace(good, "\"heads\": 6", "\"heads\": 7"))
                                             << "divisible by heads";
        QTest::newRow("block outside model") << QString::fromStdString(replace(good, "\"block\": 3", "\"block\": 30"))
                                             << "outside the model's 12 blocks";
        QTest::newRow("bad mode") << QString::fromStdString(replace(good, "\"mode\": \"graph\"", "\"mode\": \"fast\""))
                                  << "/settings/mode";
    }
    void badProfileIsRejected() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            parse_profile(text.toStdString(), "mem");
            QFAIL("accepted a bad profile");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void missingFileIsOneClearError() {
        try {
            load_profile("/nonexistent/dir/profile.json");
            QFAIL("loaded a missing file");
        } catch (const FormatError& e) {
            QVERIFY(QString(e.what()).contains("cannot open"));
        }
    }

};

QTEST_GUILESS_MAIN(TestFormats)
#include "tst_formats.moc"
