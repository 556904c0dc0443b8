// Re-levelling a profile for another machine (issue 27): the fit recovers known scales from
// synthetic "other machine" curves, the plan measures what the fit needs, the predictor applies it,
// the record keeps it, and the record of the machine predicted for is the one used.
#include <QTemporaryDir>
#include <QtTest>

#include "core/analysis/calibration_use.h"
#include "core/util/format_error.h"
#include "core/model/profile_json.h"
#include "core/predict/latency_calibration.h"
#include "core/model/method_rules.h"
#include "core/predict/relevel.h"
#include "tests/predict/predict_fixtures.h"

using namespace tp;
using namespace tp::test;

namespace {

double model_ms(int n) { return 0.3 + 0.012 * n; }
double tome_ms(int n) { return 0.02 + 0.0004 * n; }
double topk_ms(int n) { return 0.01 + 0.0002 * n; }

// linear_profile plus a whole-model curve and op curves of two methods (tome at two input lengths).
Profile relevel_profile() {
    Profile p = linear_profile(8, 50);
    p.curves.push_back(curve_of(scope(ScopeKind::Model), 1, 50, 1, model_ms));
    p.curves.push_back(curve_of(prune_scope("tome", 3, 50), 25, 49, 1, tome_ms));
    p.curves.push_back(curve_of(prune_scope("tome", 3, 34), 17, 33, 1, tome_ms));
    p.curves.push_back(curve_of(prune_scope("tome", 1, 50), 25, 49, 1, tome_ms));
    p.curves.push_back(curve_of(prune_scope("topk", 4, 50), 1, 49, 1, topk_ms));
    return p;
}

// What "the other machine" measured at the plan's counts.
std::vector<Curve> other_machine(const Profile& profile, double scale, double offset, double tome_scale, double topk_scale) {
    std::vector<Curve> out;
    for (const RelevelScope& item : plan_relevel(profile)) {
        Curve c;
        c.scope = item.scope;
        c.name = to_string(item.scope);
        for (int t : item.tokens) {
            CurvePoint p;
            p.tokens = t;
            p.samples = 10;
            if (item.scope.kind == ScopeKind::Model) p.median_ms = offset + scale * model_ms(t);
            else if (item.scope.method == "tome") p.median_ms = tome_scale * tome_ms(t);
            else p.median_ms = topk_scale * topk_ms(t);
            c.points.push_back(p);
        }
        out.push_back(c);
    }
    return out;
}

}  // namespace

