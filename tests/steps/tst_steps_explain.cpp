// Tile/wave boundary prediction and edge labels: predicted boundaries stay predictions, a measured
// kernel census wins when the profile has one.
#include <QtTest>

#include "core/steps/tile_explainer.h"

using namespace tp;

namespace {

StepAnalysis one_edge(int last_before, int tokens, double height = 0.01) {
    StepAnalysis a;
    Edge e;
    e.last_before = last_before;
    e.tokens = tokens;
    e.height_ms = height;
    a.edges.push_back(e);
    return a;
}

ExplainSettings gpu(int sms, int batch, std::vector<TileSize> tiles) {
    ExplainSettings s;
    s.sm_count = sms;
    s.batch = batch;
    s.tiles = std::move(tiles);
    return s;
}

}  // namespace

class TestStepsExplain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void vitGemms() {
        const auto g = vit_block_gemms(384, 400);
        QCOMPARE(int(g.size()), 4);
        QCOMPARE(g[0].name, std::string("qkv"));
        QCOMPARE(g[0].n, 1152LL);
        QCOMPARE(g[2].n, 1536LL);  // fc1: 4C x C
        QCOMPARE(g[3].k, 1536LL);  // fc2: C x 4C
    }

    void boundaries_data() {
        QTest::addColumn<int>("sms");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("tileM");
        QTest::addColumn<int>("tileN");
        QTest::addColumn<int>("tokens");     // a token count that must be a boundary
        QTest::addColumn<QString>("label");  // its label for the fc1 GEMM (C = 384)
        // fc1 N = 1536: 24 column tiles of 64.
        QTest::newRow("batch 1, tile 64: M-tiles 1->2 at 65") << 132 << 1 << 64 << 64 << 65
                                                               << "fc1: M-tiles 1→2 (tile 64x64)";
        QTest::newRow("batch 8, tile 64: M = 8n crosses 64 at n = 9") << 132 << 8 << 64 << 64 << 9
                                                                       << "fc1: M-tiles 1→2 (tile 64x64)";
        // 16 SMs: 24 tiles need 2 waves at M-tiles 1, 48 tiles 3 waves at M-tiles 2.
        QTest::newRow("Jetson-like 16 SMs: waves 2->3 at 65") << 16 << 1 << 64 << 64 << 65 << "fc1: waves 2→3 (tile 64x64)";
        // 132 SMs, batch 8: fc1 tiles = 24 * ceil(8n/64); 6 M-tiles = 144 tiles > 132 -> 2 waves from 8n > 320, n = 41.
        QTest::newRow("H100 132 SMs, batch 8: waves 1->2 at 41") << 132 << 8 << 64 << 64 << 41 << "fc1: waves 1→2 (tile 64x64)";
    }
    void boundaries() {
        QFETCH(int, sms);
        QFETCH(int, batch);
        QFETCH(int, tileM);
        QFETCH(int, tileN);
        QFETCH(int, tokens);
        QFETCH(QString, label);
        const auto b = predict_boundaries(vit_block_gemms(384, 400), gpu(sms, batch, {{tileM, tileN}}), 2, 197);
        bool seen = false;
        for (const auto& p : b) {
            if (p.gemm == "fc1" && p.tokens == tokens) {
                QCOMPARE(QString::fromStdString(p.label()), label);
                seen = true;
            }
            QVERIFY(p.tokens >= 2 && p.tokens <= 197);
            const long long m_before = (long long)batch * (p.tokens - 1), m_after = (long long)batch * p.tokens;
            QVERIFY((m_before + tileM - 1) / tileM != (m_after + tileM - 1) / tileM);  // only where M-tiles change
        }
        QVERIFY2(seen, "boundary missing");
    }

    void badSettings() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, predict_boundaries(vit_block_gemms(384, 400), gpu(0, 1, {{64, 64}}), 2, 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, predict_boundaries(vit_block_gemms(384, 400), gpu(8, 0, {{64, 64}}), 2, 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, predict_boundaries(vit_block_gemms(384, 400), gpu(8, 1, {{0, 64}}), 2, 10));
    }

    void labels_data() {
        QTest::addColumn<int>("lastBefore");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("source");
        QTest::newRow("edge on the boundary") << 64 << 65 << "qkv: M-tiles 1→2 (tile 64x64)" << "tile model";
        QTest::newRow("one token late") << 65 << 66 << "qkv: M-tiles 1→2 (tile 64x64)" << "tile model";
        QTest::newRow("sparse grid: boundary inside the gap") << 60 << 68 << "qkv: M-tiles 1→2 (tile 64x64)" << "tile model";
        QTest::newRow("larger tile wins a tie") << 128 << 129 << "qkv: M-tiles 1→2 (tile 128x128)" << "tile model";
        QTest::newRow("far from any boundary") << 99 << 100 << "kernel switch?" << "none";
    }
    void labels() {
        QFETCH(int, lastBefore);
        QFETCH(int, tokens);
        QFETCH(QString, label);
        QFETCH(QString, source);
        const ExplainSettings s = gpu(132, 1, {{64, 64}, {128, 128}});
        const auto predicted = predict_boundaries(vit_block_gemms(384, 400), s, 2, 197);
        StepAnalysis a = one_edge(lastBefore, tokens);
        const auto x = explain_edges(a, predicted, s);
        QCOMPARE(int(x.size()), 1);
        QCOMPARE(QString::fromStdString(x[0].label), label);
        QCOMPARE(QString::fromStdString(x[0].source), source);
        QCOMPARE(QString::fromStdString(a.edges[0].explanation), label);
    }

    void shortKernelNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "gemm_64x64" << "gemm_64x64";
        // Names as LibTorch 2.11's profiler reported them on the H100 (profiles/h100_deit_small_fp16_b1.json.gz).
        QTest::newRow("templated, anonymous namespace")
            << "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::Half, float, false>(int, float, c10::Half const*)"
            << "vectorized_layer_norm_kernel";
        QTest::newRow("nested templates in the parameters")
            << "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::Half>, std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<c10::Half>, std::array<char*, 3ul>)"
            << "vectorized_elementwise_kernel";
        QTest::newRow("C kernel with parameters") << "sm90_xmma_gemm_f16f16_f16f32(int)" << "sm90_xmma_gemm_f16f16_f16f32";
    }
    void shortKernelNames() {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(short_kernel_name(name.toStdString())), expected);
    }

    void repeatedChangesAreCounted() {
        // A whole-model census: every block's kernel grows the same way.
        const ExplainSettings s = gpu(132, 1, {{64, 64}});
        std::vector<KernelLaunch> before, after;
        for (int block = 0; block < 3; ++block) {
            before.push_back({"ln_kernel", 128, 128, 1.0});
            after.push_back({"ln_kernel", 129, 128, 1.0});
        }
        std::vector<KernelCensus> census = {{"model", 128, before}, {"model", 129, after}};
        StepAnalysis a = one_edge(128, 129);
        const auto x = explain_edges(a, {}, s, census, "model");
        QCOMPARE(QString::fromStdString(x[0].label), QString("ln_kernel: grid 128→129 CTAs ×3"));
    }

    void censusWins_data() {
        QTest::addColumn<QString>("nameAfter");
        QTest::addColumn<int>("gridAfter");
        QTest::addColumn<QString>("curve");
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("source");
        QTest::newRow("kernel name changes") << "gemm_128x128" << 18 << "block:3" << "kernel switch: gemm_64x64 → gemm_128x128"
                                             << "kernel census";
        QTest::newRow("grid crosses a wave") << "gemm_64x64" << 140 << "block:3" << "gemm_64x64: waves 1→2 (grid 72→140)"
                                             << "kernel census";
        QTest::newRow("grid grows within a wave") << "gemm_64x64" << 96 << "block:3" << "gemm_64x64: grid 72→96 CTAs"
                                                  << "kernel census";
        QTest::newRow("nothing changed: fall back to the model") << "gemm_64x64" << 72 << "block:3"
                                                                 << "qkv: M-tiles 1→2 (tile 64x64)" << "tile model";
        QTest::newRow("census of another curve is ignored") << "gemm_128x128" << 18 << "block:7"
                                                            << "qkv: M-tiles 1→2 (tile 64x64)" << "tile model";
    }
    void censusWins() {
        QFETCH(QString, nameAfter);
        QFETCH(int, gridAfter);
        QFETCH(QString, curve);
        QFETCH(QString, label);
        QFETCH(QString, source);
        const ExplainSettings s = gpu(132, 1, {{64, 64}});
        const auto predicted = predict_boundaries(vit_block_gemms(384, 400), s, 2, 197);
        std::vector<KernelCensus> census = {
            {curve.toStdString(), 64, {{"gemm_64x64", 72, 128, 3.0}}},
            {curve.toStdString(), 65, {{nameAfter.toStdString(), gridAfter, 128, 3.0}}}};
        StepAnalysis a = one_edge(64, 65);
        const auto x = explain_edges(a, predicted, s, census, "block:3");
        QCOMPARE(QString::fromStdString(x[0].label), label);
        QCOMPARE(QString::fromStdString(x[0].source), source);
    }
};

QTEST_GUILESS_MAIN(TestStepsExplain)
#include "tst_steps_explain.moc"
