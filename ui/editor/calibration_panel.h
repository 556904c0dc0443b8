#pragma once
#include <QElapsedTimer>
#include <QProcess>
#include <QStringList>
#include <QWidget>

#include "ui/editor/bundled_models.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace tp::ui {

// Runs `tailprune calibrate` for one model and method in a child process (never on the GUI
// thread): progress and remaining time from its "[done/total] … ~N s left" lines; Cancel sends
// SIGINT, which keeps every finished evaluation in the calibration file (a later run continues).
class CalibrationPanel : public QWidget {
    Q_OBJECT
public:
    explicit CalibrationPanel(QWidget* parent = nullptr);

    void setProgram(const QString& program);         // the tailprune CLI
    void setExtraArguments(const QStringList& args);  // e.g. {"--subset", "2000"}
    // False (reason in message()) when one is running.
    bool start(const BundledModel& model, const QString& method);
    void cancel();
    bool running() const { return process_.state() != QProcess::NotRunning; }
    QString message() const;
    void showMessage(const QString& text, bool error);

Q_SIGNALS:
    // The calibration file may hold new evaluations whether or not it finished.
    void finished(bool ok);

private:
    void onStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QProcess process_;
    QString program_;
    QStringList extra_{"--subset", "2000"};
    QByteArray pending_;
    QString lastError_, method_;
    QElapsedTimer clock_;
    QProgressBar* progress_ = nullptr;
    QLabel* remaining_ = nullptr;
    QLabel* message_ = nullptr;
    QPushButton* cancel_ = nullptr;
};

}  // namespace tp::ui
