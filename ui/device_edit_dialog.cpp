#include "ui/device_edit_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/util/format_error.h"

namespace tp::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string text(const QLineEdit* e) { return e->text().trimmed().toStdString(); }

// The fields only one transport has (rows shown for it alone).
const QStringList kSshFields = {"host", "port", "identity_file", "jump", "ssh_config", "known_hosts"};
const QStringList kSlurmFields = {"login", "partition", "account", "time_limit", "gres", "gpus", "cpus_per_task",
                                  "srun_flags", "srun", "sessions_dir"};

}  // namespace

DeviceEditDialog::DeviceEditDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("deviceEditDialog");
    auto line = [](const char* objectName, const QString& placeholder = {}) {
        auto* e = new QLineEdit;
        e->setObjectName(objectName);
        e->setPlaceholderText(placeholder);
        return e;
    };
    // A count whose 0 means "not set": the special text says what is used then.
    auto count = [](const char* objectName, int max, const QString& whenZero) {
        auto* b = new QSpinBox;
        b->setObjectName(objectName);
        b->setRange(0, max);
        b->setSpecialValueText(whenZero);
        return b;
    };
    name_ = line("deviceName");
    transport_ = new QComboBox;
    transport_->setObjectName("deviceTransport");
    transport_->addItem(tr("SSH: a machine reached with OpenSSH"), "ssh");
    transport_->addItem(tr("Slurm: the agent as one task of a cluster's job"), "slurm");

    destination_ = line("deviceDestination", "nvidia@jetson.lab");
    port_ = count("devicePort", 65535, tr("default (22)"));
    identity_ = line("deviceIdentity", tr("~/.ssh/id_ed25519 (optional)"));
    jump_ = line("deviceJump", tr("bastion.lab (optional ProxyJump)"));
    sshConfig_ = line("deviceSshConfig", tr("~/.ssh/config"));
    knownHosts_ = line("deviceKnownHosts", tr("~/.ssh/known_hosts"));

    login_ = new QComboBox;
    login_->setObjectName("deviceLogin");
    partition_ = line("devicePartition", tr("the cluster's default partition"));
    account_ = line("deviceAccount", tr("your default account"));
    timeLimit_ = line("deviceTimeLimit", tr("the partition's limit; e.g. 2:00:00, 90, 1-12"));
    gres_ = line("deviceGres", tr("e.g. gpu:a100:1 (optional)"));
    gpus_ = line("deviceGpus", tr("e.g. 1 or a100:1 (optional)"));
    cpus_ = count("deviceCpusPerTask", 4096, tr("Slurm's default"));
    srunFlags_ = new QPlainTextEdit;
    srunFlags_->setObjectName("deviceSrunFlags");
    srunFlags_->setPlaceholderText(tr("one option a line, e.g.\n--exclusive\n--mem=16G"));
    srunFlags_->setTabChangesFocus(true);
    srunFlags_->setFixedHeight(62);
    srun_ = line("deviceSrun", tr("srun from PATH there; or /opt/slurm/bin/srun"));
    sessionsDir_ = line("deviceSessionsDir", tr("shared by login and compute nodes, e.g. /shared/tailprune/sessions"));

    agent_ = line("deviceAgent");
    env_ = new QPlainTextEdit;
    env_->setObjectName("deviceEnv");
    env_->setPlaceholderText("LD_LIBRARY_PATH=/usr/local/cuda/lib64\nCUDA_VISIBLE_DEVICES=0");
    env_->setTabChangesFocus(true);
    env_->setFixedHeight(62);
    notes_ = line("deviceNotes");
    error_ = new QLabel;
    error_->setObjectName("deviceError");
    error_->setWordWrap(true);
    error_->setStyleSheet("color: #b01c1c");
    agentLabel_ = new QLabel;

    form_ = new QFormLayout;
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto row = [this](const QString& field, const QString& label, QWidget* widget) {
        fields_[field] = widget;
        labels_[field] = label;
        form_->addRow(label, widget);
    };
    row("name", tr("Name"), name_);
    labels_["transport"] = tr("Transport");
    form_->addRow(tr("Transport"), transport_);
    row("host", tr("[user@]host"), destination_);
    fields_["user"] = destination_;
    labels_["user"] = tr("[user@]host");
    row("port", tr("Port"), port_);
    row("identity_file", tr("Identity file"), identity_);
    row("jump", tr("Jump host"), jump_);
    row("ssh_config", tr("ssh_config"), sshConfig_);
    row("known_hosts", tr("known_hosts"), knownHosts_);
    row("login", tr("srun runs on"), login_);
    row("partition", tr("Partition"), partition_);
    row("account", tr("Account"), account_);
    row("time_limit", tr("Time limit"), timeLimit_);
    row("gres", tr("GRES"), gres_);
    row("gpus", tr("GPUs"), gpus_);
    row("cpus_per_task", tr("CPUs per task"), cpus_);
    row("srun_flags", tr("srun options"), srunFlags_);
    row("srun", tr("srun path"), srun_);
    row("sessions_dir", tr("Batch sessions folder"), sessionsDir_);
    fields_["agent"] = agent_;
    labels_["agent"] = tr("Agent path");
    form_->addRow(agentLabel_, agent_);
    row("env", tr("Environment (KEY=VALUE)"), env_);
    row("notes", tr("Notes"), notes_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    ok_ = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form_);
    layout->addWidget(error_);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(560);

    for (QLineEdit* e : {name_, destination_, identity_, jump_, agent_, sshConfig_, knownHosts_, notes_, partition_, account_,
                         timeLimit_, gres_, gpus_, srun_, sessionsDir_})
        connect(e, &QLineEdit::textChanged, this, &DeviceEditDialog::revalidate);
    for (QPlainTextEdit* e : {env_, srunFlags_}) connect(e, &QPlainTextEdit::textChanged, this, &DeviceEditDialog::revalidate);
    for (QSpinBox* s : {port_, cpus_}) connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &DeviceEditDialog::revalidate);
    connect(login_, qOverload<int>(&QComboBox::currentIndexChanged), this, &DeviceEditDialog::revalidate);
    connect(transport_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        showTransport();
        revalidate();
    });
    fillLogins({});
    showTransport();
    revalidate();
}

