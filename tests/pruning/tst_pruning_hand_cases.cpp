// Small cases computed by hand: Top-K order and ties, POMT's scores and merged token, ToMe's
// matching and size-weighted merge on 6 tokens, weighted PageRank and Zero-TPrune on a 4-token graph.
#include <QtTest>

#include <cmath>

#include "core/runtime/pruning/methods.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "pruning_fixtures.h"

using namespace tp;
using namespace tp::runtime;
using namespace tp::test;

using Ids = std::vector<int64_t>;
using Values = std::vector<double>;
Q_DECLARE_METATYPE(Ids)
Q_DECLARE_METATYPE(Values)

namespace {

torch::Tensor tensor_of(const Values& v) { return torch::tensor(v, torch::kDouble).to(torch::kFloat); }

// x (1, N, 2): token t carries (t, 10 t).
torch::Tensor indexed_tokens(int n) {
    auto t = torch::arange(n).to(torch::kFloat);
    return torch::stack({t, t * 10}, -1).unsqueeze(0);
}

void expect_close(const torch::Tensor& actual, const Values& expected) {
    const auto want = tensor_of(expected).view(actual.sizes());
    QVERIFY2(torch::allclose(actual.to(torch::kFloat), want, 1e-5, 1e-6),
             qPrintable(QString::fromStdString(torch::str(actual, " vs expected ", want))));
}

// Top-K fixture: 5 tokens, 2 heads; the CLS rows make the head-averaged patch scores
// t1 0.25, t2 0.1875, t3 0.25, t4 0.1875 (two exact ties).
BlockState topk_block() {
    BlockState s;
    s.block = 0;
    s.depth = 1;
    s.x = indexed_tokens(5);
    s.attention = torch::full({1, 2, 5, 5}, 0.2f);
    s.attention[0][0][0] = tensor_of({0.125, 0.5, 0.125, 0.25, 0.0});
    s.attention[0][1][0] = tensor_of({0.125, 0.0, 0.25, 0.25, 0.375});
    return s;
}

// POMT fixture: 5 tokens, 2 heads. Patch queries attend, per head: head 0 all on t3, head 1 half on
// t1 and t2. Max over heads, summed over the 4 patch queries: t1 2, t2 2, t3 4, t4 0 -> normalised
// 0.5, 0.5, 1, 0. `boost_t2` gives t2 value features (1, 1) in head 0 so its softmax term is
// e^2 / (e^2 + 4) and the others' 1 / (e^2 + 4); otherwise every token gets 1/5.
BlockState pomt_block(bool boost_t2) {
    BlockState s;
    s.block = 3;
    s.depth = 4;
    s.x = indexed_tokens(5);
    s.attention = torch::full({1, 2, 5, 5}, 0.2f);
    for (int q = 1; q < 5; ++q) {
        s.attention[0][0][q] = tensor_of({0, 0, 0, 1, 0});
        s.attention[0][1][q] = tensor_of({0, 0.5, 0.5, 0, 0});
    }
    s.values = torch::zeros({1, 2, 5, 2});
    if (boost_t2) s.values[0][0][2] = tensor_of({1, 1});
    return s;
}

// ToMe fixture: 6 tokens with 2-d unit keys at angles t0 0°, t1 90°, t2 10°, t3 45°, t4 170°, t5 180°.
// A = {t0, t2, t4}, B = {t1, t3, t5}. Best partners: t2 -> t3 (cos 35°), t4 -> t5 (cos 10°); CLS never.
BlockState tome_block(const Values& sizes) {
    BlockState s;
    s.block = 0;
    s.depth = 1;
    const double degrees[] = {0, 90, 10, 45, 170, 180};
    s.keys = torch::zeros({1, 1, 6, 2});
    for (int t = 0; t < 6; ++t) {
        const double a = degrees[t] * M_PI / 180.0;
        s.keys[0][0][t] = tensor_of({std::cos(a), std::sin(a)});
    }
    s.x = indexed_tokens(6).narrow(2, 1, 1).clone();  // x_t = 10 t
    if (!sizes.empty()) s.size = tensor_of(sizes).view({1, 6, 1});
    return s;
}

// A 4-token attention graph (rows = queries): CLS attends uniformly; t1 to {CLS, t1}; t2 to
// {CLS, t2}; t3 to {t2, t3}.
torch::Tensor graph4() {
    return tensor_of({0.25, 0.25, 0.25, 0.25,  //
                      0.5, 0.5, 0, 0,          //
                      0.5, 0, 0.5, 0,          //
                      0, 0, 0.5, 0.5})
        .view({1, 1, 4, 4});
}

}  // namespace

