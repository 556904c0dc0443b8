#include "ui/device_edit_dialog.h"

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
}  // namespace

DeviceEditDialog::DeviceEditDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("SSH device"));
    setObjectName("deviceEditDialog");
    name_ = new QLineEdit;
    name_->setObjectName("deviceName");
    destination_ = new QLineEdit;
    destination_->setObjectName("deviceDestination");
    destination_->setPlaceholderText("nvidia@jetson.lab");
    port_ = new QSpinBox;
    port_->setRange(0, 65535);
    port_->setSpecialValueText(tr("default (22)"));
    identity_ = new QLineEdit;
    identity_->setPlaceholderText(tr("~/.ssh/id_ed25519 (optional)"));
    jump_ = new QLineEdit;
    jump_->setPlaceholderText(tr("bastion.lab (optional ProxyJump)"));
    agent_ = new QLineEdit;
    agent_->setObjectName("deviceAgent");
    agent_->setPlaceholderText(tr("/home/nvidia/tailprune/build/app/tailprune, or empty: then Install agent…"));
    sshConfig_ = new QLineEdit;
    sshConfig_->setPlaceholderText(tr("~/.ssh/config"));
    knownHosts_ = new QLineEdit;
    knownHosts_->setPlaceholderText(tr("~/.ssh/known_hosts"));
    env_ = new QPlainTextEdit;
    env_->setPlaceholderText("LD_LIBRARY_PATH=/usr/local/cuda/lib64\nCUDA_VISIBLE_DEVICES=0");
    env_->setMaximumHeight(70);
    notes_ = new QLineEdit;
    error_ = new QLabel;
    error_->setObjectName("deviceError");
    error_->setWordWrap(true);
    error_->setStyleSheet("color: #b01c1c");

    auto* form = new QFormLayout;
    form->addRow(tr("Name"), name_);
    form->addRow(tr("[user@]host"), destination_);
    form->addRow(tr("Port"), port_);
    form->addRow(tr("Identity file"), identity_);
    form->addRow(tr("Jump host"), jump_);
    form->addRow(tr("Agent path on the device"), agent_);
    form->addRow(tr("ssh_config"), sshConfig_);
    form->addRow(tr("known_hosts"), knownHosts_);
    form->addRow(tr("Environment (KEY=VALUE)"), env_);
    form->addRow(tr("Notes"), notes_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    ok_ = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
    for (QLineEdit* e : {name_, destination_, identity_, jump_, agent_, sshConfig_, knownHosts_, notes_})
        connect(e, &QLineEdit::textChanged, this, &DeviceEditDialog::revalidate);
    connect(env_, &QPlainTextEdit::textChanged, this, &DeviceEditDialog::revalidate);
    revalidate();
}

void DeviceEditDialog::setDevice(const remote::DeviceEntry& d) {
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
    revalidate();
}

remote::DeviceEntry DeviceEditDialog::device() const {
    remote::DeviceEntry d;
    d.name = name_->text().trimmed().toStdString();
    d.transport = "ssh";
    remote::set_destination(d, destination_->text().trimmed().toStdString());
    d.port = port_->value();
    d.identity_file = identity_->text().trimmed().toStdString();
    d.jump = jump_->text().trimmed().toStdString();
    d.agent = agent_->text().trimmed().toStdString();
    d.ssh_config = sshConfig_->text().trimmed().toStdString();
    d.known_hosts = knownHosts_->text().trimmed().toStdString();
    d.notes = notes_->text().toStdString();
    for (const QString& line : env_->toPlainText().split('\n', Qt::SkipEmptyParts))
        if (!remote::add_env_assignment(d, line.trimmed().toStdString())) d.env[line.trimmed().toStdString()] = "";  // KEY alone: an empty value; a bad name fails validate()
    return d;
}

QString DeviceEditDialog::validationError() const {
    try {
        remote::validate(device());
    } catch (const FormatError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

void DeviceEditDialog::revalidate() {
    const QString error = validationError();
    error_->setText(error);
    if (ok_) ok_->setEnabled(error.isEmpty());
}

}  // namespace tp::ui
