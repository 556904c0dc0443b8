// The studio's Devices tab and several devices profiled at once, against real sshd instances on
// 127.0.0.1 started here (as in tests/remote): the panel's states (ready, unreachable, host key
// unknown / changed, passphrase, wrong agent version), a two-device sweep with one device's link
// cut halfway (the other completes), and QAbstractItemModelTester on the device model.
// With TAILPRUNE_SCREENSHOT_DIR set, it also saves the pictures used in the README.
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QtTest>

#include <pwd.h>
#include <unistd.h>

#include "core/util/file_io.h"
#include "core/remote/device_list.h"
#include "tests/remote/tcp_relay.h"
#include "tests/remote/fake_tools.h"
#include "tests/remote/test_sshd.h"
#include "ui/agent_client.h"
#include "ui/agent_install_dialog.h"
#include "ui/device_list_model.h"
#include "ui/editor/editor_tab.h"
#include "ui/editor/latency_readout.h"
#include "ui/editor/schedule_actions.h"
#include "ui/editor/schedule_editor.h"
#include "ui/main_window.h"
#include "ui/devices_panel.h"
#include "ui/passphrase_prompt.h"
#include "ui/profiling_dialog.h"
#include "ui/qcustomplot_include.h"

using namespace tp;
using namespace tp::ui;

namespace {

QString userName() {
    const passwd* pw = getpwuid(getuid());
    return pw ? QString::fromLocal8Bit(pw->pw_name) : QString("root");
}

}  // namespace

class TestDevices : public QObject {
    Q_OBJECT
    TestSshd sshd_;
    QTemporaryDir work_{QDir::tempPath() + "/tp-ui-devices-XXXXXX"};
    QString skip_;

    remote::DeviceEntry entry(const QString& name, int port, const QString& agent, const QString& key = {}) {
        remote::DeviceEntry d;
        d.name = name.toStdString();
        d.user = userName().toStdString();
        d.host = "127.0.0.1";
        d.port = port;
        d.identity_file = (key.isEmpty() ? sshd_.clientKey() : key).toStdString();
        d.agent = agent.toStdString();
        d.ssh_config = sshd_.sshConfig().toStdString();
        d.known_hosts = work_.filePath("known_hosts_" + name).toStdString();
        d.env["TAILPRUNE_SESSIONS_DIR"] = work_.filePath("sessions").toStdString();  // a sweep's session folder
        return d;
    }
    QString cli() const { return qEnvironmentVariable("TAILPRUNE_CLI"); }

    // Checks one device in the panel and returns its state.
    QString check(DevicesPanel& panel, const QString& name) {
        QSignalSpy done(&panel, &DevicesPanel::checkFinished);
        panel.checkDevice(name);
        if (!done.wait(60000)) return "timeout";
        const int row = panel.model()->rowOf(name);
        return panel.model()->data(panel.model()->index(row, 0), DeviceListModel::StateRole).toString();
    }
    QString details(DevicesPanel& panel, const QString& name) {
        return panel.model()->data(panel.model()->index(panel.model()->rowOf(name), DeviceListModel::Details)).toString();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(work_.isValid());
        qputenv("TAILPRUNE_SSH_PERSIST", "0");
        qputenv("TAILPRUNE_REMEMBERED_SESSIONS", work_.filePath("remembered.json").toUtf8());
        skip_ = sshd_.start();
    }
    void init() {
        if (!skip_.isEmpty() && QString(QTest::currentTestFunction()) != "modelPassesTheModelTester")
            QSKIP(qPrintable("sshd cannot start here, so the SSH tests cannot run: " + skip_));
    }

