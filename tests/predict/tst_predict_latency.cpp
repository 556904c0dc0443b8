// The latency predictor on synthetic profiles with known structure: the pruning block's split,
// pruning-op terms (measured and inferred), inferred blocks, the in-context correction, and clear
// errors for schedules that do not fit the profile.
#include <QtTest>

#include "core/util/format_error.h"
#include "predict_fixtures.h"

using namespace tp;
using namespace tp::test;

namespace {

// Hand computation of the model with the fixture's exact curves (no context curves → no correction).
double expected_ms(const std::vector<int>& after, int tokens, double op_ms) {
    double total = 0.3 + 0.1 + 0.001 * after.back();
    int in = tokens;
    for (std::size_t b = 0; b < after.size(); ++b) {
        int out = after[b];
        int block = static_cast<int>(b);
        total += out < in ? attn_ms(block, in) + mlp_ms(block, out) + op_ms : attn_ms(block, in) + mlp_ms(block, in);
        in = out;
    }
    return total;
}

Schedule schedule_of(const ModelInfo& model, std::vector<int> after, const std::string& method) {
    Schedule s;
    s.model = model;
    s.method = method;
    s.name = "t";
    s.tokens_after_block = std::move(after);
    return s;
}

const LatencyTerm* find_term(const LatencyPrediction& p, const std::string& kind, int block) {
    for (const auto& t : p.terms)
        if (t.kind == kind && t.block == block) return &t;
    return nullptr;
}

}  // namespace

