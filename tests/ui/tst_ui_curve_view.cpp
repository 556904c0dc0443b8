// The curve view on a profile: curve, band, edge markers and plateaus (checked on the plot's graphs
// and items), the crosshair readout, log/normalised/ratio modes, strips and a two-device overlay.
// Runs on synthetic staircases with known edges and on every bundled (real) profile.
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QtTest>

#include "core/model/profile_json.h"
#include "synthetic_profile.h"
#include "ui/bundled_profiles.h"
#include "ui/curve_view.h"
#include "ui/palette.h"
#include "ui/qcustomplot_include.h"

using namespace tp;
using namespace tp::ui;

namespace {
QList<QCPGraph*> graphsNamed(QCustomPlot* plot, const QString& objectName) {
    QList<QCPGraph*> out;
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->objectName() == objectName) out << plot->graph(i);
    return out;
}
QList<QCPAbstractItem*> itemsNamed(QCustomPlot* plot, const QString& objectName) {
    QList<QCPAbstractItem*> out;
    for (int i = 0; i < plot->itemCount(); ++i)
        if (plot->item(i)->objectName() == objectName) out << plot->item(i);
    return out;
}
QVector<int> tokensOf(const QList<QCPAbstractItem*>& items) {
    QVector<int> out;
    for (auto* i : items) out << i->property("tokens").toInt();
    std::sort(out.begin(), out.end());
    return out;
}
CurveRef refTo(const Profile& p, const std::string& curve, const QString& label) {
    return CurveRef{std::make_shared<const Profile>(p), curve, label};
}
}  // namespace

