// What every method guarantees on any input: the scheduled count, CLS first, determinism,
// independence from the batch, and a clear refusal of counts it cannot realise.
#include <QtTest>

#include <set>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "pruning_fixtures.h"

using namespace tp;
using namespace tp::runtime;
using namespace tp::test;

namespace {

constexpr int kTokens = 17;

std::unique_ptr<TokenReducer> make(const QString& method) { return make_reducer(method.toStdString(), {}, 4); }

BlockState reduced(const QString& method, const BlockState& input, int tokens_out) {
    auto reducer = make(method);
    BlockState s = copy_of(input);
    reducer->reduce(s, tokens_out);
    return s;
}

bool merges(const QString& method) { return method == "tome" || method == "pomt"; }

}  // namespace

// Every method with outputs from 17 tokens down to the least it can realise.
void reductions_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("tokens_out");
    for (const auto& m : all_methods()) {
        for (int out : {16, 9, 5, 2, 1}) {
            if (out < min_tokens_after_pruning(m, kTokens)) continue;
            QTest::newRow((m + "_17_to_" + std::to_string(out)).c_str()) << QString::fromStdString(m) << out;
        }
    }
}

class TestPruningInvariants : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }
    void keeps_scheduled_count_and_cls_first_data() { reductions_data(); }
    void keeps_scheduled_count_and_cls_first();
    void deterministic_data() { reductions_data(); }
    void deterministic();
    void batch_independent_data() { reductions_data(); }
    void batch_independent();
    void impossible_counts_are_refused_data();
    void impossible_counts_are_refused();
    void equal_count_is_a_no_op_data();
    void equal_count_is_a_no_op();
    void tome_sizes_add_up_over_blocks();
    void factory_names_and_needs_data();
    void factory_names_and_needs();
    void factory_rejects_bad_input();
};

void TestPruningInvariants::keeps_scheduled_count_and_cls_first() {
    QFETCH(QString, method);
    QFETCH(int, tokens_out);
    const BlockState input = random_block(3, kTokens, 7);
    const BlockState out = reduced(method, input, tokens_out);
    QCOMPARE(out.x.sizes().vec(), (std::vector<int64_t>{3, tokens_out, input.x.size(2)}));
    QVERIFY(torch::equal(out.x.select(1, 0), input.x.select(1, 0)));
    const auto traced = traced_tokens(out.x);
    for (const auto& tokens : traced) {
        // Plain selections keep distinct tokens in their original order; merging methods add
        // averaged tokens whose first feature is no longer an index, so check what stays plain.
        const std::size_t plain = method == "pomt" ? tokens.size() - 1 : method == "tome" ? 1 : tokens.size();
        for (std::size_t i = 1; i < plain; ++i) QVERIFY2(tokens[i] > tokens[i - 1], "kept tokens out of order");
    }
    if (method == "tome") {
        QCOMPARE(out.size.sizes().vec(), (std::vector<int64_t>{3, tokens_out, 1}));
        QVERIFY(torch::allclose(out.size.sum({1, 2}), torch::full({3}, double(kTokens))));
    }
}

void TestPruningInvariants::deterministic() {
    QFETCH(QString, method);
    QFETCH(int, tokens_out);
    const BlockState input = random_block(2, kTokens, 11);
    QVERIFY(torch::equal(reduced(method, input, tokens_out).x, reduced(method, input, tokens_out).x));
    // The same reducer used twice (cached state, e.g. random's positions) gives the same result too.
    auto reducer = make(method);
    BlockState a = copy_of(input), b = copy_of(input);
    reducer->reduce(a, tokens_out);
    reducer->reduce(b, tokens_out);
    QVERIFY(torch::equal(a.x, b.x));
}

void TestPruningInvariants::batch_independent() {
    QFETCH(QString, method);
    QFETCH(int, tokens_out);
    const BlockState batch = random_block(4, kTokens, 23);
    const BlockState together = reduced(method, batch, tokens_out);
    for (int64_t b = 0; b < 4; ++b) {
        const BlockState alone = reduced(method, sample_of(batch, b), tokens_out);
        QVERIFY2(torch::allclose(alone.x, together.x.narrow(0, b, 1), 1e-5, 1e-6),
                 qPrintable(QString("sample %1 differs when reduced alone").arg(b)));
        if (!merges(method)) QCOMPARE(traced_tokens(alone.x)[0], traced_tokens(together.x)[static_cast<std::size_t>(b)]);
    }
}