class TestPredictLatency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pruningBlockRunsAttentionAtInputAndMlpAtOutput_data() {
        QTest::addColumn<QVector<int>>("after");
        QTest::newRow("unpruned") << QVector<int>{50, 50, 50, 50, 50, 50, 50, 50};
        QTest::newRow("one cut at block 3") << QVector<int>{50, 50, 50, 20, 20, 20, 20, 20};
        QTest::newRow("cut at block 0") << QVector<int>{10, 10, 10, 10, 10, 10, 10, 10};
        QTest::newRow("cut at the last block") << QVector<int>{50, 50, 50, 50, 50, 50, 50, 49};
        QTest::newRow("three cuts") << QVector<int>{50, 40, 40, 40, 25, 25, 12, 12};
        QTest::newRow("every block prunes") << QVector<int>{45, 40, 35, 30, 25, 20, 15, 10};
    }
    void pruningBlockRunsAttentionAtInputAndMlpAtOutput() {
        QFETCH(QVector<int>, after);
        std::vector<int> tokens(after.begin(), after.end());
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        QCOMPARE(predictor.context_points(), 0);
        const double expected = expected_ms(tokens, 50, 0.0);
        QVERIFY2(qFuzzyCompare(predictor.predict_ms(tokens, "random"), expected),
                 qPrintable(QString::number(predictor.predict_ms(tokens, "random")) + " vs " + QString::number(expected)));
        LatencyPrediction p = predictor.predict(schedule_of(small_vit_model(), tokens, "random"));
        QVERIFY(qFuzzyCompare(p.latency_ms, expected));
        double sum = 0;
        for (const auto& t : p.terms) sum += t.ms;
        QVERIFY(qFuzzyCompare(sum, expected));
        for (const auto& pt : predictor.predict(schedule_of(small_vit_model(), tokens, "random")).terms)
            if (pt.kind != "prune") QVERIFY2(pt.measured, qPrintable(QString::fromStdString(pt.kind + " " + pt.source)));
    }

    void pruningBlockTermsNameTheirTokens() {
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        LatencyPrediction p = predictor.predict(schedule_of(small_vit_model(), {50, 50, 50, 20, 20, 20, 20, 20}, "none"));
        const LatencyTerm* attn = find_term(p, "attn", 3);
        const LatencyTerm* mlp = find_term(p, "mlp", 3);
        QVERIFY(attn && mlp);
        QCOMPARE(attn->tokens_in, 50);
        QCOMPARE(attn->ms, attn_ms(3, 50));
        QCOMPARE(mlp->tokens_out, 20);
        QCOMPARE(mlp->ms, mlp_ms(3, 20));
        QVERIFY(!find_term(p, "block", 3));
        QCOMPARE(find_term(p, "block", 4)->tokens_in, 20);
        QCOMPARE(p.block_ms.size(), std::size_t(8));
        QVERIFY(qFuzzyCompare(p.block_ms[3], attn_ms(3, 50) + mlp_ms(3, 20)));
    }

    void pruneOpMeasuredOrInferred_data() {
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("tokensIn");
        QTest::addColumn<int>("tokensOut");
        QTest::addColumn<bool>("measured");
        QTest::addColumn<double>("expectedOpMs");
        // Profiled: prune:pomt:3:50 = 0.05 + 0.001·out, prune:pomt:3:30 = 0.04 + 0.001·out,
        // prune:pomt:0:50 = 0.2 + 0.001·out (a method whose op costs more in early blocks).
        // Other input lengths are read at the same kept fraction.
        QTest::newRow("measured at its block and input length") << 3 << 50 << 20 << true << 0.07;
        QTest::newRow("between two input lengths: linear in the input length")
            << 3 << 40 << 20 << false << 0.5 * (0.05 + 0.025) + 0.5 * (0.04 + 0.015);
        QTest::newRow("below them: along their line, not scaled down in proportion")
            << 3 << 20 << 10 << false << 0.055 - 0.001 * 10;
        QTest::newRow("unprofiled block: the nearest profiled block's curve") << 1 << 50 << 20 << false << 0.22;
        QTest::newRow("its own block, measured")
            << 0 << 50 << 20 << true << 0.22;
    }
    void pruneOpMeasuredOrInferred() {
        QFETCH(int, block);
        QFETCH(int, tokensIn);
        QFETCH(int, tokensOut);
        QFETCH(bool, measured);
        QFETCH(double, expectedOpMs);
        Profile profile = linear_profile();
        profile.curves.push_back(curve_of(prune_scope("pomt", 3, 50), 1, 49, 1, [](int out) { return 0.05 + 0.001 * out; }));
        profile.curves.push_back(curve_of(prune_scope("pomt", 3, 30), 1, 29, 1, [](int out) { return 0.04 + 0.001 * out; }));
        profile.curves.push_back(curve_of(prune_scope("pomt", 0, 50), 1, 49, 1, [](int out) { return 0.2 + 0.001 * out; }));
        LatencyPredictor predictor(profile, pointwise_analysis);
        std::vector<int> after(8, tokensOut);
        for (int b = 0; b < block; ++b) after[std::size_t(b)] = b == block - 1 ? tokensIn : 50;
        LatencyPrediction p = predictor.predict(schedule_of(small_vit_model(), after, "pomt"));
        const LatencyTerm* op = find_term(p, "prune", block);
        QVERIFY(op);
        QCOMPARE(op->tokens_in, tokensIn);
        QCOMPARE(op->measured, measured);
        QVERIFY2(std::abs(op->ms - expectedOpMs) < 1e-12, qPrintable(QString::number(op->ms) + " " + QString::fromStdString(op->source)));
        QVERIFY2(measured || op->source.rfind("inferred from ", 0) == 0, op->source.c_str());
        // Another method's op is not profiled: assumed 0 with a warning, never silently.
        LatencyPrediction other = predictor.predict(schedule_of(small_vit_model(), after, "topk"));
        QCOMPARE(find_term(other, "prune", block)->ms, 0.0);
        QVERIFY(!other.warnings.empty());
    }

    void missingCurvesAreInferredAndSaySo_data() {
        QTest::addColumn<QString>("drop");
        QTest::addColumn<QString>("termKind");
        QTest::addColumn<int>("block");
        QTest::addColumn<QString>("sourceContains");
        QTest::newRow("block 5 from a same-shaped block") << "block:5" << "block" << 5 << "same shape";
        QTest::newRow("attn 3 split like another block") << "attn:3" << "attn" << 3 << "split like";
    }
    void missingCurvesAreInferredAndSaySo() {
        QFETCH(QString, drop);
        QFETCH(QString, termKind);
        QFETCH(int, block);
        QFETCH(QString, sourceContains);
        Profile profile = linear_profile();
        auto& curves = profile.curves;
        curves.erase(std::remove_if(curves.begin(), curves.end(), [&](const Curve& c) {
                         const std::string name = c.name;
                         if (drop == "block:5") return name == "block:5" || name == "attn:5" || name == "mlp:5";
                         return name == "attn:3" || name == "mlp:3";
                     }),
                     curves.end());
        LatencyPredictor predictor(profile, pointwise_analysis);
        std::vector<int> after{50, 50, 50, 20, 20, 20, 20, 20};
        if (block == 5) after = {50, 50, 50, 50, 50, 50, 50, 50};
        LatencyPrediction p = predictor.predict(schedule_of(small_vit_model(), after, "none"));
        const LatencyTerm* t = find_term(p, termKind.toStdString(), block);
        QVERIFY(t);
        QVERIFY(!t->measured);
        QVERIFY2(QString::fromStdString(t->source).contains(sourceContains), t->source.c_str());
        QVERIFY(t->ms > 0);
    }

    void contextCorrectionFitsWholeModelCurves() {
        // The whole model measures 10% more than its parts plus 0.2 ms: the fit finds both, and the
        // unpruned prediction lands on the whole-model curve.
        Profile profile = linear_profile();
        profile.curves.push_back(curve_of(scope(ScopeKind::Model), 1, 50, 1, [](int n) {
            double blocks = 0;
            for (int b = 0; b < 8; ++b) blocks += attn_ms(b, n) + mlp_ms(b, n);
            return 0.3 + 0.1 + 0.001 * n + 1.1 * blocks + 0.2;
        }));
        LatencyPredictor predictor(profile, pointwise_analysis);
        QCOMPARE(predictor.context_points(), 50);
        QVERIFY2(std::abs(predictor.context_scale() - 0.1) < 1e-9, qPrintable(QString::number(predictor.context_scale())));
        QVERIFY(std::abs(predictor.context_offset_ms() - 0.2) < 1e-9);
        const Curve* model = profile.find_curve(Scope{});
        QVERIFY(std::abs(predictor.unpruned_ms() - model->find(50)->median_ms) < 1e-9);
        const LatencyTerm* context = find_term(predictor.predict(unpruned_schedule(small_vit_model())), "context", -1);
        QVERIFY(context && !context->measured);
    }

    void deployedCurvesSliceBetweenBlocks() {
        // The profiler's deployed:K runs blocks 0..K whole at full length and blocks after K whole at n.
        Profile profile = linear_profile();
        profile.curves.push_back(curve_of(scope(ScopeKind::Deployed, 3), 1, 50, 1, [](int n) {
            double blocks = 0;
            for (int b = 0; b < 8; ++b) blocks += attn_ms(b, b <= 3 ? 50 : n) + mlp_ms(b, b <= 3 ? 50 : n);
            return 0.3 + 0.1 + 0.001 * n + 1.2 * blocks + 0.05;
        }));
        LatencyPredictor predictor(profile, pointwise_analysis);
        QCOMPARE(predictor.context_points(), 50);
        QVERIFY2(std::abs(predictor.context_scale() - 0.2) < 1e-9, qPrintable(QString::number(predictor.context_scale())));
        QVERIFY(std::abs(predictor.context_offset_ms() - 0.05) < 1e-9);
    }

    void onlyAWholeModelCurveStillPredicts() {
        Profile profile;
        profile.model = small_vit_model();
        profile.curves.push_back(curve_of(scope(ScopeKind::Model), 1, 50, 1, [](int n) { return 0.5 + 0.08 * n; }));
        LatencyPredictor predictor(profile, pointwise_analysis);
        QVERIFY(std::abs(predictor.unpruned_ms() - (0.5 + 0.08 * 50)) < 1e-9);
        QVERIFY(!predictor.warnings().empty());
    }

    void scheduleThatDoesNotFitIsRejected_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<QString>("message");
        QTest::newRow("wrong depth") << 6 << 50 << "has 6 blocks but the profile's model has 8";
        QTest::newRow("wrong token count") << 8 << 197 << "197 tokens but the profile's model has 50";
    }
    void scheduleThatDoesNotFitIsRejected() {
        QFETCH(int, depth);
        QFETCH(int, tokens);
        QFETCH(QString, message);
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        try {
            predictor.predict(unpruned_schedule(small_vit_model(depth, tokens)));
            QFAIL("accepted a schedule for another model");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void emptyProfileIsAClearError() {
        Profile profile;
        profile.model = small_vit_model();
        QVERIFY_THROWS_EXCEPTION(FormatError, LatencyPredictor(profile, pointwise_analysis));
    }
};

QTEST_GUILESS_MAIN(TestPredictLatency)
#include "tst_predict_latency.moc"
