#pragma once
#include <QElapsedTimer>
#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace tp::ui {

class AgentClient;
class DevicesPanel;
class ScheduleEditor;

// The editor's actions: measure the schedule's latency and evaluate its accuracy through the agent
// (off the GUI thread: the agent is another process; progress, remaining time, cancel; the result
// is drawn next to the prediction), save it to the store, open a saved schedule or one of its
// revisions, export it for deployment.
class ScheduleActions : public QWidget {
    Q_OBJECT
public:
    ScheduleActions(ScheduleEditor* editor, AgentClient* agent, QWidget* parent = nullptr);

    // The devices Measure and Evaluate can run on (the Devices tab); `local` uses the studio's agent.
    void setDevices(DevicesPanel* devices);
    QString currentDevice() const;
    void setCurrentDevice(const QString& name);

    void setStorePath(const QString& path);
    QString storePath() const;
    // Evaluation settings sent with `evaluate`.
    void setEvaluation(const QString& weights, const QString& dataset, const QString& split, int limit);

    // Start a job; false (with the reason in message()) when one is running or no agent is set.
    bool measure(int rounds = 3);
    bool evaluate();
    void cancel();
    bool busy() const { return jobId_ != 0; }

    // Store and export (the dialogs call these; tests too). Errors go to message().
    bool save(const QString& name, const QString& notes, const QString& status);
    bool open(const QString& idOrName, int revision = 0);
    bool exportTo(const QString& path);
    // Opens a schedule file (JSON, as Export writes it or `tailprune search -o` does) in the editor,
    // on a loaded profile of its model; a bad file or no such profile: one message, nothing changes.
    bool importFrom(const QString& path);
    QString message() const;

Q_SIGNALS:
    void jobFinished(bool ok);
    // The device chosen for the editor's jobs changed (the calibration panel follows it).
    void deviceChanged(const QString& name);

private:
    bool startJob(const QString& cmd, const QJsonObject& fields, const QString& what);
    void onEvent(AgentClient* client, int id, const QString& name, const QJsonObject& event);
    void onFinished(AgentClient* client, int id, bool ok, const QJsonObject& event);
    AgentClient* clientFor(const QString& device);
    void listen(AgentClient* client);
    void refreshDevices();
    void showMessage(const QString& text, bool error);
    void saveDialog();
    void openDialog();
    void exportDialog();
    void importDialog();

    ScheduleEditor* editor_;
    AgentClient* agent_;
    DevicesPanel* devices_ = nullptr;
    QMap<QString, AgentClient*> remoteAgents_;  // one agent per device, kept for later jobs
    AgentClient* jobClient_ = nullptr;
    QString jobDevice_;
    QComboBox* device_ = nullptr;
    QLineEdit* storePath_ = nullptr;
    QPushButton* measureButton_ = nullptr;
    QPushButton* evaluateButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* remaining_ = nullptr;
    QLabel* message_ = nullptr;
    QString weights_, dataset_ = "fashion-mnist", split_ = "test";
    int limit_ = 2000;
    int jobId_ = 0;
    QString jobWhat_;
    QElapsedTimer jobClock_;
};

}  // namespace tp::ui
