// The "one more token" table, the side-by-side edge table (matching rules) and CSV copy.
#include <QAbstractItemModelTester>
#include <QtTest>

#include "synthetic_profile.h"
#include "ui/curve_ref.h"
#include "ui/curve_series.h"
#include "ui/edge_comparison_model.h"
#include "ui/edge_description.h"
#include "ui/edge_matching.h"
#include "ui/one_more_token_model.h"
#include "ui/table_csv.h"

using namespace tp;
using namespace tp::ui;

namespace {
Edge edge(int tokens, double height = 0.1) {
    Edge e;
    e.tokens = tokens;
    e.last_before = tokens - 1;
    e.height_ms = height;
    e.level_before_ms = 1.0;
    e.level_after_ms = 1.0 + height;
    e.height_pct = height * 100;
    return e;
}
using EdgeList = std::vector<int>;
}  // namespace

Q_DECLARE_METATYPE(EdgeList)

class TestTables : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneMoreToken() {
        test::StaircaseSpec spec;
        const Profile p = test::staircase_profile(spec);
        CurveRef ref{std::make_shared<const Profile>(p), "model", "A"};
        const CurveSeries s = CurveSeries::fromCurve(*ref.curve(), "A");
        StepAnalysis steps = detect_steps(*ref.curve());
        const auto explanations = explainEdges(steps, p, *ref.curve());
        QCOMPARE(explanations.size(), steps.edges.size());  // a CUDA profile: the tile model labels every edge
        OneMoreTokenModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCurve(s, steps, explanations);
        QCOMPARE(model.rowCount(), int(steps.edges.size()));
        QVERIFY(model.rowCount() >= 1);
        for (int r = 0; r < model.rowCount(); ++r) {
            const Edge& e = steps.edges[std::size_t(r)];
            QCOMPARE(model.index(r, OneMoreTokenModel::EdgeColumn).data().toInt(), e.tokens);
            QCOMPARE(model.index(r, OneMoreTokenModel::KeepColumn).data().toInt(), e.last_before);
            // Δ is the measured change from the edge's count to the one just below it.
            const double expected = s.medianAt(e.last_before) - s.medianAt(e.tokens);
            QCOMPARE(model.index(r, OneMoreTokenModel::DeltaMsColumn).data(Qt::EditRole).toDouble(), expected);
            const double pct = model.index(r, OneMoreTokenModel::DeltaPctColumn).data(Qt::EditRole).toDouble();
            QVERIFY2(std::abs(pct - 100.0 * expected / s.medianAt(e.tokens)) < 1e-9, qPrintable(QString::number(pct)));
            QVERIFY2(expected < 0, "a rising staircase: one token less must be faster");
            const QString why = model.index(r, OneMoreTokenModel::ExplanationColumn).data().toString();
            QCOMPARE(why, edgeExplanationText(explanations[std::size_t(r)]));
            QVERIFY(!why.isEmpty());
        }
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void explanationSources_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("sms");
        QTest::addColumn<bool>("census");
        QTest::addColumn<QString>("firstEdge");  // expected start of the first edge's explanation, "" = none
        QTest::newRow("cuda: tile model") << "cuda" << 16 << false << "";
        QTest::newRow("cuda with census: measured") << "cuda" << 16 << true << "measured: ";
        QTest::newRow("cpu: no tile labels") << "cpu" << 2 << false << "";
        QTest::newRow("cpu with census: measured") << "cpu" << 2 << true << "measured: ";
    }
    void explanationSources() {
        QFETCH(QString, kind);
        QFETCH(int, sms);
        QFETCH(bool, census);
        QFETCH(QString, firstEdge);
        Profile p = test::staircase_profile({});
        p.device.kind = kind.toStdString();
        p.device.sm_count = sms;
        if (census) {
            // The first edge (32 → 33): a GEMM's grid grows.
            p.census.push_back(KernelCensus{"model", 32, {KernelLaunch{"gemm_64x64", 96, 128, 10}}});
            p.census.push_back(KernelCensus{"model", 33, {KernelLaunch{"gemm_64x64", 192, 128, 14}}});
        }
        StepAnalysis steps = detect_steps(p.curves.front());
        QVERIFY(!steps.edges.empty());
        QCOMPARE(steps.edges.front().tokens, 33);
        const auto ex = explainEdges(steps, p, p.curves.front());
        if (kind == "cpu" && !census) {
            QVERIFY(ex.empty());
            return;
        }
        QCOMPARE(ex.size(), steps.edges.size());
        const QString first = edgeExplanationText(ex.front());
        if (firstEdge.isEmpty())
            QVERIFY2(first.endsWith("(tile model)") || first == "kernel switch?", qPrintable(first));
        else
            QVERIFY2(first.startsWith(firstEdge), qPrintable(first));
    }

    void matching_data() {
        QTest::addColumn<EdgeList>("a");
        QTest::addColumn<EdgeList>("b");
        QTest::addColumn<int>("tolerance");
        QTest::addColumn<QStringList>("statuses");
        QTest::newRow("shared") << EdgeList{33, 65} << EdgeList{33, 65} << 3 << QStringList{"shared", "shared"};
        QTest::newRow("moved within tolerance") << EdgeList{33} << EdgeList{35} << 3 << QStringList{"moved by 2"};
        QTest::newRow("too far apart") << EdgeList{33} << EdgeList{40} << 3 << QStringList{"only on A", "only on B"};
        QTest::newRow("only on one") << EdgeList{33, 65, 97} << EdgeList{33, 97} << 3
                                     << QStringList{"shared", "only on A", "shared"};
        QTest::newRow("nearest wins") << EdgeList{30, 34} << EdgeList{33} << 5 << QStringList{"only on A", "moved by 1"};
        QTest::newRow("none") << EdgeList{} << EdgeList{} << 3 << QStringList{};
    }
    void matching() {
        QFETCH(EdgeList, a);
        QFETCH(EdgeList, b);
        QFETCH(int, tolerance);
        QFETCH(QStringList, statuses);
        std::vector<std::vector<Edge>> edges(2);
        for (int t : a) edges[0].push_back(edge(t));
        for (int t : b) edges[1].push_back(edge(t));
        EdgeComparisonModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCurves({"A", "B"}, edges, tolerance);
        QStringList got;
        for (int r = 0; r < model.rowCount(); ++r) got << model.index(r, 0).data().toString();
        QCOMPARE(got, statuses);
        QCOMPARE(model.columnCount(), 3);
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QString("B"));
    }

    void risesAndDropsNeverMatch() {
        std::vector<std::vector<Edge>> edges{{edge(100, 0.2)}, {edge(100, -0.2)}};
        const auto rows = match_edges(edges, 5);
        QCOMPARE(int(rows.size()), 2);
        for (const auto& r : rows) QCOMPARE(int(r.status), int(EdgeMatch::Status::Partial));
    }

    void csv_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "abc" << "abc";
        QTest::newRow("comma") << "a,b" << "\"a,b\"";
        QTest::newRow("quote") << "say \"hi\"" << "\"say \"\"hi\"\"\"";
        QTest::newRow("newline") << "a\nb" << "\"a\nb\"";
    }
    void csv() {
        QFETCH(QString, field);
        QFETCH(QString, expected);
        QCOMPARE(csvField(field), expected);
    }

    void tableCsv() {
        std::vector<std::vector<Edge>> edges{{edge(33), edge(65)}, {edge(33)}};
        EdgeComparisonModel model;
        model.setCurves({"GPU, A", "B"}, edges, 3);
        const QString csv = tableToCsv(model);
        const QStringList lines = csv.split("\r\n", Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QString("Edge,\"GPU, A\",B"));
        QCOMPARE(lines[1], QString("shared,33,33"));  // raw token counts, not the display text
        QCOMPARE(lines[2], QString("\"only on GPU, A\",65,—"));
    }
};

QTEST_MAIN(TestTables)
#include "tst_ui_tables.moc"
