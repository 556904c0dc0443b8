// What each method can realise and which parameters it takes, checked without LibTorch.
#include <QtTest>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"

using namespace tp;

Q_DECLARE_METATYPE(std::vector<int>)

class TestPruningRules : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void schedule_tokens_data();
    void schedule_tokens();
    void parameters_data();
    void parameters();
    void defaults_fill_missing_parameters();
    void tome_schedule_data();
    void tome_schedule();
    void whole_schedule_is_checked();
};

void TestPruningRules::schedule_tokens_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("input");
    QTest::addColumn<std::vector<int>>("tokens");
    QTest::addColumn<QString>("error");  // empty: valid

    QTest::newRow("pomt_keeps_cls_and_merged") << "pomt" << 17 << std::vector<int>{17, 2, 2} << "";
    QTest::newRow("pomt_cls_only") << "pomt" << 17 << std::vector<int>{17, 1, 1}
                                   << "/tokens_after_block/1: block 1 keeps 1 token(s); POMT keeps CLS and one merged token, so at least 2 must remain";
    QTest::newRow("pomt_second_point") << "pomt" << 17 << std::vector<int>{10, 10, 1}
                                       << "/tokens_after_block/2: block 2 keeps 1 token(s)";
    QTest::newRow("pomt_nomerge_cls_only") << "pomt_nomerge" << 17 << std::vector<int>{17, 1, 1} << "";
    QTest::newRow("topk_cls_only") << "topk" << 17 << std::vector<int>{1, 1, 1} << "";
    QTest::newRow("random_every_block") << "random" << 17 << std::vector<int>{16, 15, 14} << "";
    QTest::newRow("zerotprune_two_points") << "zerotprune" << 65 << std::vector<int>{65, 40, 40, 20} << "";
    QTest::newRow("tome_half_of_odd") << "tome" << 17 << std::vector<int>{9, 5, 3} << "";
    QTest::newRow("tome_more_than_half")
        << "tome" << 17 << std::vector<int>{17, 8, 8}
        << "/tokens_after_block/1: block 1 removes 9 of 17 tokens; ToMe merges at most half of the 16 non-CLS tokens (8) in one block, so keep at least 9";
    QTest::newRow("tome_more_than_half_even") << "tome" << 16 << std::vector<int>{8}
                                              << "block 0 removes 8 of 16 tokens; ToMe merges at most half of the 15 non-CLS tokens (7)";
    QTest::newRow("tome_two_tokens") << "tome" << 2 << std::vector<int>{1}
                                     << "block 0 removes 1 of 2 tokens; ToMe merges at most half of the 1 non-CLS tokens (0)";
    QTest::newRow("none_unpruned") << "none" << 17 << std::vector<int>{17, 17} << "";
    QTest::newRow("none_prunes") << "none" << 17 << std::vector<int>{17, 12}
                                 << "/tokens_after_block/1: block 1 prunes 17 -> 12 tokens, but method 'none' cannot prune";
    QTest::newRow("unknown_method") << "dynamicvit" << 17 << std::vector<int>{17} << "/method: unknown method 'dynamicvit'";
}

void TestPruningRules::schedule_tokens() {
    QFETCH(QString, method);
    QFETCH(int, input);
    QFETCH(std::vector<int>, tokens);
    QFETCH(QString, error);
    try {
        validate_method_tokens(method.toStdString(), input, tokens);
        QVERIFY2(error.isEmpty(), qPrintable("accepted, expected: " + error));
    } catch (const FormatError& e) {
        QVERIFY2(!error.isEmpty(), e.what());
        QVERIFY2(QString::fromStdString(e.what()).contains(error), e.what());
    }
}

