// Seeded class-stratified subsets and the training/holdout split.
#include <map>
#include <set>

#include <QtTest>

#include "core/data/subsets.h"

using namespace tp::data;

namespace {

std::vector<int> skewed_labels() {  // 600 of class 0, 300 of class 1, 100 of class 2, interleaved
    std::vector<int> labels;
    for (int i = 0; i < 1000; ++i) labels.push_back(i % 10 < 6 ? 0 : (i % 10 < 9 ? 1 : 2));
    return labels;
}

}  // namespace

class TstRuntimeSubsets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keeps_class_proportions_data() {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("class0");
        QTest::addColumn<int>("class1");
        QTest::addColumn<int>("class2");
        QTest::newRow("100") << 100 << 60 << 30 << 10;
        QTest::newRow("7 (largest remainder)") << 7 << 4 << 2 << 1;  // 4.2, 2.1, 0.7
        QTest::newRow("all") << 1000 << 600 << 300 << 100;
        QTest::newRow("more than all") << 5000 << 600 << 300 << 100;
    }
    void keeps_class_proportions() {
        QFETCH(int, count);
        QFETCH(int, class0);
        QFETCH(int, class1);
        QFETCH(int, class2);
        const auto labels = skewed_labels();
        const auto subset = tp::data::stratified_subset(labels, static_cast<size_t>(count), 3);
        std::map<int, int> per_class;
        for (auto i : subset) ++per_class[labels[i]];
        QCOMPARE(per_class[0], class0);
        QCOMPARE(per_class[1], class1);
        QCOMPARE(per_class[2], class2);
        QVERIFY(std::is_sorted(subset.begin(), subset.end()));
        QCOMPARE(std::set<size_t>(subset.begin(), subset.end()).size(), subset.size());
    }

    void same_seed_same_subset_other_seed_other_subset() {
        const auto labels = skewed_labels();
        QCOMPARE(tp::data::stratified_subset(labels, 50, 7), tp::data::stratified_subset(labels, 50, 7));
        QVERIFY(tp::data::stratified_subset(labels, 50, 7) != tp::data::stratified_subset(labels, 50, 8));
    }

    // Pinned values: the draw must not change across platforms or releases (the shipped model's
    // holdout depends on it).
    void draws_are_pinned() {
        QCOMPARE(tp::data::seeded_permutation(10, 42), std::vector<size_t>({1, 7, 9, 0, 3, 8, 4, 2, 5, 6}));
        std::vector<int> labels;
        for (int i = 0; i < 20; ++i) labels.push_back(i % 4);
        QCOMPARE(tp::data::stratified_subset(labels, 6, 1), std::vector<size_t>({3, 4, 5, 6, 8, 13}));
    }

    void holdout_is_disjoint_and_complete() {
        const auto labels = skewed_labels();
        const auto split = tp::data::split_holdout(labels, 200, 0);
        QCOMPARE(split.holdout.size(), size_t(200));
        QCOMPARE(split.train.size(), size_t(800));
        std::set<size_t> all(split.train.begin(), split.train.end());
        for (auto i : split.holdout) QVERIFY(all.insert(i).second);
        QCOMPARE(all.size(), labels.size());
        int class2 = 0;
        for (auto i : split.holdout) class2 += labels[i] == 2;
        QCOMPARE(class2, 20);
    }
};

QTEST_GUILESS_MAIN(TstRuntimeSubsets)
#include "tst_formats_subsets.moc"
