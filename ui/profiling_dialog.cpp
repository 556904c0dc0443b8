#include "ui/profiling_dialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QListWidget>
#include <QTableWidget>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/model/profile_json.h"
#include "core/model/scope.h"
#include "core/remote/agent_connection.h"
#include "ui/agent_client.h"
#include "ui/session_follower.h"
#include "ui/device_list_model.h"
#include "ui/devices_panel.h"
#include "ui/palette.h"
#include "ui/qcustomplot_include.h"

namespace tp::ui {
namespace {

nlohmann::json toNlohmann(const QJsonObject& o) {
    return nlohmann::json::parse(QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString());
}

QString duration(double s) {
    if (!(s >= 0)) return QStringLiteral("?");
    const int t = int(s + 0.5);
    return t >= 3600 ? QStringLiteral("%1:%2:%3").arg(t / 3600).arg(t / 60 % 60, 2, 10, QLatin1Char('0')).arg(t % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
}

// "1..197:8" style text for a sorted list of counts: compact runs of stride 1.
QString tokenText(const QVector<int>& tokens) {
    QStringList parts;
    for (int i = 0; i < tokens.size();) {
        int j = i;
        while (j + 1 < tokens.size() && tokens[j + 1] == tokens[j] + 1) ++j;
        parts << (j > i ? QStringLiteral("%1..%2").arg(tokens[i]).arg(tokens[j]) : QString::number(tokens[i]));
        i = j + 1;
    }
    return parts.join(',');
}

}  // namespace

ProfilingDialog::ProfilingDialog(AgentClient* agent, QWidget* parent) : QDialog(parent), agent_(agent) {
    setWindowTitle(tr("Profile latency vs tokens"));
    setObjectName("profilingDialog");
    resize(900, 640);

    device_ = new QComboBox;
    device_->addItem(tr("this machine: CPU"), "cpu");
    model_ = new QComboBox;
    model_->setEditable(true);
    model_->addItem("deit_tiny_patch16_224");
    scopes_ = new QLineEdit("model");
    scopes_->setToolTip(tr("Comma-separated: model, block:K, attn:K, mlp:K, deployed:K, prune:METHOD:K:TOKENS_IN, fixed:embed"));
    tokens_ = new QLineEdit("all");
    tokens_->setToolTip(tr("all, 1..197, 1..197:4 (stride), 1,17,33..49 — counts include CLS"));
    batch_ = new QSpinBox;
    batch_->setRange(1, 4096);
    dtype_ = new QComboBox;
    dtype_->addItems({"fp32", "bf16", "fp16"});
    mode_ = new QComboBox;
    mode_->addItem(tr("default for the device"), QString());
    mode_->addItems({"cpu", "graph", "eager"});
    rounds_ = new QSpinBox;
    rounds_->setRange(1, 20);
    rounds_->setValue(3);
    minSamples_ = new QSpinBox;
    minSamples_->setRange(2, 100000);
    minSamples_->setValue(10);
    minSamples_->setToolTip(tr("At least this many samples per visit"));
    minTime_ = new QDoubleSpinBox;
    minTime_->setRange(0.001, 60);
    minTime_->setDecimals(3);
    minTime_->setValue(0.5);
    minTime_->setSuffix(" s");
    minTime_->setToolTip(tr("At least this much timed work per visit, then stop when the noise target is met"));

    deviceList_ = new QListWidget;
    deviceList_->setObjectName("profilingDevices");
    deviceList_->setMaximumHeight(34);
    deviceList_->setFlow(QListView::LeftToRight);
    deviceList_->setWrapping(true);
    deviceList_->setToolTip(tr("Tick several devices to profile them at once with the same spec (Devices tab)"));
    selectDevices({"local"});
    runTable_ = new QTableWidget(0, 3);
    runTable_->setObjectName("profilingRuns");
    runTable_->setHorizontalHeaderLabels({tr("Device"), tr("Status"), QString()});
    runTable_->verticalHeader()->hide();
    runTable_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    runTable_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    runTable_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    runTable_->setWordWrap(true);
    runTable_->setMaximumHeight(130);
    runTable_->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("Devices"), deviceList_);
    form->addRow(tr("Processor"), device_);
    form->addRow(tr("Model"), model_);
    form->addRow(tr("Scopes"), scopes_);
    form->addRow(tr("Token counts"), tokens_);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Batch")));
    row->addWidget(batch_);
    row->addWidget(new QLabel(tr("Dtype")));
    row->addWidget(dtype_);
    row->addWidget(new QLabel(tr("Mode")));
    row->addWidget(mode_);
    row->addWidget(new QLabel(tr("Rounds")));
    row->addWidget(rounds_);
    row->addStretch();
    form->addRow(row);
    auto* stop = new QHBoxLayout;
    stop->addWidget(new QLabel(tr("Min samples")));
    stop->addWidget(minSamples_);
    stop->addWidget(new QLabel(tr("Min time per visit")));
    stop->addWidget(minTime_);
    stop->addStretch();
    form->addRow(tr("Stopping"), stop);