class TestPruningHandCases : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void topk_order_data();
    void topk_order();
    void pomt_scores_data();
    void pomt_scores();
    void pomt_tokens_data();
    void pomt_tokens();
    void tome_matching_data();
    void tome_matching();
    void tome_merge_data();
    void tome_merge();
    void weighted_pagerank_steps_data();
    void weighted_pagerank_steps();
    void head_filter_data();
    void head_filter();
    void zerotprune_on_graph_data();
    void zerotprune_on_graph();
    void zerotprune_iterations_by_depth();
    void random_positions();
};

void TestPruningHandCases::topk_order_data() {
    QTest::addColumn<int>("tokens_out");
    QTest::addColumn<Ids>("kept");
    QTest::newRow("one_patch_tie_to_lower_index") << 2 << Ids{0, 1};
    QTest::newRow("two_patches_original_order") << 3 << Ids{0, 1, 3};
    QTest::newRow("three_patches_second_tie") << 4 << Ids{0, 1, 2, 3};
    QTest::newRow("cls_only") << 1 << Ids{0};
}

void TestPruningHandCases::topk_order() {
    QFETCH(int, tokens_out);
    QFETCH(Ids, kept);
    BlockState s = topk_block();
    expect_close(topk_patch_scores(s.attention), {0.25, 0.1875, 0.25, 0.1875});
    make_reducer("topk", {}, 1)->reduce(s, tokens_out);
    QCOMPARE(traced_tokens(s.x)[0], kept);
}

void TestPruningHandCases::pomt_scores_data() {
    QTest::addColumn<bool>("boost_t2");
    QTest::addColumn<Values>("scores");
    const double e2 = std::exp(2.0);
    QTest::newRow("attention_only") << false << Values{0.7, 0.7, 1.2, 0.2};
    QTest::newRow("value_magnitude") << true
                                     << Values{0.5 + 1 / (e2 + 4), 0.5 + e2 / (e2 + 4), 1 + 1 / (e2 + 4), 1 / (e2 + 4)};
}

void TestPruningHandCases::pomt_scores() {
    QFETCH(bool, boost_t2);
    QFETCH(Values, scores);
    const BlockState s = pomt_block(boost_t2);
    expect_close(pomt_patch_scores(s.attention, s.values), scores);
}

void TestPruningHandCases::pomt_tokens_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("boost_t2");
    QTest::addColumn<int>("tokens_out");
    QTest::addColumn<Ids>("kept");
    QTest::addColumn<Ids>("merged");  // tokens averaged into the last one (pomt)
    // Ranking without the value boost: t3, t1, t2 (tie with t1, lower index first), t4.
    QTest::newRow("merge_three") << "pomt" << false << 3 << Ids{0, 3} << Ids{1, 2, 4};
    QTest::newRow("merge_two") << "pomt" << false << 4 << Ids{0, 1, 3} << Ids{2, 4};
    QTest::newRow("merge_all_patches") << "pomt" << false << 2 << Ids{0} << Ids{1, 2, 3, 4};
    QTest::newRow("nomerge") << "pomt_nomerge" << false << 3 << Ids{0, 1, 3} << Ids{};
    // With the value boost: t2, t3, t1, t4.
    QTest::newRow("boost_merge_three") << "pomt" << true << 3 << Ids{0, 2} << Ids{1, 3, 4};
    QTest::newRow("boost_nomerge") << "pomt_nomerge" << true << 3 << Ids{0, 2, 3} << Ids{};
}

void TestPruningHandCases::pomt_tokens() {
    QFETCH(QString, method);
    QFETCH(bool, boost_t2);
    QFETCH(int, tokens_out);
    QFETCH(Ids, kept);
    QFETCH(Ids, merged);
    BlockState s = pomt_block(boost_t2);
    make_reducer(method.toStdString(), {}, 4)->reduce(s, tokens_out);
    QCOMPARE(s.x.size(1), tokens_out);
    const auto ids = traced_tokens(s.x)[0];
    QCOMPARE(Ids(ids.begin(), ids.begin() + static_cast<long>(kept.size())), kept);
    if (!merged.empty()) {
        double mean = 0;
        for (auto t : merged) mean += double(t) / double(merged.size());
        expect_close(s.x.select(1, tokens_out - 1).squeeze(0), {mean, 10 * mean});
    }
}