class TestPredictRelevel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void planMeasuresTheModelAndOneOpPerMethod() {
        const Profile profile = relevel_profile();
        const std::vector<RelevelScope> plan = plan_relevel(profile);
        QCOMPARE(plan.size(), std::size_t(3));
        QCOMPARE(to_string(plan[0].scope), std::string("model"));
        QCOMPARE(plan[0].tokens.front(), 50);  // the unpruned model first
        QCOMPARE(plan[0].tokens.size(), std::size_t(5));
        QVERIFY(plan[0].tokens.back() <= 15);  // down to about a fifth of the range
        // tome: the largest input length, the block nearest the middle (3 rather than 1)
        QCOMPARE(to_string(plan[1].scope), std::string("prune:tome:3:50"));
        QCOMPARE(to_string(plan[2].scope), std::string("prune:topk:4:50"));
        for (const auto& item : plan)
            for (int t : item.tokens) {
                const Curve* c = nullptr;
                for (const auto& curve : profile.curves)
                    if (curve.scope == item.scope) c = &curve;
                QVERIFY(c);
                bool measured = false;
                for (const auto& p : c->points) measured |= p.tokens == t;
                QVERIFY2(measured, "every planned count is one the profile measured");
            }
    }

    // A coarse sweep (five counts) still gives five distinct model sizes and three op sizes.
    void planOnACoarseSweepTakesDistinctCounts() {
        Profile p = linear_profile(8, 50);
        p.curves.push_back(curve_of(scope(ScopeKind::Model), 10, 50, 10, model_ms));
        p.curves.push_back(curve_of(prune_scope("topk", 3, 50), 10, 49, 13, topk_ms));
        const std::vector<RelevelScope> plan = plan_relevel(p);
        QCOMPARE(plan[0].tokens, (std::vector<int>{50, 40, 30, 20, 10}));
        QCOMPARE(plan[1].tokens.size(), std::size_t(3));
        QCOMPARE(plan[1].tokens.front(), 49);
    }

    void planNeedsAWholeModelCurve() {
        QVERIFY_THROWS_EXCEPTION(FormatError, plan_relevel(linear_profile(8, 50)));
    }

    void fitRecoversTheOtherMachine_data() {
        QTest::addColumn<double>("scale");
        QTest::addColumn<double>("offset");
        QTest::addColumn<double>("tome");
        QTest::addColumn<double>("topk");
        QTest::newRow("same machine") << 1.0 << 0.0 << 1.0 << 1.0;
        QTest::newRow("uniformly 1.8x slower") << 1.8 << 0.0 << 1.8 << 1.8;
        QTest::newRow("slower, with a fixed overhead") << 1.3 << 0.05 << 1.3 << 1.3;
        QTest::newRow("ops cost differently than blocks") << 1.3 << 0.0 << 2.0 << 1.1;
        QTest::newRow("faster machine") << 0.6 << 0.0 << 0.5 << 0.7;
    }
    void fitRecoversTheOtherMachine() {
        QFETCH(double, scale);
        QFETCH(double, offset);
        QFETCH(double, tome);
        QFETCH(double, topk);
        const Profile profile = relevel_profile();
        const RelevelRecord r = fit_relevel(profile, other_machine(profile, scale, offset, tome, topk));
        QVERIFY(std::abs(r.fit.scale - scale) < 1e-6);
        QVERIFY(std::abs(r.fit.offset_ms - offset) < 1e-6);
        QVERIFY(std::abs(r.fit.op_scale.at("tome") - tome) < 1e-9);
        QVERIFY(std::abs(r.fit.op_scale.at("topk") - topk) < 1e-9);
        QCOMPARE(r.points.size(), std::size_t(5 + 3 + 3));
    }

    // Several passes: each point at its fastest pass, so a slow spell in any one pass leaves the
    // level alone; the agreement says how close the second-fastest pass came.
    void fastestPassSetsTheLevel_data() {
        QTest::addColumn<QList<double>>("passScales");   // the machine's level in each pass (1.3 quiet)
        QTest::addColumn<double>("agreement");
        QTest::newRow("one pass") << QList<double>{1.3} << 0.0;
        QTest::newRow("a slow spell in the first pass") << QList<double>{1.43, 1.3, 1.3} << 0.0;
        QTest::newRow("a slow spell in the last pass") << QList<double>{1.3, 1.3, 1.69} << 0.0;
        QTest::newRow("no two passes agree") << QList<double>{1.3, 1.43, 1.69} << 0.1;
    }
    void fastestPassSetsTheLevel() {
        QFETCH(QList<double>, passScales);
        QFETCH(double, agreement);
        const Profile profile = relevel_profile();
        std::vector<std::vector<Curve>> passes;
        for (double scale : passScales) passes.push_back(other_machine(profile, scale, 0, scale, scale));
        const std::vector<Curve> merged = fastest_of_passes(passes);
        QCOMPARE(merged.size(), passes.front().size());
        const RelevelRecord r = fit_relevel(profile, merged);
        QVERIFY2(std::abs(r.fit.scale - 1.3) < 1e-6, qPrintable(QString::number(r.fit.scale)));
        QVERIFY(std::abs(r.fit.op_scale.at("tome") - 1.3) < 1e-9);
        QCOMPARE(r.points.size(), std::size_t(5 + 3 + 3));
        QVERIFY2(std::abs(pass_agreement(passes) - agreement) < 1e-9, qPrintable(QString::number(pass_agreement(passes))));
    }

    void fitNeedsAWholeModelPoint() {
        const Profile profile = relevel_profile();
        std::vector<Curve> measured = other_machine(profile, 1.5, 0, 1.5, 1.5);
        measured.erase(measured.begin());  // no model curve
        QVERIFY_THROWS_EXCEPTION(FormatError, fit_relevel(profile, measured));
    }

    // The predictor applies the fit: blocks and fixed parts by the scale and offset, each method's
    // pruning op by its own scale; the breakdown adds up to the fast path and names the re-level.
    void predictorAppliesTheRelevel_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("opScale");
        QTest::newRow("tome, its own op scale") << "tome" << 3.0;
        QTest::newRow("topk, the blocks' scale (no op scale of its own)") << "topk" << 2.0;
    }
    void predictorAppliesTheRelevel() {
        QFETCH(QString, method);
        QFETCH(double, opScale);
        const Profile profile = relevel_profile();
        LatencyPredictor plain(profile, pointwise_analysis);
        LatencyPredictor relevelled = plain;
        HostRelevel fit;
        fit.scale = 2.0;
        fit.offset_ms = 0.1;
        fit.op_scale["tome"] = 3.0;
        fit.machine = "the other machine";
        relevelled.set_relevel(fit);
        const std::vector<int> unpruned(8, 50);
        QVERIFY(std::abs(relevelled.unpruned_ms() - (2.0 * plain.unpruned_ms() + 0.1)) < 1e-9);
        const std::vector<int> cut = tokens_from_points(8, 50, {{3, 30}});
        const std::string m = method.toStdString();
        const LatencyPrediction before = plain.breakdown(cut, m);
        double ops = 0;
        for (const auto& t : before.terms) ops += t.kind == "prune" ? t.ms : 0;
        QVERIFY(ops > 0);
        const double ops_share = ops * (1 + plain.context_scale());
        const double expected = 2.0 * (before.latency_ms - ops_share) + opScale * ops_share + 0.1;
        QVERIFY(std::abs(relevelled.predict_ms(cut, m) - expected) < 1e-9);
        const LatencyPrediction after = relevelled.breakdown(cut, m);
        QVERIFY(std::abs(after.latency_ms - expected) < 1e-9);
        bool named = false;
        for (const auto& t : after.terms) named |= t.kind == "relevel" && t.source.find("the other machine") != std::string::npos;
        QVERIFY(named);
    }

    void recordKeepsMachineAndRelevel() {
        LatencyCalibration rec;
        rec.device = "cpu:fixture-cpu@local";
        rec.model = "fmnist_vit8";
        MachineIdentity m;
        m.kind = "cpu";
        m.device = "AMD EPYC (2 CPUs)";
        m.hostname = "vm";
        m.machine_id = "0123456789abcdef";
        m.torch_threads = 1;
        rec.machine = m;
        RelevelRecord r;
        r.date = "2026-12-06T23:00:00Z";
        r.seconds = 10.5;
        r.fit.scale = 1.3;
        r.fit.offset_ms = 0.01;
        r.fit.op_scale["tome"] = 1.6;
        r.points.push_back({"prune:tome:3:50", 40, 0.0375, 0.0572});
        r.drift = -0.01;
        r.passes = 3;
        r.agreement = 0.02;
        rec.relevel = r;
        rec.entries.push_back({"tome", {50, 50, 50, 40, 40, 40, 40, 40}, 0.9, 1, "", 1.2});
        const LatencyCalibration back = parse_latency_calibration(latency_calibration_to_text(rec), "mem");
        QVERIFY(back.machine && back.relevel);
        QCOMPARE(back.machine->machine_id, m.machine_id);
        QCOMPARE(back.machine->torch_threads, 1);
        QCOMPARE(back.relevel->fit.scale, 1.3);
        QCOMPARE(back.relevel->fit.op_scale.at("tome"), 1.6);
        QCOMPARE(back.relevel->points.size(), std::size_t(1));
        QCOMPARE(back.relevel->points[0].tokens, 40);
        QCOMPARE(back.relevel->fit.machine, machine_label(m));
        QCOMPARE(back.entries[0].unpruned_ms, 1.2);
        QCOMPARE(back.relevel->drift, -0.01);
        QCOMPARE(back.relevel->passes, 3);
        QCOMPARE(back.relevel->agreement, 0.02);
        // A record written before passes existed reads as one pass.
        const LatencyCalibration older = parse_latency_calibration(
            R"({"format":"tailprune-latency-calibration","format_version":1,"entries":[],"machine":{"kind":"cpu"},"relevel":{"scale":1.2}})",
            "old.json");
        QCOMPARE(older.relevel->passes, 1);
        QCOMPARE(older.relevel->agreement, 0.0);
    }

    void badRecordsNameTheField_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("field");
        const QString head = R"({"format":"tailprune-latency-calibration","format_version":1,"entries":[],)";
        QTest::newRow("re-level without its machine") << head + R"("relevel":{"scale":1.2}})" << "/relevel";
        QTest::newRow("unknown field in the re-level")
            << head + R"("machine":{"kind":"cpu"},"relevel":{"scale":1.2,"scael":1}})" << "scael";
        QTest::newRow("negative scale") << head + R"("machine":{"kind":"cpu"},"relevel":{"scale":-1}})" << "/relevel/scale";
        QTest::newRow("op scale of an unknown method")
            << head + R"("machine":{"kind":"cpu"},"relevel":{"scale":1,"op_scale":{"warp":2}}})" << "warp";
        QTest::newRow("a point's scope is not a scope")
            << head + R"("machine":{"kind":"cpu"},"relevel":{"scale":1,"points":[{"scope":"blok:3","tokens":4,"profile_ms":1,"measured_ms":1}]}})"
            << "/relevel/points/0/scope";
        QTest::newRow("zero passes") << head + R"("machine":{"kind":"cpu"},"relevel":{"scale":1,"passes":0}})" << "/relevel/passes";
        QTest::newRow("negative agreement")
            << head + R"("machine":{"kind":"cpu"},"relevel":{"scale":1,"agreement":-0.1}})" << "/relevel/agreement";
        QTest::newRow("unknown machine field") << head + R"("machine":{"kind":"cpu","hostnme":"x"}})" << "hostnme";
        QTest::newRow("thread count out of range") << head + R"("machine":{"torch_threads":4294967297}})" << "torch_threads";
    }
    void badRecordsNameTheField() {
        QFETCH(QString, text);
        QFETCH(QString, field);
        try {
            parse_latency_calibration(text.toStdString(), "bad.json");
            QFAIL("accepted");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(field), e.what());
        }
    }

    // The record of the machine predicted for is used, never another machine's; without one the
    // profile's own record stays and the prediction says the profile is from elsewhere.
    void recordOfTheTargetMachineIsUsed_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("relevelled");
        QTest::addColumn<bool>("otherMachine");
        QTest::addColumn<double>("scale");
        QTest::newRow("machine A: its re-level") << "aaaa" << true << false << 1.5;
        QTest::newRow("machine B: its re-level") << "bbbb" << true << false << 0.8;
        QTest::newRow("machine C: none, the profile is from elsewhere") << "cccc" << false << true << 1.0;
        QTest::newRow("no target: the profile's own machine") << "" << false << false << 1.0;
    }
    void recordOfTheTargetMachineIsUsed() {
        QFETCH(QString, target);
        QFETCH(bool, relevelled);
        QFETCH(bool, otherMachine);
        QFETCH(double, scale);
        QTemporaryDir dir;
        const std::string profile_path = dir.filePath("p.json").toStdString();
        Profile profile = relevel_profile();
        profile.device.extra["machine_id"] = "profile-machine";
        profile.device.extra["hostname"] = "vm";
        save_profile(profile, profile_path);
        auto machine = [&](const std::string& id) {
            MachineIdentity m = identity_of(profile.device, profile.settings);
            m.machine_id = id;
            return m;
        };
        for (auto [id, s] : {std::pair<std::string, double>{"aaaa", 1.5}, {"bbbb", 0.8}}) {
            LatencyCalibration rec;
            rec.device = profile.device.identity();
            rec.model = profile.model.name;
            rec.machine = machine(id);
            rec.relevel = RelevelRecord{};
            rec.relevel->fit.scale = s;
            save_latency_calibration(rec, machine_calibration_path(profile_path, *rec.machine));
        }
        QCOMPARE(machine_calibration_paths(profile_path).size(), std::size_t(2));
        std::optional<MachineIdentity> t;
        if (!target.isEmpty()) t = machine(target.toStdString());
        LatencyPredictor predictor(profile, pointwise_analysis);
        const CalibrationUse use = use_calibration_for_machine(predictor, profile, profile_path, t);
        QCOMPARE(use.relevelled, relevelled);
        QCOMPARE(use.other_machine, otherMachine);
        QCOMPARE(predictor.relevel().scale, scale);
        if (otherMachine) QVERIFY2(use.machine_note.find("calibrate-latency") != std::string::npos, use.machine_note.c_str());
        if (relevelled) QVERIFY2(use.machine_note.find("re-levelled for") != std::string::npos, use.machine_note.c_str());
    }
};

QTEST_APPLESS_MAIN(TestPredictRelevel)
#include "tst_predict_relevel.moc"
