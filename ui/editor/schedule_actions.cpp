#include "ui/editor/schedule_actions.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>

#include "core/model/schedule_json.h"
#include "core/remote/agent_connection.h"
#include "ui/agent_client.h"
#include "ui/device_list_model.h"
#include "ui/devices_panel.h"
#include "ui/editor/schedule_editor.h"
#include "ui/editor/schedule_store_io.h"
#ifdef TAILPRUNE_HAS_STORE
#include "core/store/store_location.h"
#endif

namespace tp::ui {
namespace {

QJsonObject schedule_json(const Schedule& s) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(to_json(s).dump())).object();
}

Measurement measurement_from(const QJsonObject& o) {
    Measurement m;
    m.kind = o.value("kind").toString().toStdString();
    m.value = o.value("value").toDouble();
    m.low = o.value("low").toDouble(m.value);
    m.high = o.value("high").toDouble(m.value);
    m.device = o.value("device").toString().toStdString();
    m.dataset = o.value("dataset").toString().toStdString();
    m.images = o.value("images").toInt();
    m.date = o.value("date").toString().toStdString();
    m.tool_version = o.value("tool_version").toString().toStdString();
    return m;
}

QString duration_text(double seconds) {
    if (seconds < 90) return QString("%1 s").arg(qRound(seconds));
    return QString("%1 min %2 s").arg(int(seconds) / 60).arg(int(seconds) % 60);
}

}  // namespace

ScheduleActions::ScheduleActions(ScheduleEditor* editor, AgentClient* agent, QWidget* parent)
    : QWidget(parent), editor_(editor), agent_(agent) {
    setObjectName("scheduleActions");
    measureButton_ = new QPushButton("Measure latency");
    measureButton_->setObjectName("measureButton");
    measureButton_->setToolTip("Time this schedule end to end (and the unpruned model) through the agent");
    evaluateButton_ = new QPushButton("Evaluate accuracy");
    evaluateButton_->setObjectName("evaluateButton");
    device_ = new QComboBox;
    device_->setObjectName("actionsDevice");
    device_->addItem("local");
    device_->setToolTip("Where Measure and Evaluate run: this machine, or a device of the Devices tab (over SSH)");
    connect(device_, &QComboBox::currentTextChanged, this, &ScheduleActions::deviceChanged);
    cancelButton_ = new QPushButton("Cancel");
    cancelButton_->setEnabled(false);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    remaining_ = new QLabel;
    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    storePath_ = new QLineEdit;
    storePath_->setObjectName("storePath");
#ifdef TAILPRUNE_HAS_STORE
    storePath_->setText(QString::fromStdString(store::resolve_store_path({})));
#endif
    auto* save = new QPushButton("Save to store…");
    auto* open = new QPushButton("Open…");
    auto* exportButton = new QPushButton("Export…");
    auto* importButton = new QPushButton("Open file…");
    importButton->setObjectName("importScheduleButton");
    importButton->setToolTip("Open a schedule JSON file (an export, or `tailprune search -o`)");

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 6, 0, 0);
    grid->addWidget(measureButton_, 0, 0);
    grid->addWidget(evaluateButton_, 0, 1);
    grid->addWidget(cancelButton_, 0, 2);
    grid->addWidget(new QLabel("on"), 0, 3);
    grid->addWidget(device_, 0, 4);
    grid->addWidget(progress_, 1, 0, 1, 2);
    grid->addWidget(remaining_, 1, 2);
    grid->addWidget(new QLabel("Store"), 2, 0);
    grid->addWidget(storePath_, 2, 1, 1, 2);
    grid->addWidget(save, 3, 0);
    grid->addWidget(open, 3, 1);
    grid->addWidget(exportButton, 3, 2);
    grid->addWidget(importButton, 3, 3, 1, 2);
    grid->addWidget(message_, 4, 0, 1, 3);

    connect(measureButton_, &QPushButton::clicked, this, [this] { measure(); });
    connect(evaluateButton_, &QPushButton::clicked, this, [this] { evaluate(); });
    connect(cancelButton_, &QPushButton::clicked, this, &ScheduleActions::cancel);
    connect(save, &QPushButton::clicked, this, &ScheduleActions::saveDialog);
    connect(open, &QPushButton::clicked, this, &ScheduleActions::openDialog);
    connect(exportButton, &QPushButton::clicked, this, &ScheduleActions::exportDialog);
    connect(importButton, &QPushButton::clicked, this, &ScheduleActions::importDialog);
    if (agent_) {
        listen(agent_);
    } else {
        measureButton_->setEnabled(false);
        evaluateButton_->setEnabled(false);
        measureButton_->setToolTip("No agent: start the studio next to the tailprune binary");
    }
}

