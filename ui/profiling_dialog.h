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
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QDoubleSpinBox;
class QSpinBox;

namespace tp::ui {

class AgentClient;

// Profiles a model through the agent: device, model, scopes, token range, batch, dtype, mode;
// points are plotted as they arrive, with progress, remaining time and cancel (which keeps the
// points measured so far: the agent answers a cancel with a partial profile).
class ProfilingDialog : public QDialog {
    Q_OBJECT
public:
    explicit ProfilingDialog(AgentClient* agent, QWidget* parent = nullptr);

    void setModelHint(const QString& modelName, int tokens);
    void setTokenCounts(const QVector<int>& tokens);
    // The request the form describes ("model", "scopes", "tokens", ... as in docs/agent-protocol.md).
    QJsonObject requestFields() const;

    bool isRunning() const { return requestId_ > 0; }
    int pointsReceived() const { return pointCount_; }
    QCustomPlot* plot() const { return plot_; }
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
    void onEvent(int id, const QString& name, const QJsonObject& event);
    void onFinished(int id, bool ok, const QJsonObject& event);
    void onHello(const QJsonObject& result);
    void addPoint(const QString& curve, const QJsonObject& point);
    void finishWith(const Profile& profile, bool complete);
    Profile profileFromPoints() const;
    void setRunning(bool running);

    AgentClient* agent_;
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
    int requestId_ = 0;
    int pointCount_ = 0;
    QJsonObject helloResult_;
    QJsonObject sentRequest_;
    QMap<QString, QJsonArray> points_;  // curve name → point objects, as received
    QMap<QString, QString> curveScopes_;
    QElapsedTimer clock_;
    Profile result_;
    bool hasResult_ = false;
};

}  // namespace tp::ui