void TestPruningRules::parameters_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("error");

    QTest::newRow("random_seed") << "random" << "seed" << 42.0 << "";
    QTest::newRow("random_seed_negative") << "random" << "seed" << -1.0 << "/parameters/seed: seed = -1 is outside 0..2147483647";
    QTest::newRow("random_seed_fraction") << "random" << "seed" << 1.5 << "/parameters/seed: seed = 1.5 must be a whole number";
    QTest::newRow("topk_takes_none") << "topk" << "alpha" << 0.5 << "/parameters/alpha: method topk has no parameter 'alpha' (it takes none)";
    QTest::newRow("tome_unknown") << "tome" << "r" << 8.0 << "method tome has no parameter 'r' (it takes proportional_attention)";
    QTest::newRow("tome_flag_range") << "tome" << "proportional_attention" << 2.0 << "outside 0..1";
    QTest::newRow("zerotprune_iterations") << "zerotprune" << "iterations_early" << 0.0 << "/parameters/iterations_early: iterations_early = 0 is outside 1..200";
    QTest::newRow("zerotprune_variance_order") << "zerotprune" << "variance_min" << 0.9 << "variance_min 0.9 exceeds variance_max 0.7";
    QTest::newRow("zerotprune_fractions") << "zerotprune" << "early_fraction" << 0.8 << "early_fraction + late_fraction must not exceed 1";
    QTest::newRow("pomt_alpha_recorded") << "pomt" << "alpha" << 0.5 << "";
    QTest::newRow("pomt_alpha_range") << "pomt" << "alpha" << 1.5 << "/parameters/alpha: alpha = 1.5 is outside 0..1";
    QTest::newRow("zerotprune_share") << "zerotprune" << "similarity_share" << 0.25 << "";
    QTest::newRow("not_finite") << "zerotprune" << "similarity_share" << std::nan("") << "similarity_share = ";
}

void TestPruningRules::parameters() {
    QFETCH(QString, method);
    QFETCH(QString, name);
    QFETCH(double, value);
    QFETCH(QString, error);
    try {
        auto resolved = resolve_method_parameters(method.toStdString(), {{name.toStdString(), value}});
        QVERIFY2(error.isEmpty(), qPrintable("accepted, expected: " + error));
        QCOMPARE(resolved.at(name.toStdString()), value);
    } catch (const FormatError& e) {
        QVERIFY2(!error.isEmpty(), e.what());
        QVERIFY2(QString::fromStdString(e.what()).contains(error), e.what());
    }
}

void TestPruningRules::defaults_fill_missing_parameters() {
    const auto p = resolve_method_parameters("zerotprune", {{"iterations_middle", 8}});
    QCOMPARE(p.size(), method_parameters("zerotprune").size());
    QCOMPARE(p.at("iterations_middle"), 8.0);
    QCOMPARE(p.at("iterations_early"), 30.0);
    QCOMPARE(p.at("variance_min"), 0.01);
    QCOMPARE(p.at("variance_max"), 0.7);
    QVERIFY(resolve_method_parameters("topk", {}).empty());
}

void TestPruningRules::tome_schedule_data() {
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("r");
    QTest::addColumn<double>("inflection");
    QTest::addColumn<std::vector<int>>("expected");

    QTest::newRow("constant") << 3 << 65 << 8 << 0.0 << std::vector<int>{57, 49, 41};
    QTest::newRow("constant_capped_at_half") << 4 << 17 << 4 << 0.0 << std::vector<int>{13, 9, 5, 3};
    // parse_r((3, -0.5)) = [12, 8, 4]
    QTest::newRow("decreasing") << 3 << 65 << 8 << -0.5 << std::vector<int>{53, 45, 41};
    QTest::newRow("zero") << 2 << 17 << 0 << 0.0 << std::vector<int>{17, 17};
}

void TestPruningRules::tome_schedule() {
    QFETCH(int, depth);
    QFETCH(int, input);
    QFETCH(int, r);
    QFETCH(double, inflection);
    QFETCH(std::vector<int>, expected);
    const auto tokens = tome_tokens_after_block(depth, input, r, inflection);
    QCOMPARE(tokens, expected);
    validate_method_tokens("tome", input, tokens);  // what it generates always validates
}

void TestPruningRules::whole_schedule_is_checked() {
    ModelInfo model;
    model.depth = 3;
    model.tokens = 17;
    Schedule s = unpruned_schedule(model);
    s.method = "tome";
    s.tokens_after_block = {17, 8, 8};
    QVERIFY_THROWS_EXCEPTION(FormatError, validate_for_method(s));
    s.tokens_after_block = {17, 9, 9};
    validate_for_method(s);
    s.parameters["r"] = 8;
    try {
        validate_for_method(s);
        QFAIL("unknown parameter accepted");
    } catch (const FormatError& e) {
        QCOMPARE(QString::fromStdString(e.where()), QString("/parameters/r"));
    }
    s.parameters.clear();
    s.tokens_after_block = {17, 18, 9};  // the generic rules still apply first
    QVERIFY_THROWS_EXCEPTION(FormatError, validate_for_method(s));
}

QTEST_GUILESS_MAIN(TestPruningRules)
#include "tst_pruning_rules.moc"