void ScheduleActions::listen(AgentClient* client) {
    connect(client, &AgentClient::eventReceived, this,
            [this, client](int id, const QString& name, const QJsonObject& e) { onEvent(client, id, name, e); });
    connect(client, &AgentClient::requestFinished, this,
            [this, client](int id, bool ok, const QJsonObject& e) { onFinished(client, id, ok, e); });
}

void ScheduleActions::setDevices(DevicesPanel* devices) {
    devices_ = devices;
    refreshDevices();
    if (devices_) connect(devices_->model(), &DeviceListModel::listChanged, this, &ScheduleActions::refreshDevices);
}

void ScheduleActions::refreshDevices() {
    const QString current = device_->currentText();
    const QSignalBlocker block(device_);
    device_->clear();
    device_->addItems(devices_ ? devices_->model()->names() : QStringList{"local"});
    device_->setCurrentText(device_->findText(current) >= 0 ? current : "local");
    // A changed entry must reach its device as it is now: drop idle agents of devices that changed.
    for (auto it = remoteAgents_.begin(); it != remoteAgents_.end();) {
        if (it.value() == jobClient_) {
            ++it;
            continue;
        }
        it.value()->deleteLater();
        it = remoteAgents_.erase(it);
    }
}

QString ScheduleActions::currentDevice() const { return device_->currentText(); }

void ScheduleActions::setCurrentDevice(const QString& name) {
    if (device_->findText(name) >= 0) device_->setCurrentText(name);
}

AgentClient* ScheduleActions::clientFor(const QString& device) {
    if (device == "local" || device.isEmpty() || !devices_) return agent_;
    if (AgentClient* existing = remoteAgents_.value(device)) return existing;
    auto* client = new AgentClient(this);
    client->setDevice(devices_->connectOptions(device));
    listen(client);
    remoteAgents_.insert(device, client);
    return client;
}

void ScheduleActions::setStorePath(const QString& path) { storePath_->setText(path); }
QString ScheduleActions::storePath() const { return storePath_->text(); }

void ScheduleActions::setEvaluation(const QString& weights, const QString& dataset, const QString& split, int limit) {
    weights_ = weights;
    dataset_ = dataset;
    split_ = split;
    limit_ = limit;
}

bool ScheduleActions::startJob(const QString& cmd, const QJsonObject& fields, const QString& what) {
    AgentClient* client = clientFor(currentDevice());
    if (!client) {
        showMessage("No agent to " + cmd + " with.", true);
        return false;
    }
    if (jobId_ != 0) {
        showMessage("A " + jobWhat_ + " is still running: cancel it or wait.", true);
        return false;
    }
    jobClient_ = client;
    jobDevice_ = currentDevice();
    jobId_ = client->request(cmd, fields);
    jobWhat_ = what;
    jobClock_.start();
    progress_->setRange(0, 0);  // busy until the first progress event
    remaining_->setText("starting…");
    cancelButton_->setEnabled(true);
    showMessage(what + (jobDevice_ == "local" ? " running through the agent…" : " running on " + jobDevice_ + "…"), false);
    return true;
}

bool ScheduleActions::measure(int rounds) {
    const Schedule& s = editor_->schedule();
    QJsonObject fields{{"schedule", schedule_json(s)}, {"rounds", rounds}};
    // Trained weights where the studio has them for this model; otherwise the preset of that name
    // (random weights: latency does not depend on their values).
    if (!weights_.isEmpty()) fields.insert("weights", weights_);
    else fields.insert("model", QString::fromStdString(s.model.name));
    return startJob("measure", fields, "latency measurement");
}

