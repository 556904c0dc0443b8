// Sweep planning: token lists, shuffled chunked rounds, resume, coarse-then-dense.
#include <QtTest>

#include <map>
#include <set>

#include "core/agent/sweep_plan.h"
#include "core/agent/token_spec.h"
#include "core/util/format_error.h"

using namespace tp::agent;

namespace {
tp::Curve curve_of(const std::vector<std::pair<int, double>>& points, double rel_noise = 0.001) {
    tp::Curve c;
    c.name = "model";
    for (auto [n, ms] : points) {
        tp::CurvePoint p;
        p.tokens = n;
        p.median_ms = p.p10_ms = p.p90_ms = p.mean_ms = p.min_ms = ms;
        p.rel_noise = rel_noise;
        c.points.push_back(p);
    }
    return c;
}
}  // namespace

class TestAgentSweep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tokenSpec_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QVector<int>>("expected");
        QTest::newRow("single") << "5" << QVector<int>{5};
        QTest::newRow("range") << "3..6" << QVector<int>{3, 4, 5, 6};
        QTest::newRow("stride keeps the end") << "1..10:4" << QVector<int>{1, 5, 9, 10};
        QTest::newRow("list, unsorted, duplicates") << "9, 2,2..3" << QVector<int>{2, 3, 9};
        QTest::newRow("all") << "all" << QVector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    }
    void tokenSpec() {
        QFETCH(QString, text);
        QFETCH(QVector<int>, expected);
        QCOMPARE(parse_token_spec(text.toStdString(), 10), std::vector<int>(expected.begin(), expected.end()));
    }

    void badTokenSpec_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero") << "0..5" << "leaves 1..10";
        QTest::newRow("too many") << "11" << "outside 1..10";
        QTest::newRow("backwards") << "5..3" << "runs backwards";
        QTest::newRow("letters") << "1..x" << "'x' is not a token count";
        QTest::newRow("zero stride") << "1..5:0" << "stride must be at least 1";
        QTest::newRow("empty item") << "1,,2" << "empty item";
        QTest::newRow("empty") << "" << "empty item";
        QTest::newRow("negative") << "-3" << "not a token count";
    }
    void badTokenSpec() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            parse_token_spec(text.toStdString(), 10);
            QFAIL("accepted a bad token spec");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void planVisitsEveryPointEveryRound_data() {
        QTest::addColumn<int>("rounds");
        QTest::addColumn<int>("chunk");
        QTest::addColumn<bool>("shuffle");
        QTest::newRow("3 rounds, chunks of 4") << 3 << 4 << true;
        QTest::newRow("1 round") << 1 << 16 << true;
        QTest::newRow("one chunk") << 2 << 0 << true;
        QTest::newRow("ascending") << 2 << 5 << false;
    }
    void planVisitsEveryPointEveryRound() {
        QFETCH(int, rounds);
        QFETCH(int, chunk);
        QFETCH(bool, shuffle);
        std::vector<std::vector<int>> tokens{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {3, 7}};
        auto visits = plan_sweep(tokens, {rounds, chunk, 42, shuffle});
        QCOMPARE(visits.size(), std::size_t(12 * rounds));
        std::map<std::pair<int, int>, std::set<int>> seen;
        std::map<std::pair<int, int>, int> last_round;
        for (const Visit& v : visits) {
            auto key = std::make_pair(v.curve, v.tokens);
            QVERIFY2(seen[key].insert(v.round).second, "a point visited twice in one round");
            if (last_round.count(key)) QVERIFY(v.round == last_round[key] + 1);  // rounds in order
            last_round[key] = v.round;
        }
        QCOMPARE(seen.size(), std::size_t(12));
        for (auto& [key, r] : seen) QCOMPARE(int(r.size()), rounds);
        if (!shuffle) {
            QCOMPARE(visits[0].tokens, 1);
            QCOMPARE(visits[1].tokens, 2);
        }
    }

    void chunksFinishBeforeTheNextStarts() {
        std::vector<std::vector<int>> tokens{{1, 2, 3, 4, 5, 6, 7, 8}};
        auto visits = plan_sweep(tokens, {3, 4, 1, true});
        std::set<int> first_chunk;
        for (int i = 0; i < 4; ++i) first_chunk.insert(visits[i].tokens);
        for (int i = 0; i < 12; ++i) QVERIFY(first_chunk.count(visits[i].tokens));  // 4 points x 3 rounds
        for (int i = 12; i < 24; ++i) QVERIFY(!first_chunk.count(visits[i].tokens));
    }

    void shuffleDependsOnSeedOnly() {
        std::vector<std::vector<int>> tokens{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
        auto a = plan_sweep(tokens, {3, 0, 9, true});
        auto b = plan_sweep(tokens, {3, 0, 9, true});
        auto c = plan_sweep(tokens, {3, 0, 10, true});
        QVERIFY(a == b);
        QVERIFY(a != c);
        std::vector<int> r0, r1;
        for (const Visit& v : a) (v.round == 0 ? r0 : r1).push_back(v.tokens);
        QVERIFY(!std::is_sorted(r0.begin(), r0.end()));
        QVERIFY(std::vector<int>(r1.begin(), r1.begin() + 12) != r0);  // each round its own order
    }

    void resumeSkipsFinishedPoints() {
        tp::Curve done = curve_of({{2, 1.0}, {5, 1.0}});
        QCOMPARE(tokens_still_needed({1, 2, 3, 4, 5}, &done), (std::vector<int>{1, 3, 4}));
        QCOMPARE(tokens_still_needed({1, 2}, nullptr), (std::vector<int>{1, 2}));
    }

    void denseNearEdges_data() {
        QTest::addColumn<QVector<double>>("levels");  // medians at tokens 1, 9, 17, ...
        QTest::addColumn<QVector<int>>("intervals");  // indices of intervals to fill
        QTest::newRow("one step") << QVector<double>{1.0, 1.01, 1.02, 1.5, 1.51, 1.52} << QVector<int>{2};
        QTest::newRow("two steps") << QVector<double>{1.0, 1.0, 1.3, 1.3, 1.3, 1.7, 1.7} << QVector<int>{1, 4};
        QTest::newRow("straight line") << QVector<double>{1.0, 1.1, 1.2, 1.3, 1.4, 1.5} << QVector<int>{};
        QTest::newRow("flat") << QVector<double>{1.0, 1.0, 1.0, 1.0} << QVector<int>{};
    }
    void denseNearEdges() {
        QFETCH(QVector<double>, levels);
        QFETCH(QVector<int>, intervals);
        std::vector<std::pair<int, double>> pts;
        for (int i = 0; i < levels.size(); ++i) pts.push_back({1 + 8 * i, levels[i]});
        std::vector<int> expected;
        for (int i : intervals)
            for (int n = 1 + 8 * i + 1; n < 1 + 8 * (i + 1); ++n) expected.push_back(n);
        QCOMPARE(dense_tokens_near_edges(curve_of(pts)), expected);
    }

    void noisyJumpIsNotAnEdge() {
        // A 2% wobble inside a 5% interval is noise.
        tp::Curve c = curve_of({{1, 1.0}, {9, 1.0}, {17, 1.02}, {25, 1.0}, {33, 1.0}}, 0.05);
        QVERIFY(dense_tokens_near_edges(c).empty());
    }
};

QTEST_APPLESS_MAIN(TestAgentSweep)
#include "tst_agent_sweep.moc"
