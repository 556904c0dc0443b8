#pragma once
#include <QFrame>

class QLabel;
class QComboBox;

namespace tp::ui {

// Under the menu bar after a restart: the detached sessions this studio started on devices and
// never got the result of (core/remote/remembered_sessions.h). It reads only that file — no device
// is contacted until the user picks one to re-attach. Hidden when there are none.
class SessionsBar : public QFrame {
    Q_OBJECT
public:
    explicit SessionsBar(QWidget* parent = nullptr);
    // Reads the remembered sessions again; returns how many there are.
    int refresh();

Q_SIGNALS:
    void reattachRequested(const QString& device, const QString& sessionId);

private:
    QLabel* label_ = nullptr;
    QComboBox* choice_ = nullptr;
};

}  // namespace tp::ui