bool ScheduleActions::evaluate() {
    const Schedule& s = editor_->schedule();
    QJsonObject fields{{"schedule", schedule_json(s)}, {"dataset", dataset_}, {"split", split_}, {"limit", limit_}};
    if (!weights_.isEmpty()) fields.insert("weights", weights_);
    return startJob("evaluate", fields, "accuracy evaluation");
}

void ScheduleActions::cancel() {
    if (jobId_ != 0 && jobClient_) {
        jobClient_->cancel(jobId_);
        remaining_->setText("cancelling…");
    }
}

void ScheduleActions::onEvent(AgentClient* client, int id, const QString& name, const QJsonObject& event) {
    if (client != jobClient_ || id != jobId_ || name != "progress") return;
    const int done = event.value("done").toInt();
    const int total = event.value("total").toInt();
    if (total <= 0) return;
    progress_->setRange(0, total);
    progress_->setValue(done);
    const double elapsed = jobClock_.elapsed() / 1000.0;
    const double eta = event.contains("eta_s") ? event.value("eta_s").toDouble()
                       : done > 0             ? elapsed * (total - done) / done
                                              : -1;
    remaining_->setText(eta >= 0 ? duration_text(eta) + " left" : "");
}

void ScheduleActions::onFinished(AgentClient* client, int id, bool ok, const QJsonObject& event) {
    if (client != jobClient_ || id != jobId_) return;
    const QString what = jobWhat_;
    const QString on = jobDevice_ == "local" ? QString() : " on " + jobDevice_;
    jobId_ = 0;
    jobClient_ = nullptr;
    cancelButton_->setEnabled(false);
    progress_->setRange(0, 1);
    progress_->setValue(ok ? 1 : 0);
    remaining_->clear();
    const QJsonObject result = event.value("result").toObject();
    if (!ok) {
        showMessage(what + on + " failed: " + event.value("message").toString(client->stderrTail()), true);
    } else if (result.value("cancelled").toBool()) {
        showMessage(what + " cancelled.", false);
    } else if (result.contains("measurement")) {
        Measurement m = measurement_from(result.value("measurement").toObject());
        // Which device it was made on: the agent's own description, and the device it was reached as.
        // The agent names itself "kind:name@local"; seen from here it is the device as reached, so the
        // measurement lands on the row of a profile measured on that device, never on a local one.
        if (!on.isEmpty() && devices_) {
            const int row = devices_->model()->rowOf(jobDevice_);
            const std::string reached = row >= 0 ? remote::reached_on(devices_->model()->device(row)) : jobDevice_.toStdString();
            const std::string suffix = "@local";
            if (m.device.size() >= suffix.size() && m.device.compare(m.device.size() - suffix.size(), suffix.size(), suffix) == 0)
                m.device = m.device.substr(0, m.device.size() - suffix.size()) + "@" + reached;
            else
                m.device += " on " + reached;
        }
        editor_->addMeasurement(m);
        showMessage(QString("%1%2 done in %3: %4").arg(what, on, duration_text(jobClock_.elapsed() / 1000.0))
                        .arg(m.kind == "latency" ? QString("%1 ms").arg(m.value, 0, 'f', 3)
                                                 : QString("top-1 %1%").arg(100 * m.value, 0, 'f', 1)),
                    false);
    } else {
        showMessage(what + " ended without a measurement.", true);
        ok = false;
    }
    Q_EMIT jobFinished(ok);
}

bool ScheduleActions::save(const QString& name, const QString& notes, const QString& status) {
    Schedule s = editor_->schedule();
    s.name = name.trimmed().toStdString();
    s.notes = notes.toStdString();
    s.status = status.toStdString();
    if (s.name.empty()) {
        showMessage("A schedule needs a name to be saved.", true);
        return false;
    }
    try {
        const SavedScheduleRef ref = save_schedule_to_store(storePath(), s);
        s.revision = ref.revision;
        editor_->document()->commit(s, "Save as " + name);
        showMessage(QString("Saved '%1' revision %2 in %3.").arg(name).arg(ref.revision).arg(storePath()), false);
        return true;
    } catch (const std::exception& e) {
        showMessage("Save failed: " + QString::fromUtf8(e.what()), true);
        return false;
    }
}

