// Golden tests: the detector on real measured curves from profiles/, with labels decided by
// looking at the data. CPU curves on this machine class are monotone ramps with no staircase; the
// H100 curves (docs/gpu-runs.md) have tile edges at fixed token counts.
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
        QTest::newRow("fmnist model ramp") << "cpu-2core_fmnist_vit8_fp32_b1_blocks.json.gz" << "model" << 0 << 0;
        QTest::newRow("fmnist block 3 ramp") << "cpu-2core_fmnist_vit8_fp32_b1_blocks.json.gz" << "block:3" << 0 << 0;
        // The attention half alone jumps +25% between 4 and 5 tokens (4x the neighbouring slope):
        // plausibly the BLAS kernel's M-unroll of 4. Label: at most that one small-M edge.
        QTest::newRow("fmnist attention 0 small-M edge") << "cpu-2core_fmnist_vit8_fp32_b1_blocks.json.gz" << "attn:0" << 1 << 8;
    }
    void gpuStaircase_data() {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<QString>("curve");
        QTest::addColumn<QList<int>>("mustFind");  // first token count above each edge (±1)
        // timm deit_small fp32 batch 1 on the H100 (TF32 off): SIMT GEMM tiles, steps of 5-38%
        // (read off the plot: 16→17, 32→33, 64→65, 96→97, 128→129).
        QTest::newRow("H100 timm fp32 tiles") << "h100_timm_deit_small_fp32_b1_model.json.gz" << "model"
                                              << QList<int>{17, 33, 65, 97, 129};
        // TailPrune's own fp16 sweep: flat but for one +3.1% step at 128→129, on the whole model
        // and on the batch-8 curve (+2.9%).
        QTest::newRow("H100 fp16 model") << "h100_deit_small_fp16_b1.json.gz" << "model" << QList<int>{129};
        QTest::newRow("H100 fp16 batch 8") << "h100_deit_small_fp16_b8_model.json.gz" << "model" << QList<int>{129};
    }
    void gpuStaircase() {
        QFETCH(QString, profile);
        QFETCH(QString, curve);
        QFETCH(QList<int>, mustFind);
        const Profile p = load_profile(QStringLiteral(TAILPRUNE_SOURCE_DIR "/profiles/").append(profile).toStdString());
        const Curve* c = p.find_curve(curve.toStdString());
        QVERIFY2(c, "curve missing from the shipped profile");
        const StepAnalysis a = detect_steps(*c);
        QString found;
        for (const Edge& e : a.edges) found += QString::number(e.tokens) + " ";
        for (int want : mustFind) {
            bool hit = false;
            for (const Edge& e : a.edges) hit |= std::abs(e.tokens - want) <= 1 && e.height_ms > 0;
            QVERIFY2(hit, qPrintable(QString("no rising edge at %1; found %2").arg(want).arg(found)));
        }
        QVERIFY2(int(a.edges.size()) <= 2 * int(mustFind.size()) + 2, qPrintable("too many edges: " + found));
    }

    // The 2-core CPU's periodic pattern on the shipped fmnist profile: multiples of 8 run 11-15% under
    // the trend, the other multiples of 4 only 2-7% — period 8, not a period 4 averaging the two.
    void cpuPeriod_data() {
        QTest::addColumn<QString>("curve");
        QTest::newRow("whole model") << "model";
        QTest::newRow("block 4") << "block:4";
        QTest::newRow("attention 4") << "attn:4";
    }
    void cpuPeriod() {
        QFETCH(QString, curve);
        const Profile p = load_profile(TAILPRUNE_SOURCE_DIR "/profiles/cpu-2core_fmnist_vit8_fp32_b1.json.gz");
        const Curve* c = p.find_curve(curve.toStdString());
        QVERIFY2(c, "curve missing from the shipped profile");
        const PeriodicFinding f = detect_steps(*c).period;
        QVERIFY(f.found);
        QCOMPARE(f.period, 8);
        QVERIFY(!f.fast_residues.empty() && f.fast_residues.front() == 0);
        QVERIFY2(f.residue_effect_pct[0] < -8 && f.residue_effect_pct[0] < f.residue_effect_pct[4] - 4,
                 qPrintable(QString("%1% at 0 mod 8, %2% at 4 mod 8").arg(f.residue_effect_pct[0]).arg(f.residue_effect_pct[4])));
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