void TestPruningInvariants::impossible_counts_are_refused_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("tokens_out");
    QTest::addColumn<QString>("error");
    QTest::newRow("tome_more_than_half") << "tome" << 8 << "block 1: tome cannot reduce 17 tokens to 8 (it needs 9..17)";
    QTest::newRow("pomt_no_room_for_merged") << "pomt" << 1 << "block 1: pomt cannot reduce 17 tokens to 1 (it needs 2..17)";
    QTest::newRow("topk_grows") << "topk" << 18 << "block 1: topk cannot reduce 17 tokens to 18";
    QTest::newRow("random_nothing_left") << "random" << 0 << "block 1: random cannot reduce 17 tokens to 0";
    QTest::newRow("zerotprune_nothing_left") << "zerotprune" << 0 << "zerotprune cannot reduce 17 tokens to 0";
}

void TestPruningInvariants::impossible_counts_are_refused() {
    QFETCH(QString, method);
    QFETCH(int, tokens_out);
    QFETCH(QString, error);
    BlockState s = random_block(1, kTokens, 3);
    const auto before = s.x.clone();
    try {
        make(method)->reduce(s, tokens_out);
        QFAIL("accepted");
    } catch (const FormatError& e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(error), e.what());
    }
    QVERIFY(torch::equal(s.x, before));  // nothing lost
}

void TestPruningInvariants::equal_count_is_a_no_op_data() {
    QTest::addColumn<QString>("method");
    for (const auto& m : all_methods()) QTest::newRow(m.c_str()) << QString::fromStdString(m);
}

void TestPruningInvariants::equal_count_is_a_no_op() {
    QFETCH(QString, method);
    const BlockState input = random_block(2, kTokens, 5);
    QVERIFY(torch::equal(reduced(method, input, kTokens).x, input.x));
}

void TestPruningInvariants::tome_sizes_add_up_over_blocks() {
    auto tome = make("tome");
    QVERIFY(tome->proportional_attention());
    BlockState s = random_block(2, kTokens, 9);
    tome->reduce(s, 12);
    BlockState next = random_block(2, 12, 10);  // the next block's attention, keys, values
    next.x = s.x;
    next.size = s.size;
    tome->reduce(next, 8);
    QCOMPARE(next.x.size(1), 8);
    QVERIFY(torch::allclose(next.size.sum({1, 2}), torch::full({2}, double(kTokens))));
    QVERIFY(next.size.max().item<double>() > 1.0);
    QVERIFY(!make_reducer("tome", {{"proportional_attention", 0}}, 4)->proportional_attention());
}

void TestPruningInvariants::factory_names_and_needs_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("attention");
    QTest::addColumn<bool>("keys");
    QTest::addColumn<bool>("values");
    QTest::newRow("random") << "random" << false << false << false;
    QTest::newRow("topk") << "topk" << true << false << false;
    QTest::newRow("pomt") << "pomt" << true << false << true;
    QTest::newRow("pomt_nomerge") << "pomt_nomerge" << true << false << true;
    QTest::newRow("tome") << "tome" << false << true << false;
    QTest::newRow("zerotprune") << "zerotprune" << true << true << false;
}

void TestPruningInvariants::factory_names_and_needs() {
    QFETCH(QString, method);
    QFETCH(bool, attention);
    QFETCH(bool, keys);
    QFETCH(bool, values);
    auto reducer = make(method);
    QVERIFY(reducer);
    QCOMPARE(QString::fromStdString(reducer->name()), method);
    const BlockNeeds needs = reducer->needs(2);
    QCOMPARE(needs.attention, attention);
    QCOMPARE(needs.keys, keys);
    QCOMPARE(needs.values, values);
}

void TestPruningInvariants::factory_rejects_bad_input() {
    QVERIFY(make_reducer("none", {}, 12) == nullptr);
    QVERIFY_THROWS_EXCEPTION(FormatError, make_reducer("evit", {}, 12));
    QVERIFY_THROWS_EXCEPTION(FormatError, make_reducer("topk", {{"r", 4}}, 12));
    QVERIFY_THROWS_EXCEPTION(FormatError, make_reducer("random", {{"seed", -3}}, 12));
}

QTEST_GUILESS_MAIN(TestPruningInvariants)
#include "tst_pruning_invariants.moc"
