// The schedule search (core/search) against brute force: every schedule of 1..3 cuts on the same
// candidates, predicted through the public predictors (LatencyPredictor::predict_ms,
// AccuracyModel::predict_top1), its front found by comparing every pair. Enumeration and dynamic
// programming must both return exactly that front; the objectives must pick what brute force picks.
#include <QTest>

#include <cmath>

#include "core/model/method_rules.h"
#include "core/search/schedule_search.h"
#include "core/search/search_entry.h"
#include "core/search/search_objective.h"
#include "core/search/search_space.h"
#include "tests/search/search_fixtures.h"

using namespace tp;

Q_DECLARE_METATYPE(std::vector<int>)
Q_DECLARE_METATYPE(std::vector<std::string>)

namespace {

struct Point {
    double latency, top1;
    std::string name;
};

std::vector<const ProfileAnalysis*> devices_of(const std::vector<int>& indices) {
    std::vector<const ProfileAnalysis*> out;
    for (int i : indices) out.push_back(&test::small_device(i));
    return out;
}

double latency_of(const std::vector<const ProfileAnalysis*>& devices, const std::vector<int>& tokens,
                  const std::string& method, int device) {
    double worst = -1;
    for (std::size_t d = 0; d < devices.size(); ++d) {
        if (device >= 0 && int(d) != device) continue;
        const LatencyPredictor& p = *devices[d]->predictor();
        worst = std::max(worst, 100.0 * p.predict_ms(tokens, method) / p.unpruned_ms());
    }
    return worst;
}

// Every schedule the search may propose, evaluated directly.
std::vector<Point> brute_force(const std::vector<const ProfileAnalysis*>& devices, const std::vector<std::string>& methods,
                               int max_points, int device, const std::string& rule = "additive") {
    const SearchSpace space = build_search_space(devices);
    const ModelInfo& model = devices.front()->profile().model;
    std::vector<Point> out;
    for (const auto& method : methods) {
        std::vector<std::vector<PruningPoint>> partial{{}};
        for (int k = 1; k <= max_points; ++k) {
            std::vector<std::vector<PruningPoint>> longer;
            for (const auto& cuts : partial) {
                const int first_block = cuts.empty() ? 0 : cuts.back().block + 1;
                const int tokens_in = cuts.empty() ? model.tokens : cuts.back().tokens;
                for (int b = first_block; b < model.depth; ++b)
                    for (const auto& c : space.per_block[std::size_t(b)]) {
                        if (c.tokens >= tokens_in || c.tokens < min_tokens_after_pruning(method, tokens_in)) continue;
                        auto more = cuts;
                        more.push_back({b, c.tokens});
                        longer.push_back(more);
                        const auto tokens = tokens_from_points(model.depth, model.tokens, more);
                        validate_method_tokens(method, model.tokens, tokens);  // throws if the search space were wrong
                        out.push_back({latency_of(devices, tokens, method, device),
                                       test::small_accuracy(method, rule).predict_top1(tokens), method});
                    }
            }
            partial = longer;
        }
    }
    return out;
}

// The front by pairwise comparison, with the unpruned model as a reference that beats what it dominates.
std::vector<Point> naive_front(const std::vector<Point>& all, const Point& reference) {
    auto beats = [](const Point& a, const Point& b) {
        return (a.latency <= b.latency && a.top1 > b.top1) || (a.latency < b.latency && a.top1 >= b.top1);
    };
    std::vector<Point> front;
    for (const Point& p : all) {
        bool beaten = beats(reference, p) || (reference.latency == p.latency && reference.top1 == p.top1);
        for (const Point& q : all)
            if (beats(q, p)) { beaten = true; break; }
        if (beaten) continue;
        bool duplicate = false;
        for (const Point& f : front) duplicate = duplicate || (f.latency == p.latency && f.top1 == p.top1);
        if (!duplicate) front.push_back(p);
    }
    std::sort(front.begin(), front.end(), [](const Point& a, const Point& b) { return a.latency < b.latency; });
    return front;
}

bool close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

}  // namespace