void DeviceEditDialog::setDeviceList(const remote::DeviceList& list) {
    list_ = list;
    fillLogins(login_->currentData().toString());
    revalidate();
}

// "this machine", then the list's SSH devices; a login named by the entry but not among them is
// kept (marked), so the check can say what is wrong with it rather than the form hiding it.
void DeviceEditDialog::fillLogins(const QString& current) {
    const QSignalBlocker block(login_);
    login_->clear();
    login_->addItem(tr("this machine (srun runs here)"), QString());
    for (const std::string& n : remote::login_candidates(list_)) login_->addItem(tr("%1 (over ssh)").arg(qs(n)), qs(n));
    int at = login_->findData(current);
    if (at < 0) {
        login_->addItem(tr("%1 (not an SSH device of the list)").arg(current), current);
        at = login_->count() - 1;
    }
    login_->setCurrentIndex(at);
}

void DeviceEditDialog::setTransport(const QString& transport) {
    const int at = transport_->findData(transport);
    if (at >= 0) transport_->setCurrentIndex(at);
    showTransport();
    revalidate();
}

QString DeviceEditDialog::transport() const { return transport_->currentData().toString(); }

void DeviceEditDialog::showTransport() {
    const bool slurm = transport() == "slurm";
    setWindowTitle(slurm ? tr("Slurm device") : tr("SSH device"));
    for (const QString& f : kSshFields) form_->setRowVisible(fields_[f], !slurm);
    for (const QString& f : kSlurmFields) form_->setRowVisible(fields_[f], slurm);
    agentLabel_->setText(slurm ? tr("Agent path on the compute nodes") : tr("Agent path on the device"));
    agent_->setPlaceholderText(slurm ? tr("/shared/tailprune/build/app/tailprune (a shared folder)")
                                     : tr("/home/nvidia/tailprune/build/app/tailprune, or empty: then Install agent…"));
    adjustSize();
}

