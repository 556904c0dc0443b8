// The studio's device form (ui/device_edit_dialog.*) for SSH and Slurm devices, driven as a user
// types: valid entries written through the Devices tab's model to devices.json and read back field
// for field; every invalid field refused by core's rules (remote::validate, validate_in_list) with
// one message naming the field as the form labels it, that field marked and OK off. No device is
// contacted. `screenshot` renders the Slurm form (docs/screenshots/slurm_device.png).
#include <algorithm>

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "core/remote/device_list.h"
#include "ui/device_edit_dialog.h"
#include "ui/device_list_model.h"
#include "ui/devices_panel.h"
#include "ui/passphrase_prompt.h"

using namespace tp;
using namespace tp::ui;

Q_DECLARE_METATYPE(tp::remote::DeviceEntry)

namespace {

remote::DeviceEntry loginNode() {
    remote::DeviceEntry d;
    d.name = "hpc-login";
    d.user = "me";
    d.host = "login.hpc.lab";
    d.agent = "/bin/true";
    return d;
}

// Every Slurm field filled in.
remote::DeviceEntry fullSlurm(const std::string& login) {
    remote::DeviceEntry d;
    d.name = "gpu-a100";
    d.transport = "slurm";
    d.login = login;
    d.agent = "/shared/tailprune/build/app/tailprune";
    d.partition = "gpu";
    d.account = "lab";
    d.time_limit = "2:00:00";
    d.gres = "gpu:a100:1";
    d.gpus = "1";
    d.cpus_per_task = 8;
    d.srun_flags = {"--exclusive", "--mem=16G"};
    d.srun = "/opt/slurm/bin/srun";
    d.sessions_dir = "/shared/tailprune/sessions";
    d.env = {{"LD_LIBRARY_PATH", "/usr/local/cuda/lib64"}, {"TAILPRUNE_AGENT_ROOTS", "/scratch/me"}};
    d.notes = "A100 partition";
    return d;
}

template <class W>
W* child(const QWidget& parent, const char* name) {
    W* w = parent.findChild<W*>(name);
    if (!w) qFatal("no widget %s", name);
    return w;
}

// Types the entry into the form field by field, as a user would (transport first).
void typeInto(DeviceEditDialog& dialog, const remote::DeviceEntry& d) {
    auto* transport = child<QComboBox>(dialog, "deviceTransport");
    transport->setCurrentIndex(transport->findData(QString::fromStdString(d.transport)));
    auto set = [&](const char* name, const std::string& value) {
        auto* e = child<QLineEdit>(dialog, name);
        e->clear();
        QTest::keyClicks(e, QString::fromStdString(value));
    };
    set("deviceName", d.name);
    set("deviceAgent", d.agent);
    set("deviceNotes", d.notes);
    QStringList env;
    for (const auto& [k, v] : d.env) env << QString::fromStdString(k + "=" + v);
    child<QPlainTextEdit>(dialog, "deviceEnv")->setPlainText(env.join('\n'));
    if (d.is_slurm()) {
        auto* login = child<QComboBox>(dialog, "deviceLogin");
        login->setCurrentIndex(login->findData(QString::fromStdString(d.login)));
        set("devicePartition", d.partition);
        set("deviceAccount", d.account);
        set("deviceTimeLimit", d.time_limit);
        set("deviceGres", d.gres);
        set("deviceGpus", d.gpus);
        child<QSpinBox>(dialog, "deviceCpusPerTask")->setValue(d.cpus_per_task);
        QStringList flags;
        for (const auto& f : d.srun_flags) flags << QString::fromStdString(f);
        child<QPlainTextEdit>(dialog, "deviceSrunFlags")->setPlainText(flags.join('\n'));
        set("deviceSrun", d.srun);
        set("deviceSessionsDir", d.sessions_dir);
    } else {
        set("deviceDestination", d.destination());
        child<QSpinBox>(dialog, "devicePort")->setValue(d.port);
    }
}

QByteArray entryJson(const remote::DeviceEntry& d) {
    return QByteArray::fromStdString(remote::to_json(remote::DeviceList{{d}})["devices"][0].dump());
}

}  // namespace