    void modelPassesTheModelTester() {
        DeviceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.load(work_.filePath("model.json")), QString());
        QCOMPARE(model.rowCount(), 1);  // local is always there
        QCOMPARE(model.addOrReplace(entry("one", 22, "/opt/t/tailprune")), QString());
        QCOMPARE(model.addOrReplace(entry("two", 22, "/opt/t/tailprune")), QString());
        QVERIFY(!model.addOrReplace(entry("one", 22, "/opt/t/tailprune")).isEmpty());  // a duplicate name
        QVERIFY(!model.addOrReplace(entry("bad", 22, "relative/tailprune")).isEmpty());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.addOrReplace(entry("uno", 2222, "/opt/t/tailprune"), "one"), QString());  // rename
        QCOMPARE(model.names(), (QStringList{"local", "uno", "two"}));
        QCOMPARE(model.remove("two"), QString());
        QVERIFY(!model.remove("local").isEmpty());
        // Written as the CLI reads it.
        const remote::DeviceList saved = remote::load_device_list(work_.filePath("model.json").toStdString());
        QCOMPARE(int(saved.devices.size()), 1);
        QCOMPARE(saved.devices[0].port, 2222);
        model.setChecking("uno");
        QCOMPARE(model.data(model.index(1, DeviceListModel::Status)).toString(), QString("checking…"));
    }

    void panelShowsEachState() {
        const QString list = work_.filePath("panel.json");
        DeviceListModel model;
        model.load(list);
        PassphrasePrompt prompt;
        DevicesPanel panel(&model, &prompt);
        panel.resize(1300, 360);
        bool accept = true;
        QString offered;
        panel.setHostKeyDecider([&](const QString&, const QString& fingerprint) {
            offered = fingerprint;
            return accept;
        });
        QCOMPARE(model.addOrReplace(entry("box", sshd_.port(), cli())), QString());
        QCOMPARE(model.addOrReplace(entry("down", TestSshd::freePort(), cli())), QString());
        QCOMPARE(model.addOrReplace(entry("old", sshd_.port(), QString(TAILPRUNE_SOURCE_DIR) + "/tests/remote/v1_agent.py")), QString());
        QCOMPARE(model.addOrReplace(entry("wary", sshd_.port(), cli())), QString());
        QCOMPARE(model.addOrReplace(entry("noagent", sshd_.port(), "/nonexistent/tailprune")), QString());

        QCOMPARE(check(panel, "local"), QString("ready"));
        QCOMPARE(check(panel, "box"), QString("ready"));
        QVERIFY2(offered.startsWith("SHA256:"), qPrintable(offered));  // the fingerprint was shown first
        QVERIFY(model.data(model.index(model.rowOf("box"), DeviceListModel::Status)).toString().startsWith("ready"));
        QVERIFY(details(panel, "box").contains("protocol 5"));
        QCOMPARE(check(panel, "down"), QString("unreachable"));
        QVERIFY(details(panel, "down").contains("connection refused"));
        QCOMPARE(check(panel, "old"), QString("wrong_version"));
        QVERIFY(details(panel, "old").contains("upgrade the agent"));
        QCOMPARE(check(panel, "noagent"), QString("agent_missing"));
        accept = false;
        QCOMPARE(check(panel, "wary"), QString("host_key_unknown"));
        QVERIFY(details(panel, "wary").contains("SHA256:"));
        QVERIFY(!QFile::exists(work_.filePath("known_hosts_wary")));  // nothing recorded without a yes

        if (qEnvironmentVariableIsSet("TAILPRUNE_SCREENSHOT_DIR")) {
            model.remove("wary");
            model.remove("noagent");
            model.remove("old");
            panel.show();
            QTest::qWait(200);
            panel.grab().save(qEnvironmentVariable("TAILPRUNE_SCREENSHOT_DIR") + "/devices_panel.png");
        }

        // The device is reinstalled: a changed key is refused and the panel names the line to review.
        const int port = sshd_.port();
        sshd_.stop();
        QVERIFY(sshd_.regenerateHostKey());
        QVERIFY(sshd_.start(port).isEmpty());
        QCOMPARE(check(panel, "box"), QString("host_key_changed"));
        QVERIFY2(details(panel, "box").contains("known_hosts_box"), qPrintable(details(panel, "box")));
    }

    // Install agent… on a device whose cmake is too old: the dialog names what is missing, copies
    // nothing and leaves the entry as it was.
    void installDialogNamesWhatIsMissing() {
        DeviceListModel model;
        model.load(work_.filePath("install-missing.json"));
        PassphrasePrompt prompt;
        DevicesPanel panel(&model, &prompt);
        panel.setHostKeyDecider([](const QString&, const QString&) { return true; });
        const QString bin = work_.filePath("old-cmake-bin");
        QVERIFY(makeOldCmake(bin));
        remote::DeviceEntry d = entry("oldjetson", sshd_.port(), "");
        d.env["PATH"] = (bin + ":/usr/bin:/bin").toStdString();
        d.env["HOME"] = work_.filePath("home-old").toStdString();
        QCOMPARE(model.addOrReplace(d), QString());
        QSignalSpy opened(&panel, &DevicesPanel::installStarted);
        panel.installAgent("oldjetson");
        QVERIFY(opened.wait(30000));
        auto* dialog = opened.first().first().value<AgentInstallDialog*>();
        QSignalSpy finished(dialog, &AgentInstallDialog::finished);
        QVERIFY(finished.wait(120000));
        QCOMPARE(dialog->outcome().status, remote::InstallOutcome::Status::Missing);
        const QString probe = dialog->findChild<QLabel*>("installProbe")->text();
        QVERIFY2(probe.contains("Missing") && probe.contains("3.16.3"), qPrintable(probe));
        QVERIFY(!dialog->findChild<QPushButton*>("installCancel")->isEnabled());
        QCOMPARE(model.device(model.rowOf("oldjetson")).agent, std::string());
        QVERIFY(!QFileInfo::exists(work_.filePath("home-old/.cache/tailprune/agent/incoming")));
        dialog->close();
    }

    // Install agent… for real, cancelled once the build runs: the build on the device ends (its
    // lock is released) and nothing is installed.
    void installDialogCancelEndsTheBuild() {
        DeviceListModel model;
        model.load(work_.filePath("install-cancel.json"));
        PassphrasePrompt prompt;
        DevicesPanel panel(&model, &prompt);
        panel.setHostKeyDecider([](const QString&, const QString&) { return true; });
        const QString home = work_.filePath("home-cancel");
        QVERIFY(QDir().mkpath(home));
        remote::DeviceEntry d = entry("edgebox", sshd_.port(), "");
        d.env["HOME"] = home.toStdString();
        QCOMPARE(model.addOrReplace(d), QString());
        QSignalSpy opened(&panel, &DevicesPanel::installStarted);
        panel.installAgent("edgebox");
        QVERIFY(opened.wait(30000));
        auto* dialog = opened.first().first().value<AgentInstallDialog*>();
        QSignalSpy finished(dialog, &AgentInstallDialog::finished);
        auto* stage = dialog->findChild<QLabel*>("installStage");
        QTRY_VERIFY_WITH_TIMEOUT(stage->text().startsWith("build"), 180000);  // configured, compiling
        QCOMPARE(QDir(home + "/.cache/tailprune/agent").entryList({".lock-*"}, QDir::Dirs | QDir::Hidden).size(), 1);
        if (qEnvironmentVariableIsSet("TAILPRUNE_SCREENSHOT_DIR")) {
            // A few compiled files in the log and on the bar.
            QTRY_VERIFY_WITH_TIMEOUT(dialog->logText().contains("[4/"), 120000);
            dialog->grab().save(qEnvironmentVariable("TAILPRUNE_SCREENSHOT_DIR") + "/install_agent.png");
        }
        dialog->findChild<QPushButton*>("installCancel")->click();
        QVERIFY(finished.wait(60000));
        QCOMPARE(dialog->outcome().status, remote::InstallOutcome::Status::Cancelled);
        QVERIFY2(dialog->logText().contains("cancelled (process"), qPrintable(dialog->logText().right(3000)));
        QTRY_COMPARE_WITH_TIMEOUT(
            QDir(home + "/.cache/tailprune/agent").entryList({".lock-*", ".stage-*"}, QDir::Dirs | QDir::Hidden).size(), 0,
            10000);
        QCOMPARE(model.device(model.rowOf("edgebox")).agent, std::string());
        dialog->close();
    }

    void passphraseThroughTheDialog_data() {
        QTest::addColumn<bool>("give");
        QTest::addColumn<QString>("state");
        QTest::newRow("given") << true << "ready";
        QTest::newRow("cancelled") << false << "passphrase_needed";
    }
    void passphraseThroughTheDialog() {
        QFETCH(bool, give);
        QFETCH(QString, state);
        DeviceListModel model;
        model.load(work_.filePath("pass.json"));
        PassphrasePrompt prompt;
        int asked = 0;
        prompt.setAsker([&](const QString& text) -> std::optional<QString> {
            ++asked;
            if (!text.contains("passphrase", Qt::CaseInsensitive)) return std::nullopt;
            if (!give) return std::nullopt;
            return QString("open sesame");
        });
        DevicesPanel panel(&model, &prompt);
        panel.setHostKeyDecider([](const QString&, const QString&) { return true; });
        model.addOrReplace(entry("pass", sshd_.port(), cli(), sshd_.passphraseKey("open sesame")));
        QCOMPARE(check(panel, "pass"), state);
        QVERIFY(asked >= 1);  // asked on the GUI thread through the socket
    }

    void editorMeasuresOnARemoteDevice() {
        // The studio as a user has it: the device list file, the shipped CPU profile, the editor.
        // The shipped CPU profile as if it had been measured on `box` (this machine, reached over ssh).
        QTemporaryDir profiles;
        const std::string shipped =
            tp::read_text_file(TAILPRUNE_SOURCE_DIR "/profiles/cpu-2core_fmnist_vit8_fp32_b1_blocks.json.gz");
        QJsonObject doc = QJsonDocument::fromJson(QByteArray::fromStdString(shipped)).object();
        QVERIFY(!doc.isEmpty());
        QJsonObject device = doc.value("device").toObject();
        const QString reached = QString("%1@127.0.0.1:%2").arg(userName()).arg(sshd_.port());
        device.insert("host", reached);
        doc.insert("device", device);
        QFile copy(profiles.filePath("fmnist_on_box.json"));
        QVERIFY(copy.open(QIODevice::WriteOnly));
        copy.write(QJsonDocument(doc).toJson(QJsonDocument::Compact));
        copy.close();
        qputenv("TAILPRUNE_PROFILES", profiles.path().toUtf8());
        const QString list = work_.filePath("editor.json");
        {
            DeviceListModel seed;
            seed.load(list);
            QCOMPARE(seed.addOrReplace(entry("box", sshd_.port(), cli())), QString());
        }
        QFile::remove(work_.filePath("known_hosts_box"));
        qputenv("TAILPRUNE_DEVICES", list.toUtf8());
        MainWindow window;
        qunsetenv("TAILPRUNE_DEVICES");
        ScheduleEditor* editor = install_schedule_editor(window);
        QVERIFY(QTest::qWaitFor([&] { return !editor->profiles().empty(); }, 30000));
        QVERIFY(editor->setMethod("topk"));
        auto* actions = editor->findChild<ScheduleActions*>();
        QVERIFY(actions);
        actions->setCurrentDevice("box");
        QCOMPARE(actions->currentDevice(), QString("box"));
        QSignalSpy finished(actions, &ScheduleActions::jobFinished);
        QVERIFY2(actions->measure(1), qPrintable(actions->message()));
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.last().first().toBool(), qPrintable(actions->message()));
        QVERIFY2(actions->message().contains("on box"), qPrintable(actions->message()));
        QVERIFY2(editor->latencyReadout()->cellText(0, 4).contains("ms"), qPrintable(editor->latencyReadout()->cellText(0, 4)));
    }

    void twoDevicesAtOnceOneCut() {
        DeviceListModel model;
        model.load(work_.filePath("two.json"));
        PassphrasePrompt prompt;
        DevicesPanel panel(&model, &prompt);
        TcpRelay relay(sshd_.port());
        model.addOrReplace(entry("steady", sshd_.port(), cli()));
        model.addOrReplace(entry("flaky", relay.port(), cli()));
        QFile::remove(work_.filePath("known_hosts_steady"));
        QFile::remove(work_.filePath("known_hosts_flaky"));

        AgentClient local;
        ProfilingDialog dialog(&local);
        dialog.setDevices(&panel);
        dialog.resize(1000, 700);
        dialog.selectDevices({"steady", "flaky"});
        QCOMPARE(dialog.selectedDevices(), (QStringList{"steady", "flaky"}));
        dialog.modelCombo()->setCurrentText(QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors");
        dialog.scopesEdit()->setText("model,block:3");
        dialog.tokensEdit()->setText("2..50:2");
        dialog.roundsSpin()->setValue(2);
        dialog.minSamplesSpin()->setValue(5);
        dialog.minTimeSpin()->setValue(0.04);
        QSignalSpy measured(&dialog, &ProfilingDialog::profileMeasured);
        QSignalSpy done(&dialog, &ProfilingDialog::runFinished);
        dialog.startButton()->click();
        QVERIFY(dialog.isRunning());
        // Both devices are measuring; then the flaky one's link is cut.
        QVERIFY(QTest::qWaitFor([&] { return dialog.pointsReceived("steady") >= 2 && dialog.pointsReceived("flaky") >= 2; }, 120000));
        QVERIFY(relay.accepted() >= 1);
        relay.cut();
        // A device's sweep is a detached session: the cut one says so, reconnects by itself and
        // completes too; the other goes on undisturbed.
        QVERIFY2(QTest::qWaitFor([&] { return dialog.deviceStatus("flaky").contains("link lost, session still running"); }, 60000),
                 qPrintable(dialog.deviceStatus("flaky")));
        QVERIFY2(done.wait(240000), "the sweeps did not end");
        QCOMPARE(done.front().front().toBool(), true);  // every device completed
        QVERIFY2(dialog.deviceStatus("steady").startsWith("Done"), qPrintable(dialog.deviceStatus("steady")));
        QVERIFY2(dialog.deviceStatus("flaky").startsWith("Done"), qPrintable(dialog.deviceStatus("flaky")));
        QVERIFY(relay.accepted() >= 2);  // it came back through the relay
        // The steady device's profile is complete and says where it was measured.
        bool steadyComplete = false;
        for (const auto& args : measured) {
            const Profile p = args.at(0).value<Profile>();
            if (p.device.extra.count("tailprune_device") && p.device.extra.at("tailprune_device") == "steady") {
                steadyComplete = !p.partial() && p.curves.size() == 2;
            if (p.device.extra.count("tailprune_device") && p.device.extra.at("tailprune_device") == "flaky")
                QVERIFY(!p.partial() && p.curves.size() == 2);
                QCOMPARE(QString::fromStdString(p.device.host), QString("%1@127.0.0.1:%2").arg(userName()).arg(sshd_.port()));
            }
        }
        QVERIFY(steadyComplete);
        // One colour per device: every graph of a device has that device's pen colour.
        QMap<QString, QColor> colours;
        for (int i = 0; i < dialog.plot()->graphCount(); ++i) {
            QCPGraph* g = dialog.plot()->graph(i);
            const QString device = g->property("device").toString();
            if (colours.contains(device)) QCOMPARE(g->pen().color(), colours[device]);
            colours[device] = g->pen().color();
        }
        QCOMPARE(colours.size(), 2);
        QVERIFY(colours["steady"] != colours["flaky"]);
        if (qEnvironmentVariableIsSet("TAILPRUNE_SCREENSHOT_DIR")) {
            dialog.show();
            QTest::qWait(300);
            dialog.grab().save(qEnvironmentVariable("TAILPRUNE_SCREENSHOT_DIR") + "/two_devices_ssh.png");
        }
    }
};

QTEST_MAIN(TestDevices)
#include "tst_ui_devices.moc"
