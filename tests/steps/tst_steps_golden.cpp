// Golden tests: the detector on real measured curves from profiles/, with labels decided by
// looking at the data. CPU curves on this machine class are monotone ramps with no staircase.
#include <QtTest>

#include "core/model/profile_json.h"
#include "core/steps/step_detector.h"

using namespace tp;

class TestStepsGolden : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realCurve_data() {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<QString>("curve");
        QTest::addColumn<int>("maxEdges");
        QTest::addColumn<int>("edgesOnlyUpTo");  // any edge must sit at or below this token count
        // fmnist_vit8 on the 2-core CPU (1 thread): latency rises ~linearly from 0.33 ms at 1 token
        // to ~1.15 ms at 50, with isolated single-point spikes from a busy neighbour core.
        QTest::newRow("fmnist model ramp") << "cpu-2core_fmnist_vit8_fp32_b1_blocks.json" << "model" << 0 << 0;
        QTest::newRow("fmnist block 3 ramp") << "cpu-2core_fmnist_vit8_fp32_b1_blocks.json" << "block:3" << 0 << 0;
        // The attention half alone jumps +25% between 4 and 5 tokens (4x the neighbouring slope):
        // plausibly the BLAS kernel's M-unroll of 4. Label: at most that one small-M edge.
        QTest::newRow("fmnist attention 0 small-M edge") << "cpu-2core_fmnist_vit8_fp32_b1_blocks.json" << "attn:0" << 1 << 8;
    }
    void realCurve() {
        QFETCH(QString, profile);
        QFETCH(QString, curve);
        QFETCH(int, maxEdges);
        QFETCH(int, edgesOnlyUpTo);
        const Profile p = load_profile(QStringLiteral(TAILPRUNE_SOURCE_DIR "/profiles/").append(profile).toStdString());
        const Curve* c = p.find_curve(curve.toStdString());
        QVERIFY2(c, "curve missing from the shipped profile");
        const StepAnalysis a = detect_steps(*c);
        QVERIFY2(int(a.edges.size()) <= maxEdges, qPrintable(QString("found %1 edges").arg(a.edges.size())));
        for (const Edge& e : a.edges) QVERIFY2(e.tokens <= edgesOnlyUpTo, qPrintable(QString("edge at %1").arg(e.tokens)));
        QVERIFY(!a.plateaus.empty());
        // A ramp: the fitted level rises across the curve.
        const Plateau& first = a.plateaus.front();
        const Plateau& last = a.plateaus.back();
        QVERIFY(last.level_at(c->points.back().tokens) > 2 * first.level_at(c->points.front().tokens));
        QVERIFY(first.slope_ms_per_token > 0);
    }
};

QTEST_GUILESS_MAIN(TestStepsGolden)
#include "tst_steps_golden.moc"
