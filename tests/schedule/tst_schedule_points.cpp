// The rules a pruning point obeys while it is moved, added or removed (core/model/method_rules.h):
// distinct blocks, strictly falling token counts, drops the method can realise.
#include <QTest>
#include <algorithm>

#include "core/model/method_rules.h"
#include "tests/model_fixtures.h"

using namespace tp;

Q_DECLARE_METATYPE(std::vector<PruningPoint>)

namespace {
Schedule schedule_of(const std::vector<PruningPoint>& points, const std::string& method) {
    Schedule s = unpruned_schedule(test::deit_small_model());  // 12 blocks, 197 tokens
    s.method = method;
    s.tokens_after_block = tokens_from_points(s.depth(), s.input_tokens(), points);
    return s;
}
}  // namespace

class TestSchedulePoints : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void boundsKeepNeighboursAndMethod_data() {
        QTest::addColumn<std::vector<PruningPoint>>("points");
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QList<int>>("expected");  // min_block, max_block, min_tokens, max_tokens
        const std::vector<PruningPoint> two{{3, 150}, {7, 100}};
        QTest::newRow("first of two: up to the input, down to one above the next") << two << 0 << "topk" << QList<int>{0, 6, 101, 196};
        QTest::newRow("second of two: after the first, below it, CLS kept") << two << 1 << "topk" << QList<int>{4, 11, 1, 149};
        QTest::newRow("pomt keeps CLS and the merged token") << std::vector<PruningPoint>{{3, 150}} << 0 << "pomt" << QList<int>{0, 11, 2, 196};
        QTest::newRow("tome merges at most half of 196 in one block") << std::vector<PruningPoint>{{3, 150}} << 0 << "tome" << QList<int>{0, 11, 99, 196};
        // From 150, ToMe merges at most 74 of the 149 non-CLS tokens: 76 is as low as the second goes.
        QTest::newRow("tome: the second drop stays realisable") << two << 1 << "tome" << QList<int>{4, 11, 76, 149};
    }
    void boundsKeepNeighboursAndMethod() {
        QFETCH(std::vector<PruningPoint>, points);
        QFETCH(int, index);
        QFETCH(QString, method);
        QFETCH(QList<int>, expected);
        const PointBounds b = bounds_for_point(points, index, 12, 197, method.toStdString());
        QCOMPARE((QList<int>{b.min_block, b.max_block, b.min_tokens, b.max_tokens}), expected);
        // Clamping a point far outside lands on the bounds' corner.
        const PruningPoint low = clamp_point(points, index, {-5, -5}, 12, 197, method.toStdString());
        QCOMPARE(low.block, b.min_block);
        QCOMPARE(low.tokens, b.min_tokens);
        const PruningPoint high = clamp_point(points, index, {99, 999}, 12, 197, method.toStdString());
        QCOMPARE(high.block, b.max_block);
        QCOMPARE(high.tokens, b.max_tokens);
    }

    void suggestedPointValidates_data() {
        QTest::addColumn<std::vector<PruningPoint>>("points");
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("tokens");
        QTest::newRow("unpruned: block 3, a little over half") << std::vector<PruningPoint>{} << "topk" << 3 << 100;
        QTest::newRow("after the last point, halfway to the end") << std::vector<PruningPoint>{{3, 100}} << "topk" << 7 << 51;
        QTest::newRow("tome: no more than half in one block") << std::vector<PruningPoint>{{3, 120}} << "tome" << 7 << 61;
        QTest::newRow("last block taken: in front of the first") << std::vector<PruningPoint>{{4, 150}, {11, 20}} << "topk" << 2 << 174;
    }
    void suggestedPointValidates() {
        QFETCH(std::vector<PruningPoint>, points);
        QFETCH(QString, method);
        QFETCH(int, block);
        QFETCH(int, tokens);
        const Schedule s = schedule_of(points, method.toStdString());
        const auto p = suggest_new_point(s);
        QVERIFY(p);
        QCOMPARE(p->block, block);
        QCOMPARE(p->tokens, tokens);
        auto with = s.pruning_points();
        with.push_back(*p);
        std::sort(with.begin(), with.end(), [](const PruningPoint& a, const PruningPoint& b) { return a.block < b.block; });
        Schedule after = s;
        after.tokens_after_block = tokens_from_points(s.depth(), s.input_tokens(), with);
        validate_for_method(after);  // throws (and fails the test) when the method cannot realise it
    }

    void removingAPointMergesItsDrop() {
        const Schedule s = schedule_of({{3, 150}, {7, 100}}, "topk");
        const std::vector<int> tokens = tokens_without_point(s, 0);
        QCOMPARE(tokens[6], 197);
        QCOMPARE(tokens[7], 100);
        const std::vector<int> moved = tokens_with_point(s, 1, {8, 90});
        QCOMPARE(moved[7], 150);
        QCOMPARE(moved[8], 90);
    }
};

QTEST_GUILESS_MAIN(TestSchedulePoints)
#include "tst_schedule_points.moc"
