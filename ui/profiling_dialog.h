#pragma once
#include <QDialog>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QVector>

#include "core/model/profile.h"

class QComboBox;
class QCustomPlot;
class QListWidget;
class QTableWidget;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QDoubleSpinBox;
class QSpinBox;

namespace tp::ui {

class AgentClient;
class SessionFollower;
class DevicesPanel;

// Profiles a model through the agent: device(s), model, scopes, token range, batch, dtype, mode;
// points are plotted as they arrive, with progress, remaining time and cancel (which keeps the
// points measured so far: the agent answers a cancel with a partial profile). With several
// devices ticked, the same spec runs on each at once (one agent each, local or over SSH): each
// device has its own colour, its own progress line and its own cancel, and one failing (refused,
// agent error, dropped link) shows its error while the others go on. Each result is a profile of
// its own, recording the device and where it was reached.
class ProfilingDialog : public QDialog {
    Q_OBJECT
public:
    explicit ProfilingDialog(AgentClient* agent, QWidget* parent = nullptr);
    ~ProfilingDialog() override;

    // Offers the devices of the Devices tab (local stays the default choice).
    void setDevices(DevicesPanel* devices);
    // Ticks exactly these devices (names from the device list).
    void selectDevices(const QStringList& names);
    QStringList selectedDevices() const;
    // Cancels one device's sweep (the others go on).
    void cancelDevice(const QString& name);
    // Follows a session this studio started before (remembered): replays it, then live.
    void attachSession(const QString& device, const QString& sessionId);
    // The last line shown for a device's run ("done: 12 points", "failed: ...").
    QString deviceStatus(const QString& name) const;

    void setModelHint(const QString& modelName, int tokens);
    void setTokenCounts(const QVector<int>& tokens);
    // The request the form describes ("model", "scopes", "tokens", ... as in docs/agent-protocol.md).
    QJsonObject requestFields() const;

    bool isRunning() const;
    int pointsReceived() const;
    int pointsReceived(const QString& device) const;
    QCustomPlot* plot() const { return plot_; }
    // The last profile that arrived (of any device).
    const Profile* result() const { return hasResult_ ? &result_ : nullptr; }

    // Form fields (for scripted use and tests).
    QComboBox* modelCombo() const { return model_; }
    QLineEdit* scopesEdit() const { return scopes_; }
    QLineEdit* tokensEdit() const { return tokens_; }
    QSpinBox* roundsSpin() const { return rounds_; }
    QSpinBox* minSamplesSpin() const { return minSamples_; }
    QDoubleSpinBox* minTimeSpin() const { return minTime_; }
    QPushButton* startButton() const { return start_; }
    QPushButton* cancelButton() const { return cancel_; }

public Q_SLOTS:
    void startProfiling();
    void cancelProfiling();

Q_SIGNALS:
    // A finished or cancelled sweep; `source` names it in the tree.
    void profileMeasured(const tp::Profile& profile, const QString& source);
    void errorOccurred(const QString& message);
    void runFinished(bool complete);

protected:
    void reject() override;

private:
    // One device's sweep.
    struct Run {
        QString device;
        AgentClient* client = nullptr;  // the dialog's agent for local
        SessionFollower* follower = nullptr;  // a device: the sweep as a detached session
        int requestId = 0;
        int index = 0;                  // colour
        int pointCount = 0;
        int visitsDone = 0, visitsTotal = 0;
        QMap<QString, QJsonArray> points;  // curve name → point objects, as received
        QMap<QString, QString> scopes;
        QString status;
        bool finished = false, complete = false;
        QMetaObject::Connection events, finishes;
    };
    void onEvent(Run* run, int id, const QString& name, const QJsonObject& event);
    void onFinished(Run* run, int id, bool ok, const QJsonObject& event);
    void onHello(const QJsonObject& result);
    void addPoint(Run* run, const QString& curve, const QJsonObject& point);
    void finishWith(Run* run, Profile profile, bool complete);
    void endRun(Run* run, const QString& status);
    Profile profileFromPoints(const Run& run) const;
    void setRunning(bool running);
    void showRunStatus(Run* run, const QString& status);
    Run* runOf(const QString& device) const;
    void clearRuns();
    void cancelRun(Run* run);
    SessionFollower* followSession(Run* run);

    AgentClient* agent_;
    DevicesPanel* devices_ = nullptr;
    QListWidget* deviceList_ = nullptr;
    QTableWidget* runTable_ = nullptr;
    QVector<Run*> runs_;
    QComboBox* device_ = nullptr;
    QComboBox* model_ = nullptr;
    QLineEdit* scopes_ = nullptr;
    QLineEdit* tokens_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QComboBox* mode_ = nullptr;
    QSpinBox* rounds_ = nullptr;
    QSpinBox* minSamples_ = nullptr;
    QDoubleSpinBox* minTime_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;

    int helloId_ = 0;
    QJsonObject helloResult_;
    QJsonObject sentRequest_;
    QElapsedTimer clock_;
    Profile result_;
    bool hasResult_ = false;
};

}  // namespace tp::ui