void DeviceEditDialog::setDevice(const remote::DeviceEntry& d) {
    setTransport(d.is_slurm() ? "slurm" : "ssh");
    name_->setText(qs(d.name));
    destination_->setText(qs(d.destination()));
    port_->setValue(d.port);
    identity_->setText(qs(d.identity_file));
    jump_->setText(qs(d.jump));
    agent_->setText(qs(d.agent));
    sshConfig_->setText(qs(d.ssh_config));
    knownHosts_->setText(qs(d.known_hosts));
    QStringList env;
    for (const auto& [k, v] : d.env) env << qs(k) + "=" + qs(v);
    env_->setPlainText(env.join('\n'));
    notes_->setText(qs(d.notes));
    fillLogins(qs(d.login));
    partition_->setText(qs(d.partition));
    account_->setText(qs(d.account));
    timeLimit_->setText(qs(d.time_limit));
    gres_->setText(qs(d.gres));
    gpus_->setText(qs(d.gpus));
    cpus_->setValue(d.cpus_per_task);
    QStringList flags;
    for (const std::string& f : d.srun_flags) flags << qs(f);
    srunFlags_->setPlainText(flags.join('\n'));
    srun_->setText(qs(d.srun));
    sessionsDir_->setText(qs(d.sessions_dir));
    revalidate();
}

remote::DeviceEntry DeviceEditDialog::device() const {
    remote::DeviceEntry d;
    d.name = text(name_);
    d.transport = transport().toStdString();
    d.agent = text(agent_);
    d.notes = notes_->text().toStdString();
    for (const QString& line : env_->toPlainText().split('\n', Qt::SkipEmptyParts))
        if (!remote::add_env_assignment(d, line.trimmed().toStdString())) d.env[line.trimmed().toStdString()] = "";  // KEY alone: an empty value; a bad name fails validate()
    if (d.is_slurm()) {  // only the Slurm rows: what was typed into the SSH ones is not part of it
        d.login = login_->currentData().toString().toStdString();
        d.partition = text(partition_);
        d.account = text(account_);
        d.time_limit = text(timeLimit_);
        d.gres = text(gres_);
        d.gpus = text(gpus_);
        d.cpus_per_task = cpus_->value();
        for (const QString& f : srunFlags_->toPlainText().split('\n', Qt::SkipEmptyParts))
            if (!f.trimmed().isEmpty()) d.srun_flags.push_back(f.trimmed().toStdString());
        d.srun = text(srun_);
        d.sessions_dir = text(sessionsDir_);
        return d;
    }
    remote::set_destination(d, text(destination_));
    d.port = port_->value();
    d.identity_file = text(identity_);
    d.jump = text(jump_);
    d.ssh_config = text(sshConfig_);
    d.known_hosts = text(knownHosts_);
    return d;
}

// Core's field ("srun_flags/1", "env/KEY", "time_limit") as the form labels it.
QString DeviceEditDialog::labelOf(const QString& field) const {
    const QString head = field.section('/', 0, 0), rest = field.section('/', 1);
    const QString label = labels_.value(head, head);
    if (head == "srun_flags" && !rest.isEmpty()) return tr("%1, line %2").arg(label).arg(rest.toInt() + 1);
    if (head == "env" && !rest.isEmpty()) return tr("%1, %2").arg(label, rest);
    return label;
}

QString DeviceEditDialog::validationError() const {
    try {
        const remote::DeviceEntry d = device();
        remote::validate(d);
        remote::validate_in_list(d, list_);
    } catch (const FormatError& e) {
        return labelOf(qs(e.where())) + ": " + QString::fromUtf8(e.problem().c_str());
    }
    return {};
}

QWidget* DeviceEditDialog::fieldWidget(const QString& field) const { return fields_.value(field.section('/', 0, 0)); }

void DeviceEditDialog::revalidate() {
    errorField_.clear();
    try {
        const remote::DeviceEntry d = device();
        remote::validate(d);
        remote::validate_in_list(d, list_);
    } catch (const FormatError& e) {
        errorField_ = qs(e.where()).section('/', 0, 0);
    }
    const QString error = validationError();
    error_->setText(error);
    if (ok_) ok_->setEnabled(error.isEmpty());
    // The field at fault is outlined, so the message and the place agree.
    // (Not a still empty name: a new form opens with the hint alone, not with a red box.)
    QWidget* at = errorField_.isEmpty() || (errorField_ == "name" && name_->text().isEmpty()) ? nullptr : fieldWidget(errorField_);
    if (marked_ && marked_ != at) marked_->setStyleSheet({});
    if (at && at != marked_) at->setStyleSheet(QString("%1 { border: 1px solid #b01c1c; }").arg(at->metaObject()->className()));
    marked_ = at;
}

}  // namespace tp::ui
