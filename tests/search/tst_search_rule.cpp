// The POMT paper's selection rule (core/search/pomt_rule.h) on a constructed deployed curve: a
// noise-free staircase (a level every 8 tokens), so where the first maximum of the utility must
// land follows from the rule's definition.
#include <QTest>

#include <cmath>

#include "core/search/pomt_rule.h"
#include "core/util/format_error.h"
#include "tests/search/search_fixtures.h"

using namespace tp;

namespace {

double staircase_ms(int n) { return 1.0 + 0.1 * std::ceil(n / 8.0); }

// The small GPU's profile with its deployed:3 curve replaced by the staircase.
const ProfileAnalysis& staircase_device() {
    static std::unique_ptr<ProfileAnalysis> built;
    if (!built) {
        Profile p = test::synthetic_profile(test::small_device_shapes()[0], test::small_vit_model(), {1, 3});
        Curve* deployed = p.find_curve(Scope{ScopeKind::Deployed, 3, {}, 0, {}});
        for (CurvePoint& point : deployed->points) {
            point.median_ms = point.mean_ms = point.min_ms = point.p10_ms = point.p90_ms = staircase_ms(point.tokens);
            point.raw_ms.clear();
        }
        built = std::make_unique<ProfileAnalysis>(std::make_shared<const Profile>(p), "");
    }
    return *built;
}

}  // namespace

class TestSearchRule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstMaximumOfTheUtility_data() {
        QTest::addColumn<double>("alpha");
        QTest::addColumn<bool>("release");
        QTest::addColumn<int>("expected");  // -1: a plateau's right edge, found by the test
        QTest::newRow("latency only: the right edge of the lowest plateau") << 1.0 << false << 8;
        QTest::newRow("accuracy only: no cut") << 0.0 << false << 50;
        QTest::newRow("the release default α = 0.5: a plateau's right edge") << 0.5 << false << -1;
        QTest::newRow("α = 0.8") << 0.8 << false << -1;
        QTest::newRow("release variant, latency only") << 1.0 << true << 8;
    }
    void firstMaximumOfTheUtility() {
        QFETCH(double, alpha);
        QFETCH(bool, release);
        QFETCH(int, expected);
        PomtRuleSettings s;
        s.alpha = alpha;
        s.release_off_by_two = release;
        const PomtRulePick pick = pomt_rule(staircase_device(), test::small_accuracy("pomt"), s);
        QVERIFY(QString::fromStdString(pick.latency_source).startsWith("deployed:3"));
        QCOMPARE(int(pick.scan.size()), 49);  // n = 50 .. 2
        double max_l = 0, max_a = 0;
        for (const auto& p : pick.scan) {
            QVERIFY(p.measured);
            QCOMPARE(p.latency_ms, staircase_ms(p.tokens));
            max_l = std::max(max_l, p.latency_ms), max_a = std::max(max_a, p.top1);
        }
        double chosen_u = -1;
        for (const auto& p : pick.scan) {
            const double u = alpha * (1 - p.latency_ms / max_l) + (1 - alpha) * p.top1 / max_a;
            QVERIFY(std::fabs(u - p.utility) < 1e-12);
            if (p.tokens == pick.chosen_tokens) chosen_u = u;
        }
        for (const auto& p : pick.scan) {
            QVERIFY(p.utility <= chosen_u);                                   // a maximum
            if (p.tokens > pick.chosen_tokens) QVERIFY(p.utility < chosen_u);  // the first, scanning n downward
        }
        if (expected > 0) QCOMPARE(pick.chosen_tokens, expected);
        else QVERIFY2(pick.chosen_tokens % 8 == 0 || pick.chosen_tokens == 50, qPrintable(QString::number(pick.chosen_tokens)));
        // n is the length after the cut block: the schedule keeps it from block 3 on
        QCOMPARE(pick.deployed_tokens, std::min(50, pick.chosen_tokens + (release ? 2 : 0)));
        const auto points = pick.schedule.pruning_points();
        if (pick.deployed_tokens < 50) {
            QCOMPARE(int(points.size()), 1);
            QCOMPARE(points[0].block, 3);
            QCOMPARE(points[0].tokens, pick.deployed_tokens);
        } else {
            QVERIFY(points.empty());
        }
        QCOMPARE(pick.schedule.method, std::string("pomt"));
        if (release) {
            QVERIFY(QString::fromStdString(pick.label).contains("off-by-two"));
            // two more tokens land on the next level up: the release's step on the wrong side
            QVERIFY(staircase_ms(pick.deployed_tokens) > staircase_ms(pick.chosen_tokens));
        }
    }

    void predictsWhereNoDeployedCurveWasMeasured() {
        PomtRuleSettings s;
        s.block = 5;  // the profile measured deployed cuts after blocks 1 and 3 only
        const ProfileAnalysis& device = test::small_device(0);
        const PomtRulePick pick = pomt_rule(device, test::small_accuracy("pomt"), s);
        QVERIFY(QString::fromStdString(pick.latency_source).startsWith("predicted"));
        for (const auto& p : pick.scan) {
            QVERIFY(!p.measured);
            const auto tokens = pick.scan.front().tokens == p.tokens
                                    ? std::vector<int>(8, 50)
                                    : tokens_from_points(8, 50, {{5, p.tokens}});
            QCOMPARE(p.latency_ms, device.predictor()->predict_ms(tokens, "pomt"));
        }
    }

    void refusesBadSettings_data() {
        QTest::addColumn<int>("block");
        QTest::addColumn<double>("alpha");
        QTest::addColumn<QString>("message");
        QTest::newRow("block past the last") << 8 << 0.5 << "block 8 is outside 0..7";
        QTest::newRow("negative block") << -1 << 0.5 << "outside 0..7";
        QTest::newRow("alpha above 1") << 3 << 1.5 << "α must lie in [0, 1]";
    }
    void refusesBadSettings() {
        QFETCH(int, block);
        QFETCH(double, alpha);
        QFETCH(QString, message);
        PomtRuleSettings s;
        s.block = block;
        s.alpha = alpha;
        try {
            pomt_rule(test::small_device(0), test::small_accuracy("pomt"), s);
            QFAIL("no error");
        } catch (const FormatError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSearchRule)
#include "tst_search_rule.moc"