class DeviceForm : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString devices() const { return dir_.filePath("devices.json"); }
    // A list holding the login node (and, when asked, one more entry).
    void writeList(const std::vector<remote::DeviceEntry>& more = {}) {
        remote::DeviceList list{{loginNode()}};
        for (const auto& d : more) list.devices.push_back(d);
        remote::save_device_list(list, devices().toStdString());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        qputenv("TAILPRUNE_DEVICES", devices().toUtf8());
    }

    // Valid entries: typed into the form, accepted, written by the Devices tab's model, read back
    // from the file equal field for field; opened again for editing, the form gives the same entry.
    void validEntriesRoundTrip_data() {
        QTest::addColumn<remote::DeviceEntry>("entry");
        QTest::newRow("slurm, srun here, every field") << fullSlurm("");
        QTest::newRow("slurm through a login node") << fullSlurm("hpc-login");
        remote::DeviceEntry minimal;
        minimal.name = "cluster";
        minimal.transport = "slurm";
        minimal.agent = "/shared/tp";
        QTest::newRow("slurm, only the agent") << minimal;
        remote::DeviceEntry unlimited = minimal;
        unlimited.time_limit = "1-12:30";
        unlimited.gpus = "a100:2";
        unlimited.srun_flags = {"--begin=now+1hour"};
        QTest::newRow("slurm, days-hours time and typed GPUs") << unlimited;
        remote::DeviceEntry ssh;
        ssh.name = "jetson";
        ssh.user = "nvidia";
        ssh.host = "jetson.lab";
        ssh.port = 2222;
        ssh.agent = "/home/nvidia/tailprune";
        ssh.env = {{"CUDA_VISIBLE_DEVICES", "0"}};
        QTest::newRow("ssh") << ssh;
    }
    void validEntriesRoundTrip() {
        QFETCH(remote::DeviceEntry, entry);
        writeList();
        DeviceListModel model;
        QCOMPARE(model.load(devices()), QString());
        DevicesPanel panel(&model, nullptr);
        DeviceEditDialog dialog;
        dialog.setDeviceList(panel.deviceList());
        typeInto(dialog, entry);
        QCOMPARE(dialog.validationError(), QString());
        QCOMPARE(child<QLabel>(dialog, "deviceError")->text(), QString());
        QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
        QCOMPARE(entryJson(dialog.device()), entryJson(entry));
        QCOMPARE(model.addOrReplace(dialog.device()), QString());

        const remote::DeviceList saved = remote::load_device_list(devices().toStdString());
        const remote::DeviceEntry* written = saved.find(entry.name);
        QVERIFY(written);
        QCOMPARE(entryJson(*written), entryJson(entry));
        QVERIFY(saved.find("hpc-login"));  // the rest of the list kept

        DeviceEditDialog again;
        again.setDeviceList(panel.deviceList());
        again.setDevice(*written);
        QCOMPARE(again.transport(), QString::fromStdString(entry.transport));
        QCOMPARE(entryJson(again.device()), entryJson(entry));
        QCOMPARE(again.validationError(), QString());
    }

    // Editing a Slurm entry through the Devices tab (Edit…): the dialog opens as the Slurm form with
    // every field, a change is saved, nothing else is lost (the entry stays a Slurm entry).
    void editingASlurmEntryKeepsItsFields() {
        writeList({fullSlurm("hpc-login")});
        DeviceListModel model;
        QCOMPARE(model.load(devices()), QString());
        DevicesPanel panel(&model, nullptr);
        panel.view()->selectRow(model.rowOf("gpu-a100"));
        bool seen = false;
        QTimer::singleShot(0, this, [&] {
            auto* dialog = qobject_cast<DeviceEditDialog*>(QApplication::activeModalWidget());
            if (!dialog) return;
            seen = dialog->transport() == "slurm" && dialog->windowTitle() == "Slurm device";
            auto* partition = child<QLineEdit>(*dialog, "devicePartition");
            partition->clear();
            QTest::keyClicks(partition, "gpu-long");
            dialog->accept();
        });
        panel.editSelected();
        QVERIFY(seen);
        remote::DeviceEntry want = fullSlurm("hpc-login");
        want.partition = "gpu-long";
        const remote::DeviceList saved = remote::load_device_list(devices().toStdString());
        QVERIFY(saved.find("gpu-a100"));
        QCOMPARE(entryJson(*saved.find("gpu-a100")), entryJson(want));
    }

    // One invalid field at a time in an otherwise valid Slurm entry: one message that names the
    // field as the form labels it, with core's reason; that field is marked; OK is off.
    void invalidFieldNamed_data() {
        QTest::addColumn<QString>("field");    // core's field
        QTest::addColumn<QString>("value");    // what is typed
        QTest::addColumn<QString>("message");  // the whole message, or its start and reason
        QTest::newRow("name with a space") << "name" << "gpu a100" << "Name: 'gpu a100' is not a device name";
        QTest::newRow("agent path relative") << "agent" << "build/app/tailprune"
                                             << "Agent path: 'build/app/tailprune' must be an absolute path";
        QTest::newRow("agent path missing") << "agent" << "" << "Agent path: a slurm device needs the agent's absolute path";
        QTest::newRow("partition like an option") << "partition" << "-p" << "Partition: '-p' must not start with '-'";
        QTest::newRow("account with a control character") << "account" << "lab\x07" << "Account: holds a control character";
        QTest::newRow("time limit in hours") << "time_limit" << "2h" << "Time limit: '2h' is not a Slurm time";
        QTest::newRow("gres like an option") << "gres" << "--gres=gpu" << "GRES: '--gres=gpu' must not start with '-'";
        QTest::newRow("gpus not a count") << "gpus" << "two" << "GPUs: 'two' is not a GPU count";
        QTest::newRow("srun option --pty") << "srun_flags" << "--exclusive\n--pty"
                                           << "srun options, line 2: '--pty' breaks the agent's stdio pipe (no --pty, no -u)";
        QTest::newRow("srun option -u") << "srun_flags" << "-u" << "srun options, line 1: '-u' breaks the agent's stdio pipe";
        QTest::newRow("srun option without a dash") << "srun_flags" << "exclusive"
                                                    << "srun options, line 1: 'exclusive' is not an srun option";
        QTest::newRow("srun path relative") << "srun" << "bin/srun"
                                            << "srun path: 'bin/srun' must be an absolute path or a plain program name";
        QTest::newRow("sessions folder relative") << "sessions_dir" << "sessions"
                                                  << "Batch sessions folder: 'sessions' must be an absolute path";
        QTest::newRow("environment name") << "env" << "1X=2"
                                          << "Environment (KEY=VALUE), 1X: '1X' is not an environment variable name";
        QTest::newRow("login not in the list") << "login" << "gone"
                                               << "srun runs on: no device named 'gone' in the list (ssh devices: hpc-login)";
        QTest::newRow("login a slurm device") << "login" << "other-cluster"
                                              << "srun runs on: 'other-cluster' is a slurm device; the login node must be an ssh device";
    }
    void invalidFieldNamed() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, message);
        remote::DeviceEntry other = fullSlurm("");
        other.name = "other-cluster";
        remote::DeviceList list{{loginNode(), other}};
        DeviceEditDialog dialog;
        dialog.setDeviceList(list);
        remote::DeviceEntry entry = fullSlurm("hpc-login");
        if (field == "login") {
            entry.login = value.toStdString();  // an entry naming it, opened for editing
            dialog.setDevice(entry);
        } else {
            typeInto(dialog, entry);
            QCOMPARE(dialog.validationError(), QString());
            QWidget* w = dialog.fieldWidget(field);
            QVERIFY(w);
            if (auto* e = qobject_cast<QLineEdit*>(w)) {
                e->clear();
                const bool control = std::any_of(value.begin(), value.end(), [](QChar c) { return c.unicode() < 0x20; });
                if (control) e->insert(value);  // pasted: a control character cannot be typed
                else QTest::keyClicks(e, value);
                QCOMPARE(e->text(), value);
            } else if (auto* t = qobject_cast<QPlainTextEdit*>(w)) {
                t->setPlainText(value);
            } else {
                QFAIL("not a text field");
            }
        }
        const QString error = child<QLabel>(dialog, "deviceError")->text();
        QVERIFY2(error.startsWith(message), qPrintable(error));
        QCOMPARE(error, dialog.validationError());
        QVERIFY2(!error.contains('\n'), qPrintable(error));  // one message
        QCOMPARE(dialog.errorField(), field);
        QVERIFY(!dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
        QVERIFY(dialog.fieldWidget(field)->styleSheet().contains("border"));  // marked
        // Put right again, the mark and the message go.
        if (field != "login") {
            QWidget* w = dialog.fieldWidget(field);
            const remote::DeviceEntry good = fullSlurm("hpc-login");
            if (auto* e = qobject_cast<QLineEdit*>(w)) {
                const std::map<QString, std::string> values = {{"name", good.name}, {"agent", good.agent},
                    {"partition", good.partition}, {"account", good.account}, {"time_limit", good.time_limit},
                    {"gres", good.gres}, {"gpus", good.gpus}, {"srun", good.srun}, {"sessions_dir", good.sessions_dir}};
                e->setText(QString::fromStdString(values.at(field)));
            } else if (auto* t = qobject_cast<QPlainTextEdit*>(w)) {
                t->setPlainText(field == "env" ? "LD_LIBRARY_PATH=/usr/local/cuda/lib64\nTAILPRUNE_AGENT_ROOTS=/scratch/me"
                                               : "--exclusive\n--mem=16G");
            }
            QCOMPARE(dialog.validationError(), QString());
            QVERIFY(w->styleSheet().isEmpty());
        } else {
            auto* login = child<QComboBox>(dialog, "deviceLogin");
            login->setCurrentIndex(login->findData("hpc-login"));
            QCOMPARE(dialog.validationError(), QString());
        }
    }

    // The login choices: this machine, then the SSH devices of the list (not Slurm ones).
    void loginChoicesAreTheSshDevices() {
        remote::DeviceEntry other = fullSlurm("");
        other.name = "other-cluster";
        DeviceEditDialog dialog;
        dialog.setDeviceList(remote::DeviceList{{loginNode(), other}});
        dialog.setTransport("slurm");
        auto* login = child<QComboBox>(dialog, "deviceLogin");
        QCOMPARE(login->count(), 2);
        QCOMPARE(login->itemData(0).toString(), QString());
        QCOMPARE(login->itemData(1).toString(), QString("hpc-login"));
        // The SSH rows are hidden for a Slurm device and the Slurm rows for an SSH device.
        QVERIFY(!child<QLineEdit>(dialog, "deviceDestination")->isVisibleTo(&dialog));
        QVERIFY(child<QLineEdit>(dialog, "devicePartition")->isVisibleTo(&dialog));
        dialog.setTransport("ssh");
        QVERIFY(child<QLineEdit>(dialog, "deviceDestination")->isVisibleTo(&dialog));
        QVERIFY(!child<QLineEdit>(dialog, "devicePartition")->isVisibleTo(&dialog));
    }

    // The Slurm form as a user sees it, with an srun option it refuses: rendered offscreen, saved to
    // $TAILPRUNE_SCREENSHOT_DIR/slurm_device.png when that is set (docs/screenshots), else here.
    void screenshot() {
        const QString out = qEnvironmentVariable("TAILPRUNE_SCREENSHOT_DIR", dir_.path());
        DeviceEditDialog dialog;
        dialog.setDeviceList(remote::DeviceList{{loginNode()}});
        typeInto(dialog, fullSlurm("hpc-login"));
        child<QPlainTextEdit>(dialog, "deviceSrunFlags")->setPlainText("--exclusive\n--pty");
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::qWait(50);
        const QImage shot = dialog.grab().toImage();
        QVERIFY(shot.width() >= 560 && shot.height() > 300);
        // Everything the form holds is inside the window (nothing cut off at the bottom).
        const QWidget* notes = child<QLineEdit>(dialog, "deviceNotes");
        QVERIFY(notes->mapTo(&dialog, QPoint(0, notes->height())).y() <= dialog.height());
        QVERIFY(shot.save(out + "/slurm_device.png"));
    }
};

QTEST_MAIN(DeviceForm)
#include "tst_ui_device_form.moc"