class TestCurveView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void profileShowsCurveBandEdges_data() {
        QTest::addColumn<QString>("file");    // empty: synthetic
        QTest::addColumn<int>("period");
        for (int period : {24, 32, 48}) QTest::addRow("synthetic staircase, period %d", period) << QString() << period;
        for (const QString& f : bundled_profile_files())
            QTest::addRow("bundled %s", qPrintable(QFileInfo(f).fileName())) << f << 0;
    }
    void profileShowsCurveBandEdges() {
        QFETCH(QString, file);
        QFETCH(int, period);
        test::StaircaseSpec spec;
        spec.period = period > 0 ? period : 32;
        const Profile p = file.isEmpty() ? test::staircase_profile(spec) : load_profile(file.toStdString());
        const Curve& curve = p.curves.front();

        CurveView view;
        view.resize(1000, 600);
        view.setCurves({refTo(p, curve.name, "primary")});
        QCustomPlot* plot = view.plot();

        // The median graph holds every point of the curve.
        const auto medians = graphsNamed(plot, "median");
        QCOMPARE(medians.size(), 1);
        QCOMPARE(medians.front()->data()->size(), int(curve.points.size()));
        QCOMPARE(medians.front()->data()->at(0)->value, curve.points.front().median_ms);
        QCOMPARE(medians.front()->pen().color(), seriesColor(0));

        // The band: p90 filled down to p10.
        bool hasBand = false;
        for (const auto& pt : curve.points) hasBand |= pt.p10_ms < pt.p90_ms;
        const auto lows = graphsNamed(plot, "bandLow");
        const auto highs = graphsNamed(plot, "bandHigh");
        QCOMPARE(lows.size(), hasBand ? 1 : 0);
        if (hasBand) {
            QCOMPARE(highs.front()->channelFillGraph(), lows.front());
            QCOMPARE(highs.front()->data()->at(0)->value, curve.points.front().p90_ms);
            QCOMPARE(lows.front()->data()->at(0)->value, curve.points.front().p10_ms);
        }

        // One marker and one label per detected edge, one shaded rectangle per plateau.
        const StepAnalysis& steps = view.curves().front().steps;
        QVector<int> edgeTokens;
        for (const Edge& e : steps.edges) edgeTokens << e.tokens;
        QCOMPARE(tokensOf(itemsNamed(plot, "edge")), edgeTokens);
        QCOMPARE(tokensOf(itemsNamed(plot, "edgeLabel")), edgeTokens);
        QCOMPARE(itemsNamed(plot, "plateau").size(), int(steps.plateaus.size()));
        if (file.isEmpty()) {
            // The synthetic staircase's edges are known: the view must mark exactly those.
            QVector<int> expected;
            for (int t : test::staircase_edges(spec)) expected << t;
            QCOMPARE(edgeTokens, expected);
            const auto labels = itemsNamed(plot, "edgeLabel");
            auto* label = static_cast<QCPItemText*>(labels.front());
            QVERIFY2(label->text().contains(" ms (+"), qPrintable(label->text()));
            const QString why = view.curves().front().explanation(0);
            QVERIFY2(!why.isEmpty() && label->text().contains(why), qPrintable(label->text()));
            QVERIFY2(label->text().startsWith(QStringLiteral("%1 → %2").arg(expected[0] - 1).arg(expected[0])),
                     qPrintable(label->text()));
            // "Prune to" markers sit one token below each rising edge.
            QCOMPARE(graphsNamed(plot, "pruneTo").front()->data()->size(), expected.size());
            QCOMPARE(int(graphsNamed(plot, "pruneTo").front()->data()->at(0)->key), expected[0] - 1);
        }
        // The reset ranges show every point.
        QVERIFY(plot->xAxis->range().contains(curve.points.front().tokens));
        QVERIFY(plot->xAxis->range().contains(curve.points.back().tokens));
        for (const auto& pt : curve.points) QVERIFY(plot->yAxis->range().contains(pt.median_ms));
    }

    void readoutGivesOneMoreTokenSaving() {
        test::StaircaseSpec spec;
        const Profile p = test::staircase_profile(spec);
        CurveView view;
        view.setCurves({refTo(p, "model", "A")});
        // 40 tokens sits on the plateau 33..64; one more token below is 32.
        const QString text = view.readoutAt(40.2);
        QVERIFY2(text.contains("n = <b>40</b>"), qPrintable(text));
        QVERIFY2(text.contains("plateau 33–64"), qPrintable(text));
        QVERIFY2(text.contains("prune to <b>32</b>"), qPrintable(text));
        const double delta = p.find_curve("model")->find(32)->median_ms - p.find_curve("model")->find(40)->median_ms;
        QVERIFY2(text.contains(QString::number(delta, 'f', 3)), qPrintable(text));
        // On the lowest plateau there is nothing cheaper.
        QVERIFY(view.readoutAt(5).contains("no cheaper plateau below"));
    }

    void sensitivityChangesEdges() {
        test::StaircaseSpec spec;
        spec.step_ms = 0.06;  // about 3% steps at 0.5% noise: all found at the default, not all when strict
        spec.noise = 0.005;
        const Profile p = test::staircase_profile(spec);
        CurveView view;
        view.setCurves({refTo(p, "model", "A")});
        QSignalSpy changed(&view, &CurveView::curvesChanged);
        view.setSensitivity(2.5);
        const int loose = int(view.curves().front().steps.edges.size());
        view.setSensitivity(50);
        const int strict = int(view.curves().front().steps.edges.size());
        QCOMPARE(changed.count(), 2);
        QVERIFY2(loose == 6 && strict < loose, qPrintable(QString("strict %1, loose %2").arg(strict).arg(loose)));
    }

    void overlayOfTwoDevices() {
        test::StaircaseSpec a;
        test::StaircaseSpec b;
        b.device = "Synthetic GPU B";
        b.period = 48;
        b.base_ms = 3.0;
        b.seed = 11;
        const Profile pa = test::staircase_profile(a), pb = test::staircase_profile(b);
        CurveView view;
        view.setCurves({refTo(pa, "model", "GPU A"), refTo(pb, "model", "GPU B")});
        QCustomPlot* plot = view.plot();
        const auto medians = graphsNamed(plot, "median");
        QCOMPARE(medians.size(), 2);
        QCOMPARE(medians[0]->name(), QString("GPU A"));
        QCOMPARE(medians[1]->name(), QString("GPU B"));
        QVERIFY(medians[0]->pen().color() != medians[1]->pen().color());
        QCOMPARE(medians[1]->pen().color(), seriesColor(1));
        QCOMPARE(graphsNamed(plot, "bandHigh").size(), 2);
        // Both in the legend, the bands not.
        QVERIFY(plot->legend->hasItemWithPlottable(medians[0]));
        QVERIFY(plot->legend->hasItemWithPlottable(medians[1]));
        QVERIFY(!plot->legend->hasItemWithPlottable(graphsNamed(plot, "bandHigh").front()));
        // Steps are drawn for the primary curve only; the readout compares both.
        QCOMPARE(itemsNamed(plot, "edge").size(), int(view.curves().front().steps.edges.size()));
        QVERIFY(view.readoutAt(100).contains("GPU B"));

        // Normalised: every curve ends at 1.
        view.setYMode(CurveView::YMode::Normalised);
        for (QCPGraph* g : graphsNamed(plot, "median")) QCOMPARE((g->data()->constEnd() - 1)->value, 1.0);
        // Ratio: one graph, B / A at the shared token counts.
        view.setYMode(CurveView::YMode::Ratio);
        const auto ratio = graphsNamed(plot, "median");
        QCOMPARE(ratio.size(), 1);
        QCOMPARE(ratio.front()->data()->size(), 197);
        const double expected = pb.curves[0].points[99].median_ms / pa.curves[0].points[99].median_ms;
        QCOMPARE(ratio.front()->data()->at(99)->value, expected);
        QCOMPARE(itemsNamed(plot, "edge").size(), 0);
    }

    void scopeSelectorSwitchesEveryCurve() {
        test::StaircaseSpec a, b;
        b.device = "Synthetic GPU B";
        const Profile pa = test::staircase_profile(a), pb = test::staircase_profile(b);
        CurveView view;
        view.setCurves({refTo(pa, "model", "A"), refTo(pb, "model", "B")});
        view.setScope("block:3");
        QCOMPARE(view.curves().size(), 2);
        for (const auto& c : view.curves()) QCOMPARE(c.ref.curveName, std::string("block:3"));
        QCOMPARE(graphsNamed(view.plot(), "median").front()->data()->at(0)->value,
                 pa.find_curve("block:3")->points.front().median_ms);
    }

    void logScaleAndStrips() {
        test::StaircaseSpec spec;
        const Profile p = test::staircase_profile(spec);
        CurveView view;
        view.setCurves({refTo(p, "model", "A")});
        view.setLogScale(true);
        QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(view.plot()->yAxis->range().lower > 0);
        // Clock and temperature strips under the curve, sharing its x range.
        QCOMPARE(view.plot()->axisRectCount(), 2);
        const auto clock = graphsNamed(view.plot(), "clock");
        QCOMPARE(clock.size(), 1);
        QCOMPARE(clock.front()->data()->size(), 197);
        QCOMPARE(graphsNamed(view.plot(), "temperature").size(), 1);
        view.plot()->xAxis->setRange(50, 60);
        QCOMPARE(clock.front()->keyAxis()->range(), QCPRange(50, 60));

        // A profile without clocks has no strip.
        spec.strips = false;
        const Profile bare = test::staircase_profile(spec);
        view.setCurves({refTo(bare, "model", "A")});
        QCOMPARE(view.plot()->axisRectCount(), 1);
        QCOMPARE(graphsNamed(view.plot(), "clock").size(), 0);
    }

    void selectionForMeasuring() {
        test::StaircaseSpec spec;
        const Profile p = test::staircase_profile(spec);
        CurveView view;
        view.setCurves({refTo(p, "model", "A")});
        QSignalSpy requested(&view, &CurveView::measureTokensRequested);
        view.setSelection(60.4, 66.6);
        QCOMPARE(view.selectedTokens(), (QVector<int>{61, 62, 63, 64, 65, 66}));
        QCOMPARE(itemsNamed(view.plot(), "selection").size(), 1);
        auto* button = view.findChild<QPushButton*>("measureSelectionButton");
        QVERIFY(button->isEnabled());
        button->click();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.front().front().value<QVector<int>>().size(), 6);
        // Never beyond the model's token count.
        view.setSelection(190, 400);
        QCOMPARE(view.selectedTokens().back(), 197);
    }

    // Issue 22: a profile's clock flags (unlocked, changed, throttled) in a warning line over the
    // readout, one line per flag and profile; hidden when no shown profile has any.
    void clockWarning_data() {
        QTest::addColumn<int>("flaggedProfiles");
        QTest::addColumn<int>("lines");
        QTest::newRow("steady clocks: no line") << 0 << 0;
        QTest::newRow("one throttled profile") << 1 << 2;
        QTest::newRow("two flagged profiles overlaid") << 2 << 4;
    }
    void clockWarning() {
        QFETCH(int, flaggedProfiles);
        QFETCH(int, lines);
        test::StaircaseSpec spec;
        Profile a = test::staircase_profile(spec), b = test::staircase_profile(spec);
        const std::vector<ClockFlag> flags = {
            {"clocks_unlocked", "GPU clocks were not locked at 12 of 12 points"},
            {"throttled", "the GPU's maximum clock was lowered from 1300.5 to 612.0 MHz <at> 6 of 12 points"}};
        if (flaggedProfiles >= 1) a.clock_flags = flags;
        if (flaggedProfiles >= 2) b.clock_flags = flags;
        CurveView view;
        view.setCurves({refTo(a, "model", "orin A"), refTo(b, "model", "orin B")});
        QLabel* warning = view.clockWarningLabel();
        QCOMPARE(warning->isHidden(), lines == 0);
        const QString text = warning->text();
        QCOMPARE(lines == 0 ? 0 : int(text.count("<br>")) + 1, lines);
        if (lines) {
            QVERIFY2(text.contains("<b>orin A</b> — throttled: the GPU's maximum clock was lowered from 1300.5 to 612.0 MHz &lt;at&gt;"),
                     qPrintable(text));
            QCOMPARE(text.contains("orin B"), flaggedProfiles == 2);
        }
        view.setCurves({refTo(b, "model", "B")});
        QCOMPARE(warning->isHidden(), flaggedProfiles < 2);
    }

    void emptyViewShowsHint() {
        CurveView view;
        view.setCurves({});
        QCOMPARE(view.plot()->graphCount(), 0);
        QCOMPARE(itemsNamed(view.plot(), "emptyHint").size(), 1);
        QVERIFY(view.readoutAt(10).isEmpty());
    }
};

QTEST_MAIN(TestCurveView)
#include "tst_ui_curve_view.moc"
