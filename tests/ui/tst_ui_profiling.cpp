// Profiling from the GUI against the real `tailprune agent` ($TAILPRUNE_CLI, CPU, the smallest
// model the agent offers, a few points): points are plotted as they arrive, the finished profile
// lands in the tree and the curve view, and cancel keeps the points measured so far.
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/agent_client.h"
#include "ui/main_window.h"
#include "ui/profile_library.h"
#include "ui/profiling_dialog.h"
#include "ui/qcustomplot_include.h"

using namespace tp;
using namespace tp::ui;

namespace {
int plottedPoints(QCustomPlot* plot) {
    int n = 0;
    for (int i = 0; i < plot->graphCount(); ++i) n += plot->graph(i)->data()->size();
    return n;
}
}  // namespace

class TestProfiling : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;  // the agent's smallest model

    // A cheap sweep: one block, few counts, one round, the shortest stopping rule the agent accepts.
    void configure(ProfilingDialog& d, const QString& tokens) {
        d.modelCombo()->setCurrentText(model_);
        d.scopesEdit()->setText("block:0");
        d.tokensEdit()->setText(tokens);
        d.roundsSpin()->setValue(1);
        d.minSamplesSpin()->setValue(2);
        d.minTimeSpin()->setValue(0.005);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setApplicationName("tst_ui_profiling");
        QSettings().clear();
        QVERIFY(dir_.isValid());
        qputenv("TAILPRUNE_PROFILES", dir_.filePath("none").toUtf8());
        qputenv("TAILPRUNE_STORE", dir_.filePath("none.sqlite").toUtf8());
        QVERIFY2(!qEnvironmentVariableIsEmpty("TAILPRUNE_CLI"), "ctest sets TAILPRUNE_CLI to the built tailprune");

        AgentClient agent;
        QSignalSpy finished(&agent, &AgentClient::requestFinished);
        agent.request("hello");
        QVERIFY2(finished.wait(60000), qPrintable(agent.stderrTail()));
        QVERIFY2(finished.front().at(1).toBool(), qPrintable(agent.stderrTail()));
        const QJsonObject result = finished.front().at(2).toJsonObject().value("result").toObject();
        QCOMPARE(result.value("protocol").toInt(), 5);
        int best = 1 << 30;
        for (const QJsonValue& m : result.value("models").toArray()) {
            const QJsonObject o = m.toObject();
            if (o.value("preset").toBool() && o.value("tokens").toInt() < best) {
                best = o.value("tokens").toInt();
                model_ = o.value("name").toString();
            }
        }
        QVERIFY2(!model_.isEmpty(), "the agent offers no preset model");
    }

    void sweepIsPlottedLiveAndLandsInTree() {
        MainWindow w;
        w.openProfilingDialog();
        auto* d = w.findChild<ProfilingDialog*>();
        QVERIFY(d);
        configure(*d, "1..6");
        QSignalSpy done(d, &ProfilingDialog::runFinished);
        QSignalSpy measured(d, &ProfilingDialog::profileMeasured);
        d->startButton()->click();
        QVERIFY(d->isRunning());
        QVERIFY(!d->startButton()->isEnabled());
        QVERIFY2(done.wait(120000), "the sweep did not finish");
        QCOMPARE(done.front().front().toBool(), true);
        QCOMPARE(d->pointsReceived(), 6);
        QCOMPARE(plottedPoints(d->plot()), 6);
        QVERIFY(d->result());
        const Curve* c = d->result()->find_curve("block:0");
        QVERIFY(c);
        QCOMPARE(int(c->points.size()), 6);
        QVERIFY(!c->partial);
        // The plotted medians are the profile's.
        QCPGraph* g = d->plot()->graph(0);
        for (const CurvePoint& p : c->points) {
            auto it = g->data()->findBegin(p.tokens, false);
            QCOMPARE(it->key, double(p.tokens));
            QCOMPARE(it->value, p.median_ms);
        }
        // The measured profile is in the tree and on screen.
        QCOMPARE(measured.count(), 1);
        QCOMPARE(w.library()->size(), 1);
        QCOMPARE(w.library()->at(0).origin, ProfileOrigin::Agent);
        // Kept as a file at once, like any other profile.
        const QString saved = w.library()->at(0).source;
        QVERIFY2(saved.startsWith(MainWindow::measuredProfilesFolder()) && QFile::exists(saved), qPrintable(saved));
        QCOMPARE(w.overlay().size(), 1);
        QCOMPARE(w.overlay().front().curveName, std::string("block:0"));
    }

    void cancelKeepsPoints() {
        AgentClient agent;
        ProfilingDialog d(&agent);
        configure(d, "1..64");
        QSignalSpy done(&d, &ProfilingDialog::runFinished);
        d.startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(d.pointsReceived() >= 2, 120000);
        d.cancelButton()->click();
        QVERIFY2(done.wait(60000), "cancel did not end the sweep");
        QCOMPARE(done.front().front().toBool(), false);
        QVERIFY(!d.isRunning());
        QVERIFY(d.startButton()->isEnabled());
        QVERIFY(d.result());
        const Curve* c = d.result()->find_curve("block:0");
        QVERIFY(c);
        const int kept = int(c->points.size());
        QVERIFY2(kept >= 2 && kept < 64, qPrintable(QString::number(kept)));
        QVERIFY(d.result()->partial());
        // Everything plotted is kept in the partial profile.
        QCOMPARE(plottedPoints(d.plot()), d.pointsReceived());
        QVERIFY(kept >= d.pointsReceived());
    }
};

QTEST_MAIN(TestProfiling)
#include "tst_ui_profiling.moc"
