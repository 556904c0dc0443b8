// The studio's side of detached sessions (issue 21): SessionFollower starts a sweep as a session
// through the real `tailprune agent`, and when the connection's process dies mid-sweep (a dropped
// link, as the studio sees it) it reconnects by itself, says "link lost, session still running",
// attaches again from its last record and delivers every point once. The session is remembered
// while it runs and forgotten when its result arrived; the sessions bar offers it after a restart.
#include <QComboBox>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <unistd.h>

#include "core/remote/device_list.h"
#include "core/remote/remembered_sessions.h"
#include "tests/cli/cli_runner.h"
#include "ui/session_follower.h"
#include "ui/sessions_bar.h"

using tp::ui::SessionFollower;

namespace {

const QString kWeights = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";

QJsonObject sweep() {
    return {{"weights", kWeights},
            {"tokens", "2..50"},
            {"rounds", 1},
            {"warmup", 1},
            {"stopping", QJsonObject{{"min_samples", 3}, {"min_time_s", 0.2}, {"target_rel_noise", 0.5}, {"timeout_s", 2}}}};
}

tp::remote::ConnectOptions localTarget() {
    tp::remote::ConnectOptions o;
    o.device = tp::remote::local_device();
    o.local_agent = tailpruneCli().toStdString();
    return o;
}

// The `tailprune agent` processes this test started (the follower's connections).
QList<pid_t> agentChildren() {
    QList<pid_t> out;
    QProcess p;
    p.start("pgrep", {"-P", QString::number(getpid()), "-f", "tailprune agent"});
    p.waitForFinished(5000);
    for (const QByteArray& line : p.readAllStandardOutput().split('\n'))
        if (!line.trimmed().isEmpty()) out.append(static_cast<pid_t>(line.trimmed().toInt()));
    return out;
}

}  // namespace

class UiSessionFollower : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QVERIFY2(!tailpruneCli().isEmpty(), "ctest sets TAILPRUNE_CLI");
        qputenv("TAILPRUNE_SESSIONS_DIR", dir_.filePath("sessions").toUtf8());
        qputenv("TAILPRUNE_REMEMBERED_SESSIONS", dir_.filePath("remembered.json").toUtf8());
    }

    void connectionDiesMidSweepAndEveryPointArrivesOnce() {
        SessionFollower follower(localTarget());
        follower.setHeartbeatSeconds(1);
        QSignalSpy started(&follower, &SessionFollower::sessionStarted);
        QSignalSpy finished(&follower, &SessionFollower::finished);
        QSignalSpy link(&follower, &SessionFollower::linkChanged);
        QMap<int, int> points;
        connect(&follower, &SessionFollower::eventReceived, this, [&](const QString& name, const QJsonObject& e) {
            if (name == "point") points[e.value("point").toObject().value("tokens").toInt()]++;
        });
        follower.start("profile", sweep());
        QVERIFY(started.wait(30000));
        const QString id = started.at(0).at(0).toString();
        auto remembered = tp::remote::load_remembered_sessions();
        QCOMPARE(int(remembered.size()), 1);
        QCOMPARE(QString::fromStdString(remembered.front().id), id);

        QTRY_VERIFY_WITH_TIMEOUT(points.size() >= 5, 60000);
        const QList<pid_t> agents = agentChildren();
        QVERIFY(!agents.isEmpty());
        for (pid_t pid : agents) ::kill(pid, SIGKILL);  // the link, as the studio sees it, is gone

        QVERIFY(finished.wait(120000) || !finished.isEmpty());
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toJsonObject().value("message").toString()));
        bool sawLost = false, sawBack = false;
        for (const auto& args : link) {
            sawLost |= args.at(0).toString().contains("link lost, session still running") && !args.at(1).toBool();
            sawBack |= args.at(1).toBool();
        }
        QVERIFY(sawLost);
        QVERIFY(sawBack);
        QVERIFY(follower.reattachCount() >= 1);
        int twice = 0;
        for (int n = 2; n <= 50; ++n) twice += std::max(0, points.value(n) - 1);
        QCOMPARE(twice, 0);
        QCOMPARE(points.size(), 49);
        const QJsonArray curves =
            finished.at(0).at(1).toJsonObject().value("result").toObject().value("profile").toObject().value("curves").toArray();
        QCOMPARE(curves.at(0).toObject().value("points").toArray().size(), 49);
        QVERIFY(tp::remote::load_remembered_sessions().empty());  // the result is here: forgotten
    }

    void attachReplaysAFinishedSession() {
        SessionFollower first(localTarget());
        QSignalSpy started(&first, &SessionFollower::sessionStarted);
        QSignalSpy done(&first, &SessionFollower::finished);
        first.start("profile", sweep());
        QVERIFY(done.wait(120000));
        const QString id = started.at(0).at(0).toString();

        SessionFollower later(localTarget());
        QSignalSpy replayed(&later, &SessionFollower::finished);
        int points = 0;
        connect(&later, &SessionFollower::eventReceived, this, [&](const QString& name, const QJsonObject&) { points += name == "point"; });
        later.attach(id, 0);
        QVERIFY(replayed.wait(60000));
        QVERIFY(replayed.at(0).at(0).toBool());
        QCOMPARE(points, 49);
    }

    void sessionsBarOffersRememberedSessions() {
        QFile::remove(dir_.filePath("remembered.json"));
        tp::remote::remember_session({"jetson", "20261207-010203-abcdef", "profile", "2026-12-07T01:02:03Z", 12});
        tp::ui::SessionsBar bar;
        QCOMPARE(bar.refresh(), 1);
        QVERIFY(!bar.isHidden());
        auto* choice = bar.findChild<QComboBox*>("sessionChoice");
        QVERIFY(choice->currentText().contains("jetson") && choice->currentText().contains("20261207-010203-abcdef"));
        QSignalSpy reattach(&bar, &tp::ui::SessionsBar::reattachRequested);
        QTest::mouseClick(bar.findChild<QWidget*>("reattachSession"), Qt::LeftButton);
        QCOMPARE(reattach.count(), 1);
        QCOMPARE(reattach.at(0).at(0).toString(), QString("jetson"));
        QTest::mouseClick(bar.findChild<QWidget*>("forgetSession"), Qt::LeftButton);
        QCOMPARE(bar.refresh(), 0);
        QVERIFY(bar.isHidden());
    }
};

QTEST_MAIN(UiSessionFollower)
#include "tst_ui_session_follower.moc"