void TestPruningHandCases::tome_matching_data() {
    QTest::addColumn<int>("r");
    QTest::addColumn<Ids>("source");
    QTest::addColumn<Ids>("destination");
    QTest::addColumn<Ids>("unmerged");
    QTest::newRow("r1_t4_into_t5") << 1 << Ids{2} << Ids{2} << Ids{0, 1};
    QTest::newRow("r2_then_t2_into_t3") << 2 << Ids{2, 1} << Ids{2, 1} << Ids{0};
}

void TestPruningHandCases::tome_matching() {
    QFETCH(int, r);
    QFETCH(Ids, source);
    QFETCH(Ids, destination);
    QFETCH(Ids, unmerged);
    const auto match = tome_match(tome_block({}).keys, r);
    auto list = [](const torch::Tensor& t) {
        auto c = t.contiguous();
        return Ids(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
    };
    QCOMPARE(list(match.source), source);
    QCOMPARE(list(match.destination), destination);
    QCOMPARE(list(match.unmerged), unmerged);
}

void TestPruningHandCases::tome_merge_data() {
    QTest::addColumn<Values>("sizes_in");
    QTest::addColumn<int>("tokens_out");
    QTest::addColumn<Values>("x_out");
    QTest::addColumn<Values>("sizes_out");
    // Output order [unmerged A ascending, B]: r=1 -> [t0, t2, t1, t3, t5+t4].
    QTest::newRow("r1_unit_sizes") << Values{} << 5 << Values{0, 20, 10, 30, 45} << Values{1, 1, 1, 1, 2};
    // r=2 with t2 of size 3: t3' = (30*1 + 20*3) / 4.
    QTest::newRow("r2_weighted") << Values{1, 1, 3, 1, 1, 1} << 4 << Values{0, 10, 22.5, 45} << Values{1, 1, 4, 2};
}

void TestPruningHandCases::tome_merge() {
    QFETCH(Values, sizes_in);
    QFETCH(int, tokens_out);
    QFETCH(Values, x_out);
    QFETCH(Values, sizes_out);
    BlockState s = tome_block(sizes_in);
    make_reducer("tome", {}, 1)->reduce(s, tokens_out);
    expect_close(s.x, x_out);
    expect_close(s.size, sizes_out);
}

void TestPruningHandCases::weighted_pagerank_steps_data() {
    QTest::addColumn<int>("iterations");
    QTest::addColumn<bool>("cls_boost");
    QTest::addColumn<Values>("scores");
    // s1_j = sum_i s0_i P[i, j], s0 = 1/4: column sums / 4.
    QTest::newRow("one_step") << 1 << false << Values{0.3125, 0.1875, 0.3125, 0.1875};
    QTest::newRow("two_steps") << 2 << false << Values{0.328125, 0.171875, 0.328125, 0.171875};
    // s0 = (2, 1, 1, 1) / 5: CLS sqrt(4) times heavier.
    QTest::newRow("one_step_cls_boost") << 1 << true << Values{0.3, 0.2, 0.3, 0.2};
}

void TestPruningHandCases::weighted_pagerank_steps() {
    QFETCH(int, iterations);
    QFETCH(bool, cls_boost);
    QFETCH(Values, scores);
    const auto s = weighted_pagerank(graph4(), iterations, cls_boost);
    expect_close(s, scores);
    QVERIFY(std::abs(s.sum().item<double>() - 1.0) < 1e-6);  // the mass is conserved
}

void TestPruningHandCases::head_filter_data() {
    QTest::addColumn<Values>("first");
    QTest::addColumn<Values>("second");
    QTest::addColumn<Values>("combined");
    const Values flat{0.25, 0.25, 0.25, 0.25};  // variance of 4 s: 0 (< 0.01, ignored)
    const Values useful{0.4, 0.2, 0.2, 0.2};    // 0.12 (kept)
    const Values peaked{0.7, 0.1, 0.1, 0.1};    // 1.08 (> 0.7, ignored)
    auto rms = [](const Values& a, const Values& b) {
        Values out;
        for (std::size_t i = 0; i < a.size(); ++i) out.push_back(std::sqrt((a[i] * a[i] + b[i] * b[i]) / 2));
        return out;
    };
    QTest::newRow("flat_head_ignored") << flat << useful << useful;
    QTest::newRow("peaked_head_ignored") << peaked << useful << useful;
    QTest::newRow("none_in_range_uses_all_rms") << flat << peaked << rms(flat, peaked);
    QTest::newRow("both_in_range_rms") << useful << Values{0.2, 0.4, 0.2, 0.2} << rms(useful, {0.2, 0.4, 0.2, 0.2});
}

void TestPruningHandCases::head_filter() {
    QFETCH(Values, first);
    QFETCH(Values, second);
    QFETCH(Values, combined);
    const auto heads = torch::stack({tensor_of(first), tensor_of(second)}).unsqueeze(0);
    expect_close(combine_heads(heads, 0.01, 0.7), combined);
}

void TestPruningHandCases::zerotprune_on_graph_data() {
    QTest::addColumn<double>("similarity_share");
    QTest::addColumn<int>("tokens_out");
    QTest::addColumn<Ids>("kept");
    // I only (block 1 of 4 is a middle block: 5 iterations from uniform): s tends to
    // (1/3, 1/6, 1/3, 1/6); t1 and t3 stay exactly equal, the tie goes to t1.
    QTest::newRow("importance_keep_one") << 0.0 << 2 << Ids{0, 2};
    QTest::newRow("importance_keep_two") << 0.0 << 3 << Ids{0, 1, 2};
    // I' (one step, CLS boost): t2 0.3, t1 0.2, t3 0.2 -> B = {t2, t1}, A = {t3}; S drops t3;
    // I on {CLS, t1, t2} (renormalised rows): t1 and t2 tie, t1 kept.
    QTest::newRow("similarity_then_importance") << 0.5 << 2 << Ids{0, 1};
    QTest::newRow("similarity_only") << 1.0 << 3 << Ids{0, 1, 2};
}

void TestPruningHandCases::zerotprune_on_graph() {
    QFETCH(double, similarity_share);
    QFETCH(int, tokens_out);
    QFETCH(Ids, kept);
    BlockState s;
    s.block = 1;
    s.depth = 4;
    s.x = indexed_tokens(4);
    s.attention = graph4();
    s.keys = torch::randn({1, 1, 4, 2});
    const bool boost = similarity_share > 0;
    make_reducer("zerotprune", {{"similarity_share", similarity_share}, {"cls_boost", boost ? 1 : 0}}, 4)
        ->reduce(s, tokens_out);
    QCOMPARE(traced_tokens(s.x)[0], kept);
}

void TestPruningHandCases::zerotprune_iterations_by_depth() {
    ZeroTPruneSettings s;  // 12 blocks: 3 early, 3 late
    QCOMPARE(s.iterations(0), 30);
    QCOMPARE(s.iterations(2), 30);
    QCOMPARE(s.iterations(3), 5);
    QCOMPARE(s.iterations(8), 5);
    QCOMPARE(s.iterations(9), 1);
    QCOMPARE(s.iterations(11), 1);
}

void TestPruningHandCases::random_positions() {
    const auto a = random_patch_positions(1, 3, 16, 8);
    QCOMPARE(a.size(), std::size_t(8));
    for (std::size_t i = 1; i < a.size(); ++i) QVERIFY(a[i] > a[i - 1]);
    QVERIFY(a.front() >= 0 && a.back() < 16);
    QCOMPARE(random_patch_positions(1, 3, 16, 8), a);
    QVERIFY(random_patch_positions(2, 3, 16, 8) != a);
    QVERIFY(random_patch_positions(1, 4, 16, 8) != a);
    QCOMPARE(random_patch_positions(1, 3, 16, 16).size(), std::size_t(16));
    BlockState s;
    s.block = 3;
    s.x = indexed_tokens(17);
    make_reducer("random", {{"seed", 1}}, 4)->reduce(s, 9);
    Ids expected{0};
    for (auto p : a) expected.push_back(p + 1);
    QCOMPARE(traced_tokens(s.x)[0], expected);
}

QTEST_GUILESS_MAIN(TestPruningHandCases)
#include "tst_pruning_hand_cases.moc"
