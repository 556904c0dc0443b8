#pragma once
#include <QDialog>
#include <QMap>

#include "core/remote/device_list.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QWidget;

namespace tp::ui {

// Add or edit one device of the list: an SSH device, or a Slurm device (the agent as one Slurm
// task, srun here or on a login node that is an SSH device of the list; docs/cluster.md). The same
// fields as `tailprune device add [--ssh | --slurm]`. The entry is checked with core's rules as you
// type (remote::validate, then remote::validate_in_list against the list it goes into): the error
// names the field as the form labels it, that field is marked, and OK is off until it is valid.
class DeviceEditDialog : public QDialog {
    Q_OBJECT
public:
    explicit DeviceEditDialog(QWidget* parent = nullptr);
    // The list the entry goes into: its SSH devices are the login choices of a Slurm device.
    void setDeviceList(const remote::DeviceList& list);
    void setTransport(const QString& transport);  // "ssh" | "slurm"
    QString transport() const;
    void setDevice(const remote::DeviceEntry& device);
    remote::DeviceEntry device() const;
    QString validationError() const;
    // The form field the error is about (core's field name: "time_limit", "srun_flags", "env", ...).
    QString errorField() const { return errorField_; }
    // The widget that edits core's field `field` (nullptr for none); tests type into it.
    QWidget* fieldWidget(const QString& field) const;

private:
    void revalidate();
    void showTransport();
    void fillLogins(const QString& current);
    QString labelOf(const QString& field) const;
    QFormLayout* form_;
    QComboBox *transport_, *login_;
    QLineEdit *name_, *destination_, *identity_, *jump_, *agent_, *sshConfig_, *knownHosts_, *notes_;
    QLineEdit *partition_, *account_, *timeLimit_, *gres_, *gpus_, *srun_, *sessionsDir_;
    QSpinBox *port_, *cpus_;
    QPlainTextEdit *env_, *srunFlags_;
    QLabel *agentLabel_, *error_;
    QPushButton* ok_ = nullptr;
    remote::DeviceList list_;
    QString errorField_;
    QMap<QString, QWidget*> fields_;  // core's field name → its widget
    QMap<QString, QString> labels_;   // core's field name → the form's label
    QWidget* marked_ = nullptr;
};

}  // namespace tp::ui
