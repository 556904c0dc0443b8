#pragma once
#include <QDialog>

#include "core/remote/device_list.h"

class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QLabel;

namespace tp::ui {

// Add or edit one SSH device: the same fields as `tailprune device add`. The entry is checked with
// core's rules as you type (the error is shown; OK is off until it is valid).
class DeviceEditDialog : public QDialog {
    Q_OBJECT
public:
    explicit DeviceEditDialog(QWidget* parent = nullptr);
    void setDevice(const remote::DeviceEntry& device);
    remote::DeviceEntry device() const;
    QString validationError() const;

private:
    void revalidate();
    QLineEdit *name_, *destination_, *identity_, *jump_, *agent_, *sshConfig_, *knownHosts_, *notes_;
    QSpinBox* port_;
    QPlainTextEdit* env_;
    QLabel* error_;
    QPushButton* ok_ = nullptr;
};

}  // namespace tp::ui