bool ScheduleActions::open(const QString& idOrName, int revision) {
    try {
        const Schedule s = load_schedule_from_store(storePath(), idOrName, revision);
        QString error;
        if (!editor_->openSchedule(s, &error)) {
            showMessage(error, true);
            return false;
        }
        showMessage(QString("Opened '%1' revision %2.").arg(idOrName).arg(s.revision), false);
        return true;
    } catch (const std::exception& e) {
        showMessage("Open failed: " + QString::fromUtf8(e.what()), true);
        return false;
    }
}

bool ScheduleActions::exportTo(const QString& path) {
    try {
        export_schedule(editor_->schedule(), path);
        showMessage("Exported to " + path, false);
        return true;
    } catch (const std::exception& e) {
        showMessage("Export failed: " + QString::fromUtf8(e.what()), true);
        return false;
    }
}

bool ScheduleActions::importFrom(const QString& path) {
    Schedule s;
    try {
        s = load_schedule(path.toStdString());
    } catch (const std::exception& e) {
        showMessage("Cannot open " + path + ": " + QString::fromUtf8(e.what()), true);
        return false;
    }
    QString error;
    if (!editor_->openSchedule(s, &error)) {
        showMessage(error, true);
        return false;
    }
    showMessage(QString("Opened '%1' from %2.").arg(QString::fromStdString(s.name), path), false);
    return true;
}

void ScheduleActions::saveDialog() {
    QDialog dialog(this);
    dialog.setWindowTitle("Save schedule to the store");
    auto* name = new QLineEdit(QString::fromStdString(editor_->schedule().name));
    auto* notes = new QPlainTextEdit(QString::fromStdString(editor_->schedule().notes));
    auto* status = new QComboBox;
    status->addItems({"draft", "approved", "deployed"});
    status->setCurrentText(QString::fromStdString(editor_->schedule().status));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    auto* form = new QFormLayout(&dialog);
    form->addRow("Name", name);
    form->addRow("Notes", notes);
    form->addRow("Status", status);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted) save(name->text(), notes->toPlainText(), status->currentText());
}

void ScheduleActions::openDialog() {
    std::vector<StoredScheduleEntry> entries;
    try {
        entries = list_stored_schedules(storePath());
    } catch (const std::exception& e) {
        showMessage("Cannot list " + storePath() + ": " + QString::fromUtf8(e.what()), true);
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle("Open a saved schedule");
    auto* list = new QListWidget;
    for (const auto& e : entries) list->addItem(e.label);
    auto* revision = new QComboBox;
    connect(list, &QListWidget::currentRowChanged, revision, [&entries, revision](int row) {
        revision->clear();
        if (row < 0) return;
        for (int r : entries[static_cast<std::size_t>(row)].revisions) revision->addItem(QString("revision %1").arg(r), r);
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    auto* form = new QFormLayout(&dialog);
    form->addRow(list);
    form->addRow("Revision", revision);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted && list->currentRow() >= 0)
        open(entries[static_cast<std::size_t>(list->currentRow())].name, revision->currentData().toInt());
}

void ScheduleActions::exportDialog() {
    const QString path = QFileDialog::getSaveFileName(this, "Export schedule", QString::fromStdString(editor_->schedule().name),
                                                      "Schedule JSON (*.json);;Schedule CSV (*.csv)");
    if (!path.isEmpty()) exportTo(path);
}

void ScheduleActions::importDialog() {
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, "Open a schedule file", settings.value("ui/lastScheduleDir").toString(),
                                                      "Schedule JSON (*.json);;All files (*)");
    if (path.isEmpty()) return;
    settings.setValue("ui/lastScheduleDir", QFileInfo(path).absolutePath());
    importFrom(path);
}

void ScheduleActions::showMessage(const QString& text, bool error) {
    message_->setText(text);
    message_->setStyleSheet(error ? "color: #b00020;" : "");
}

QString ScheduleActions::message() const { return message_->text(); }

}  // namespace tp::ui