class TestSearchFront : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findsTheExactFront_data() {
        QTest::addColumn<std::vector<int>>("devices");
        QTest::addColumn<std::vector<std::string>>("methods");
        QTest::addColumn<int>("maxPoints");
        QTest::addColumn<int>("device");       // -1: worst case
        QTest::addColumn<bool>("enumerate");   // false: dynamic programming
        QTest::addColumn<QString>("rule");     // the accuracy model's thinning (search_fixtures.h thinning_rule)
        const std::vector<std::string> three{"pomt", "topk", "tome"};
        const std::vector<std::string> pomt{"pomt"};
        const QString additive = "additive";
        QTest::newRow("one GPU, pomt, one cut, enumeration") << std::vector<int>{0} << pomt << 1 << -1 << true << additive;
        QTest::newRow("one GPU, pomt, three cuts, enumeration") << std::vector<int>{0} << pomt << 3 << -1 << true << additive;
        QTest::newRow("one GPU, pomt, three cuts, DP") << std::vector<int>{0} << pomt << 3 << -1 << false << additive;
        QTest::newRow("CPU residues, three methods, DP") << std::vector<int>{2} << three << 3 << -1 << false << additive;
        QTest::newRow("three devices, worst case, enumeration") << std::vector<int>{0, 1, 2} << three << 3 << -1 << true << additive;
        QTest::newRow("three devices, worst case, DP") << std::vector<int>{0, 1, 2} << three << 3 << -1 << false << additive;
        QTest::newRow("three devices, the CPU named, DP") << std::vector<int>{0, 1, 2} << three << 2 << 2 << false << additive;
        QTest::newRow("two GPUs, ToMe alone (half per cut), DP") << std::vector<int>{0, 1} << std::vector<std::string>{"tome"} << 3 << -1 << false << additive;
        // Thinning: the damage is not a plain sum over blocks; charged by segment, still exact.
        for (const QString rule : {"final", "next-late", "final-late", "absorb", "absorb-late"}) {
            const QByteArray r = rule.toUtf8();
            QTest::newRow(("thinning " + r + ", one GPU, pomt, enumeration").constData()) << std::vector<int>{0} << pomt << 3 << -1 << true << rule;
            QTest::newRow(("thinning " + r + ", one GPU, pomt, DP").constData()) << std::vector<int>{0} << pomt << 3 << -1 << false << rule;
            QTest::newRow(("thinning " + r + ", three devices, three methods, DP").constData()) << std::vector<int>{0, 1, 2} << three << 3 << -1 << false << rule;
        }
    }
    void findsTheExactFront() {
        QFETCH(std::vector<int>, devices);
        QFETCH(std::vector<std::string>, methods);
        QFETCH(int, maxPoints);
        QFETCH(int, device);
        QFETCH(bool, enumerate);
        QFETCH(QString, rule);
        SearchInputs in;
        in.devices = devices_of(devices);
        for (const auto& m : methods) {
            in.accuracy[m] = &test::small_accuracy(m, rule.toStdString());
            const auto& report = in.accuracy[m]->report();
            QCOMPARE(report.beta > 0 || report.absorb < 1, rule != "additive");  // the rule is in force
        }
        SearchSettings s;
        s.methods = methods;
        s.max_points = maxPoints;
        s.device = device;
        s.families = false;
        s.exact_limit = enumerate ? 1000000000 : 0;
        s.beam_width = 100000;  // never overflows: the DP keeps every unbeaten partial
        const SearchResult r = search_schedules(in, s);
        QVERIFY(r.exact);
        QCOMPARE(QString::fromStdString(r.strategies.front()).contains("enumeration"), enumerate);

        QVERIFY2(r.notes.empty(), r.notes.empty() ? "" : r.notes.front().c_str());  // no approximate path taken
        const std::vector<Point> all = brute_force(in.devices, methods, maxPoints, device, rule.toStdString());
        QCOMPARE(r.space, (long long)all.size());
        const Point reference{objective_latency(r.unpruned, false), in.accuracy[methods.front()]->predict_top1(r.unpruned.schedule.tokens_after_block), "none"};
        const std::vector<Point> expected = naive_front(all, reference);
        QVERIFY(!expected.empty());
        QCOMPARE(r.front.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const SearchEntry& e = r.front[i];
            QVERIFY2(close(e.predicted_pct, expected[i].latency), qPrintable(QString("entry %1: %2 vs %3").arg(i).arg(e.predicted_pct).arg(expected[i].latency)));
            QVERIFY(close(e.predicted_top1, expected[i].top1));
            QCOMPARE(e.schedule.method, expected[i].name);
            validate_for_method(e.schedule);
            QVERIFY(!e.targets.empty());
            QCOMPARE(e.targets.size(), e.schedule.pruning_points().size());
            for (const auto& t : e.targets) QVERIFY(!t.findings.empty());
            // the band holds the value
            QVERIFY(e.predicted_ms_low <= e.predicted_ms && e.predicted_ms <= e.predicted_ms_high);
            QVERIFY(e.predicted_top1_low <= e.predicted_top1 && e.predicted_top1 <= e.predicted_top1_high);
            if (i > 0) QVERIFY(r.front[i - 1].predicted_pct < e.predicted_pct && r.front[i - 1].predicted_top1 < e.predicted_top1);
        }
    }

    void objectivesPickWhatBruteForcePicks_data() {
        QTest::addColumn<int>("kind");    // 0: min latency s.t. drop, 1: max accuracy s.t. % of unpruned
        QTest::addColumn<double>("limit");
        QTest::newRow("drop ≤ 1 pp") << 0 << 1.0;
        QTest::newRow("drop ≤ 3 pp") << 0 << 3.0;
        QTest::newRow("drop ≤ 0.2 pp") << 0 << 0.2;
        QTest::newRow("latency ≤ 90%") << 1 << 90.0;
        QTest::newRow("latency ≤ 70%") << 1 << 70.0;
    }
    void objectivesPickWhatBruteForcePicks() {
        QFETCH(int, kind);
        QFETCH(double, limit);
        const std::vector<std::string> methods{"pomt", "topk", "tome"};
        SearchInputs in;
        in.devices = devices_of({0, 1, 2});
        for (const auto& m : methods) in.accuracy[m] = &test::small_accuracy(m);
        SearchSettings s;
        s.families = false;
        const SearchResult r = search_schedules(in, s);
        SearchObjective o;
        o.kind = kind == 0 ? SearchObjective::Kind::MinLatency : SearchObjective::Kind::MaxAccuracy;
        o.max_drop_pp = limit;
        o.max_latency_pct = limit;
        const ObjectiveChoice c = apply_objective(r, o);
        QVERIFY2(c.best >= 0, c.empty_reason.c_str());
        const SearchEntry& best = r.front[std::size_t(c.best)];
        const double anchor = r.unpruned.predicted_top1;
        double want = kind == 0 ? 1e300 : -1;
        for (const Point& p : brute_force(in.devices, methods, 3, -1)) {
            if (kind == 0 && 100.0 * (anchor - p.top1) <= limit + 1e-9) want = std::min(want, p.latency);
            if (kind == 1 && p.latency <= limit) want = std::max(want, p.top1);
        }
        if (kind == 0) {
            QVERIFY(best.predicted_drop_pp <= limit + 1e-9);
            QVERIFY(close(best.predicted_pct, want));
        } else {
            QVERIFY(best.predicted_pct <= limit);
            QVERIFY(close(best.predicted_top1, want));
        }
        for (std::size_t i : c.feasible) QVERIFY(kind == 0 ? r.front[i].predicted_drop_pp <= limit : r.front[i].predicted_pct <= limit);
    }

    void anEmptyFrontNamesTheConstraint_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("limit");
        QTest::addColumn<QString>("names");
        QTest::newRow("1% of unpruned") << 1 << 1.0 << "--max-latency-pct 1.0";
        QTest::newRow("a millisecond budget nothing meets") << 2 << 0.001 << "--max-latency 0.0010 ms";
    }
    void anEmptyFrontNamesTheConstraint() {
        QFETCH(int, kind);
        QFETCH(double, limit);
        QFETCH(QString, names);
        SearchInputs in;
        in.devices = devices_of({0, 2});
        in.accuracy["pomt"] = &test::small_accuracy("pomt");
        SearchSettings s;
        s.latency_in_ms = kind == 2;
        const SearchResult r = search_schedules(in, s);
        SearchObjective o;
        o.kind = SearchObjective::Kind::MaxAccuracy;
        (kind == 2 ? o.max_latency_ms : o.max_latency_pct) = limit;
        const ObjectiveChoice c = apply_objective(r, o);
        QCOMPARE(c.best, -1);
        QVERIFY(c.feasible.empty());
        QVERIFY2(QString::fromStdString(c.empty_reason).contains(names), c.empty_reason.c_str());
        QVERIFY2(QString::fromStdString(c.empty_reason).contains("the fastest predicted schedule"), c.empty_reason.c_str());
    }

    void familiesJoinTheFront() {
        // ToMe's constant-r and Top-K's per-block-r schedules are evaluated beside the cuts; with
        // cuts limited to one, a family schedule that prunes in every block must reach lower latency.
        SearchInputs in;
        in.devices = devices_of({0});
        in.accuracy["topk"] = &test::small_accuracy("topk");
        SearchSettings s;
        s.max_points = 1;
        const SearchResult r = search_schedules(in, s);
        bool family = false;
        for (const auto& e : r.front) family = family || e.family.rfind("topk per-block r=", 0) == 0;
        QVERIFY(family);
        s.families = false;
        const SearchResult cuts_only = search_schedules(in, s);
        QVERIFY(r.front.front().predicted_pct < cuts_only.front.front().predicted_pct);
    }

    void aSmallBeamSaysItIsApproximate() {
        SearchInputs in;
        in.devices = devices_of({0, 1, 2});
        in.accuracy["topk"] = &test::small_accuracy("topk");
        SearchSettings s;
        s.exact_limit = 0;
        s.beam_width = 1;
        s.families = false;
        const SearchResult r = search_schedules(in, s);
        QVERIFY(!r.exact);
        QVERIFY(QString::fromStdString(r.strategies.front()).contains("approximate"));
        QVERIFY(!r.front.empty());
        for (const auto& e : r.front) validate_for_method(e.schedule);
    }
};

QTEST_GUILESS_MAIN(TestSearchFront)
#include "tst_search_front.moc"