    plot_ = new QCustomPlot;
    plot_->setObjectName("livePlot");
    plot_->setMinimumHeight(300);
    plot_->xAxis->setLabel(tr("tokens (incl. CLS)"));
    plot_->yAxis->setLabel(tr("median latency (ms)"));
    plot_->legend->setVisible(true);
    // Latency rises with tokens: the top-left corner stays empty for the legend.
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    status_ = new QLabel(tr("Ready."));
    status_->setObjectName("profilingStatus");
    status_->setWordWrap(true);

    start_ = new QPushButton(tr("Start"));
    start_->setObjectName("startProfiling");
    start_->setDefault(true);
    cancel_ = new QPushButton(tr("Cancel sweep (keep points)"));
    cancel_->setObjectName("cancelProfiling");
    cancel_->setEnabled(false);
    auto* buttons = new QDialogButtonBox;
    buttons->addButton(start_, QDialogButtonBox::ActionRole);
    buttons->addButton(cancel_, QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    connect(start_, &QPushButton::clicked, this, &ProfilingDialog::startProfiling);
    connect(cancel_, &QPushButton::clicked, this, &ProfilingDialog::cancelProfiling);
    connect(buttons, &QDialogButtonBox::rejected, this, &ProfilingDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(plot_, 1);
    layout->addWidget(progress_);
    layout->addWidget(runTable_);
    layout->addWidget(status_);
    layout->addWidget(buttons);

    connect(agent_, &AgentClient::eventReceived, this, [this](int id, const QString& name, const QJsonObject& event) {
        if (id == helloId_ && name == QLatin1String("done")) onHello(event.value("result").toObject());
    });
    connect(agent_, &AgentClient::requestFinished, this, [this](int id, bool ok, const QJsonObject& event) {
        if (id == helloId_ && !ok) status_->setText(tr("The agent is not available: %1").arg(event.value("message").toString()));
    });
    helloId_ = agent_->request("hello");
}

ProfilingDialog::~ProfilingDialog() {
    for (Run* run : runs_) {
        disconnect(run->events);
        disconnect(run->finishes);
        delete run;
    }
}

void ProfilingDialog::setDevices(DevicesPanel* devices) {
    devices_ = devices;
    const QStringList ticked = selectedDevices();
    deviceList_->clear();
    const QStringList names = devices ? devices->model()->names() : QStringList{"local"};
    selectDevices(ticked.isEmpty() ? QStringList{"local"} : ticked);
    for (const QString& name : names)
        if (deviceList_->findItems(name, Qt::MatchExactly).isEmpty()) {
            auto* item = new QListWidgetItem(name, deviceList_);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(ticked.contains(name) ? Qt::Checked : Qt::Unchecked);
        }
}

void ProfilingDialog::selectDevices(const QStringList& names) {
    for (const QString& name : names)
        if (deviceList_->findItems(name, Qt::MatchExactly).isEmpty()) {
            auto* item = new QListWidgetItem(name, deviceList_);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        }
    for (int i = 0; i < deviceList_->count(); ++i)
        deviceList_->item(i)->setCheckState(names.contains(deviceList_->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
}

QStringList ProfilingDialog::selectedDevices() const {
    QStringList out;
    for (int i = 0; i < deviceList_->count(); ++i)
        if (deviceList_->item(i)->checkState() == Qt::Checked) out << deviceList_->item(i)->text();
    return out;
}

bool ProfilingDialog::isRunning() const {
    for (const Run* run : runs_)
        if (!run->finished) return true;
    return false;
}

int ProfilingDialog::pointsReceived() const {
    int n = 0;
    for (const Run* run : runs_) n += run->pointCount;
    return n;
}

int ProfilingDialog::pointsReceived(const QString& device) const {
    const Run* run = runOf(device);
    return run ? run->pointCount : 0;
}

ProfilingDialog::Run* ProfilingDialog::runOf(const QString& device) const {
    for (Run* run : runs_)
        if (run->device == device) return run;
    return nullptr;
}

QString ProfilingDialog::deviceStatus(const QString& name) const {
    const Run* run = runOf(name);
    return run ? run->status : QString();
}

void ProfilingDialog::setModelHint(const QString& modelName, int tokens) {
    if (model_->findText(modelName) < 0) model_->addItem(modelName);
    model_->setCurrentText(modelName);
    if (tokens > 1 && tokens_->text() == "all") tokens_->setText(QStringLiteral("1..%1").arg(tokens));
}

void ProfilingDialog::setTokenCounts(const QVector<int>& tokens) { tokens_->setText(tokenText(tokens)); }

void ProfilingDialog::onHello(const QJsonObject& result) {
    helloResult_ = result;
    const QString current = model_->currentText();
    for (const QJsonValue& m : result.value("models").toArray()) {
        const QString name = m.toObject().value("name").toString();
        if (!name.isEmpty() && model_->findText(name) < 0) model_->addItem(name);
    }
    model_->setCurrentText(current);
    const QJsonArray devices = result.value("devices").toArray();
    if (!devices.isEmpty()) {
        device_->clear();
        for (const QJsonValue& d : devices) {
            const QJsonObject o = d.toObject();
            device_->addItem(QStringLiteral("%1 — %2").arg(o.value("device").toString(), o.value("name").toString()),
                             o.value("device").toString());
        }
    }
    status_->setText(tr("Agent ready: %1, torch %2.")
                         .arg(result.value("agent").toString(), result.value("torch").toString()));
}

QJsonObject ProfilingDialog::requestFields() const {
    QJsonObject o;
    const QString model = model_->currentText().trimmed();
    // A path (has a slash or a weights suffix) is a weights file, anything else a preset name.
    if (model.contains('/') || model.endsWith(".safetensors") || model.endsWith(".pt"))
        o.insert("weights", model);
    else
        o.insert("model", model);
    QJsonArray scopes;
    for (const QString& s : scopes_->text().split(',', Qt::SkipEmptyParts)) scopes << s.trimmed();
    o.insert("scopes", scopes);
    o.insert("tokens", tokens_->text().trimmed());
    o.insert("device", device_->currentData().toString());
    o.insert("batch", batch_->value());
    o.insert("dtype", dtype_->currentText());
    if (!mode_->currentData().toString().isEmpty() || mode_->currentIndex() > 0) o.insert("mode", mode_->currentText());
    o.insert("rounds", rounds_->value());
    o.insert("stopping", QJsonObject{{"min_samples", minSamples_->value()}, {"min_time_s", minTime_->value()}});
    return o;
}

void ProfilingDialog::setRunning(bool running) {
    start_->setEnabled(!running);
    cancel_->setEnabled(running);
    for (QWidget* w : std::initializer_list<QWidget*>{deviceList_, device_, model_, scopes_, tokens_, batch_, dtype_, mode_, rounds_,
                                                     minSamples_, minTime_})
        w->setEnabled(!running);
}

void ProfilingDialog::startProfiling() {
    if (isRunning()) return;
    // Validate scopes here so a typo is reported at the field, before the agent starts a sweep.
    for (const QString& s : scopes_->text().split(',', Qt::SkipEmptyParts)) {
        try {
            parse_scope(s.trimmed().toStdString());
        } catch (const std::exception& e) {
            const QString msg = tr("Scopes: %1").arg(QString::fromUtf8(e.what()));
            status_->setText(msg);
            Q_EMIT errorOccurred(msg);
            return;
        }
    }
    const QStringList devices = selectedDevices();
    if (devices.isEmpty()) {
        status_->setText(tr("Tick at least one device."));
        return;
    }
    clearRuns();
    hasResult_ = false;
    plot_->clearGraphs();
    plot_->replot(QCustomPlot::rpQueuedReplot);
    sentRequest_ = requestFields();
    progress_->setRange(0, 0);  // busy until the first progress event
    status_->setText(tr("Starting the agent…"));
    clock_.start();
    runTable_->setRowCount(0);
    runTable_->setVisible(devices.size() > 1 || devices.front() != "local");
    setRunning(true);
    for (const QString& name : devices) {
        auto* run = new Run;
        run->device = name;
        run->index = int(runs_.size());
        if (name == "local" || !devices_) run->client = agent_;  // the studio's own local agent
        runs_.push_back(run);
        const int row = runTable_->rowCount();
        runTable_->insertRow(row);
        auto* label = new QTableWidgetItem(name);
        label->setForeground(seriesColor(run->index));
        runTable_->setItem(row, 0, label);
        runTable_->setItem(row, 1, new QTableWidgetItem(tr("starting…")));
        auto* cancel = new QPushButton(tr("Cancel"));
        connect(cancel, &QPushButton::clicked, this, [this, name] { cancelDevice(name); });
        runTable_->setCellWidget(row, 2, cancel);
        if (run->client) {
            run->events = connect(run->client, &AgentClient::eventReceived, this,
                                  [this, run](int id, const QString& n, const QJsonObject& e) { onEvent(run, id, n, e); });
            run->finishes = connect(run->client, &AgentClient::requestFinished, this,
                                    [this, run](int id, bool ok, const QJsonObject& e) { onFinished(run, id, ok, e); });
            run->requestId = run->client->request("profile", sentRequest_);
        } else {
            followSession(run)->start("profile", sentRequest_);
        }
    }
}

void ProfilingDialog::clearRuns() {
    for (Run* run : runs_) {
        disconnect(run->events);
        disconnect(run->finishes);
        if (run->follower) run->follower->deleteLater();
        delete run;
    }
    runs_.clear();
}

// A device's sweep runs as a detached session: a dropped link or a closed studio loses nothing.
SessionFollower* ProfilingDialog::followSession(Run* run) {
    run->follower = new SessionFollower(devices_->connectOptions(run->device), this);
    run->requestId = 1;  // the follower's events all belong to this run's one job
    SessionFollower* f = run->follower;
    connect(f, &SessionFollower::eventReceived, this, [this, run](const QString& n, const QJsonObject& e) { onEvent(run, 1, n, e); });
    connect(f, &SessionFollower::finished, this, [this, run](bool ok, const QJsonObject& e) { onFinished(run, 1, ok, e); });
    connect(f, &SessionFollower::sessionStarted, this, [this, run](const QString& id) {
        showRunStatus(run, tr("session %1 started; it goes on if the link drops or the studio closes").arg(id));
    });
    connect(f, &SessionFollower::linkChanged, this, [this, run](const QString& state, bool) {
        showRunStatus(run, state);
        if (runs_.size() == 1) status_->setText(state);
    });
    return f;
}

void ProfilingDialog::attachSession(const QString& device, const QString& sessionId) {
    if (isRunning() || !devices_) return;
    clearRuns();
    hasResult_ = false;
    plot_->clearGraphs();
    sentRequest_ = requestFields();
    progress_->setRange(0, 0);
    status_->setText(tr("Attaching to session %1 on %2…").arg(sessionId, device));
    clock_.start();
    runTable_->setRowCount(0);
    runTable_->setVisible(true);
    setRunning(true);
    auto* run = new Run;
    run->device = device;
    runs_.push_back(run);
    runTable_->insertRow(0);
    auto* label = new QTableWidgetItem(device);
    label->setForeground(seriesColor(0));
    runTable_->setItem(0, 0, label);
    runTable_->setItem(0, 1, new QTableWidgetItem(tr("attaching to %1…").arg(sessionId)));
    auto* cancel = new QPushButton(tr("Cancel"));
    connect(cancel, &QPushButton::clicked, this, [this, device] { cancelDevice(device); });
    runTable_->setCellWidget(0, 2, cancel);
    followSession(run)->attach(sessionId, 0);
}

void ProfilingDialog::cancelProfiling() {
    if (!isRunning()) return;
    status_->setText(tr("Cancelling: the points measured so far are kept…"));
    cancel_->setEnabled(false);
    for (Run* run : runs_)
        if (!run->finished) cancelRun(run);
}

void ProfilingDialog::cancelRun(Run* run) {
    if (run->follower) run->follower->cancel();
    else run->client->cancel(run->requestId);
}

void ProfilingDialog::cancelDevice(const QString& name) {
    Run* run = runOf(name);
    if (!run || run->finished) return;
    showRunStatus(run, tr("cancelling: its points so far are kept…"));
    cancelRun(run);
}

void ProfilingDialog::reject() {
    // Closing the dialog mid-sweep cancels a local sweep (its partial profile still arrives and is
    // kept); a device's session goes on without us and the studio offers to re-attach it later.
    if (isRunning()) {
        for (Run* run : runs_) {
            if (run->finished) continue;
            if (run->follower) run->follower->detach();
            else run->client->cancel(run->requestId);
        }
    }
    QDialog::reject();
}

void ProfilingDialog::showRunStatus(Run* run, const QString& status) {
    run->status = status;
    if (QTableWidgetItem* item = runTable_->item(run->index, 1)) {
        item->setText(status);
        item->setToolTip(status);
        runTable_->resizeRowToContents(run->index);
    }
}

void ProfilingDialog::onEvent(Run* run, int id, const QString& name, const QJsonObject& event) {
    if (id != run->requestId || run->finished) return;
    if (name == QLatin1String("progress")) {
        const int done = event.value("done").toInt();
        const int total = event.value("total").toInt();
        const double eta = event.value("eta_s").toDouble(-1);
        const QString line = tr("%1 / %2 visits · %3 points · elapsed %4 · about %5 left · now %6 at %7 tokens")
                                 .arg(done)
                                 .arg(total)
                                 .arg(run->pointCount)
                                 .arg(duration(event.value("elapsed_s").toDouble(clock_.elapsed() / 1000.0)))
                                 .arg(duration(eta))
                                 .arg(event.value("curve").toString())
                                 .arg(event.value("tokens").toInt());
        showRunStatus(run, line);
        run->visitsDone = done;
        run->visitsTotal = total;
        int allDone = 0, allTotal = 0;  // every device's visits together
        for (const Run* r : runs_) {
            allDone += r->visitsDone;
            allTotal += r->visitsTotal;
        }
        progress_->setRange(0, std::max(1, allTotal));
        progress_->setValue(allDone);
        if (runs_.size() == 1) status_->setText(line);
    } else if (name == QLatin1String("point")) {
        run->scopes[event.value("curve").toString()] = event.value("scope").toString();
        addPoint(run, event.value("curve").toString(), event.value("point").toObject());
    } else if (name == QLatin1String("warning")) {
        const QString line = tr("Warning: %1").arg(event.value("message").toString());
        showRunStatus(run, line);
        status_->setText(runs_.size() == 1 ? line : run->device + ": " + line);
    }
}

void ProfilingDialog::addPoint(Run* run, const QString& curve, const QJsonObject& point) {
    run->points[curve].append(point);
    ++run->pointCount;
    // One device: graphs are named after the curve. Several: "device · curve", one colour per device.
    const QString graphName = runs_.size() == 1 ? curve : run->device + " · " + curve;
    QCPGraph* graph = nullptr;
    int curvesOfRun = 0;
    for (int i = 0; i < plot_->graphCount(); ++i) {
        if (plot_->graph(i)->name() == graphName) graph = plot_->graph(i);
        if (plot_->graph(i)->property("device").toString() == run->device) ++curvesOfRun;
    }
    if (!graph) {
        graph = plot_->addGraph();
        graph->setName(graphName);
        graph->setProperty("device", run->device);
        const QColor c = seriesColor(runs_.size() == 1 ? plot_->graphCount() - 1 : run->index);
        QPen pen(c, 1.5);
        if (runs_.size() > 1) pen.setStyle(curvesOfRun % 2 ? Qt::DashLine : Qt::SolidLine);
        graph->setPen(pen);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c, Qt::white, 5));
    }
    // Points arrive in shuffled order; the sorted container keeps the line drawn by tokens.
    graph->addData(point.value("tokens").toDouble(), point.value("median_ms").toDouble());
    plot_->rescaleAxes();
    plot_->yAxis->setRangeLower(0);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

Profile ProfilingDialog::profileFromPoints(const Run& run) const {
    // Used only when the agent ended without a profile (it died): keep what arrived.
    Profile p;
    if (helloResult_.contains("device")) p.device = device_from_json(toNlohmann(helloResult_.value("device").toObject()), "/device");
    if (p.device.name.empty()) p.device.name = run.device.toStdString();
    p.model.name = sentRequest_.value("model").toString(sentRequest_.value("weights").toString()).toStdString();
    p.model.batch = sentRequest_.value("batch").toInt(1);
    p.model.dtype = sentRequest_.value("dtype").toString("fp32").toStdString();
    int maxTokens = 1;
    for (auto it = run.points.cbegin(); it != run.points.cend(); ++it) {
        Curve skeleton;
        skeleton.scope = parse_scope(run.scopes.value(it.key(), it.key()).toStdString());
        nlohmann::json node = to_json(skeleton);
        node["name"] = it.key().toStdString();
        node["partial"] = true;
        node["points"] = toNlohmann(QJsonObject{{"p", it.value()}})["p"];
        Curve c = curve_from_json(node, "/curves/" + it.key().toStdString());
        for (const CurvePoint& pt : c.points) maxTokens = std::max(maxTokens, pt.tokens);
        p.curves.push_back(std::move(c));
    }
    p.model.tokens = maxTokens;
    p.settings.date = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    return p;
}

void ProfilingDialog::finishWith(Run* run, Profile profile, bool complete) {
    // Where it was measured: the device list's name and the destination it was reached at.
    if (devices_ && run->device != "local") {
        const int row = devices_->model()->rowOf(run->device);
        if (row >= 0) profile.device.host = remote::reached_on(devices_->model()->device(row));
        profile.device.extra["tailprune_device"] = run->device.toStdString();
    }
    result_ = profile;
    hasResult_ = true;
    run->complete = complete;
    const QString where = run->device == "local" ? QString() : QStringLiteral(" on %1").arg(run->device);
    const QString source = QStringLiteral("agent:%1%2 %3").arg(QString::fromStdString(profile.model.name), where,
                                                              QDateTime::currentDateTime().toString("HH:mm:ss"));
    Q_EMIT profileMeasured(result_, source);
}

void ProfilingDialog::endRun(Run* run, const QString& status) {
    run->finished = true;
    showRunStatus(run, status);
    if (auto* button = runTable_->cellWidget(run->index, 2)) button->setEnabled(false);
    if (isRunning()) return;
    setRunning(false);
    progress_->setRange(0, 1);
    bool complete = true;
    for (const Run* r : runs_) complete &= r->complete;
    progress_->setValue(complete ? 1 : 0);
    if (runs_.size() > 1) {
        int completed = 0;
        for (const Run* r : runs_) completed += r->complete ? 1 : 0;
        status_->setText(tr("%1 of %2 devices completed; each device's line above says how it ended.")
                             .arg(completed)
                             .arg(runs_.size()));
    } else {
        status_->setText(status);
    }
    Q_EMIT runFinished(complete);
}

void ProfilingDialog::onFinished(Run* run, int id, bool ok, const QJsonObject& event) {
    if (id != run->requestId || run->finished) return;
    if (ok) {
        const QJsonObject result = event.value("result").toObject();
        try {
            Profile p = profile_from_json(toNlohmann(result.value("profile").toObject()));
            const bool partial = result.value("partial").toBool();
            finishWith(run, p, !partial);
            endRun(run, partial ? tr("Cancelled: kept %1 measured points (partial profile).").arg(run->pointCount)
                                : tr("Done: %1 points in %2.").arg(result.value("points").toInt())
                                      .arg(duration(clock_.elapsed() / 1000.0)));
        } catch (const std::exception& e) {
            const QString msg = tr("The agent's profile could not be read: %1").arg(QString::fromUtf8(e.what()));
            Q_EMIT errorOccurred(msg);
            endRun(run, msg);
        }
        return;
    }
    const QString msg = tr("Profiling failed: %1").arg(event.value("message").toString());
    Q_EMIT errorOccurred(runs_.size() == 1 ? msg : run->device + ": " + msg);
    if (run->pointCount > 0) {
        try {
            finishWith(run, profileFromPoints(*run), false);
        } catch (const std::exception& e) {
            Q_EMIT errorOccurred(tr("The points received could not be kept: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    endRun(run, msg);
}

}  // namespace tp::ui
