#pragma once
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "core/analysis/profile_analysis.h"
#include "core/model/profile.h"
#include "core/schedule/magnet.h"
#include "ui/editor/prediction_sources.h"
#include "ui/editor/schedule_document.h"

class QComboBox;
class QLabel;
class QFormLayout;
class QPushButton;
class QVBoxLayout;

namespace tp::ui {

class SchedulePlot;
class LatencyReadout;
class AccuracyReadout;
class BlockReadout;
class ProfileLibrary;

// The schedule editor: drag pruning points on a tokens-vs-block plot (with the "one more token"
// magnet), edit them with the keyboard, pick the method and its parameters, and read predicted
// latency (the active device and the other loaded profiles of its model), predicted accuracy,
// per-block contributions and edges live on every move. Its profiles are the studio's loaded ones
// (ProfileLibrary), independent of what the Curves tab shows; steps and predictions come from their
// shared analyses, so a sensitivity set in the Curves tab reaches the magnet and the predictions.
class ScheduleEditor : public QWidget {
    Q_OBJECT
public:
    // Pull of the magnet, in pixels between the cursor and the offered token count.
    static constexpr double kMagnetPullPx = 14;

    explicit ScheduleEditor(QWidget* parent = nullptr);
    ~ScheduleEditor() override;

    // The loaded profiles the editor offers as devices (follows profiles added later); the first
    // becomes the active one.
    void setLibrary(ProfileLibrary* library);
    ProfileLibrary* library() const { return library_; }
    // Edits for library profile `index`. The schedule is reset to the model's unpruned schedule
    // when the model changes.
    void setActiveDevice(int index);
    int activeDevice() const { return active_; }
    const Profile* activeProfile() const;
    // The profiles predicted on: the loaded ones of the active profile's model, in library order.
    const std::vector<std::shared_ptr<const Profile>>& profiles() const { return profiles_; }
    // The active profile's analysis (steps for the magnet and the edges, its predictor).
    const ProfileAnalysis* activeAnalysis() const;

    void setAccuracySource(std::shared_ptr<AccuracySource> source);

    // Replaces the edited schedule (open from the store or a file): checked first; a schedule for
    // another model is refused with a message and nothing changes.
    bool openSchedule(const Schedule& schedule, QString* error = nullptr);
    const Schedule& schedule() const { return document_->schedule(); }
    ScheduleDocument* document() const { return document_; }

    // A measured latency or accuracy of the current schedule (drawn next to the prediction while
    // the schedule stays the one measured).
    void addMeasurement(const Measurement& measurement);

    // Editing commands (also reachable by mouse and keyboard).
    void selectPoint(int index);
    int selectedPoint() const;
    bool addPoint();
    bool removeSelectedPoint();
    bool moveSelectedPoint(int dblock, int dtokens);
    bool snapSelectedPointBelow();  // jump to the next "one more token" point below
    bool setMethod(const QString& method);
    bool setParameter(const QString& name, double value);

    SchedulePlot* plot() const { return plot_; }
    LatencyReadout* latencyReadout() const { return latency_; }
    AccuracyReadout* accuracyReadout() const { return accuracy_; }
    BlockReadout* blockReadout() const { return blocks_; }
    QString statusText() const;
    // The offer shown during the current or last drag, and whether the point was snapped to it.
    const std::optional<MagnetOffer>& magnetOffer() const { return magnet_; }
    bool snapped() const { return snapped_; }
    // Where the editor puts its action bar (measure, evaluate, save, open, export).
    QVBoxLayout* actionArea() const { return actionArea_; }

Q_SIGNALS:
    void calibrateRequested(const tp::Schedule& schedule);
    void activeDeviceChanged();
    void scheduleChanged();

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void onDragStarted(int index);
    void onDragMoved(int index, double block, double tokens, Qt::KeyboardModifiers modifiers);
    void onDragFinished(int index);
    void refresh();
    void updateReadouts();
    void rebuildParameterForm();
    bool commitPoints(int index, PruningPoint moved, const QString& text);
    void showStatus(const QString& text, bool error = false);
    void fitStatusHeight();
    void onProfileAdded(int index);
    void collectProfiles();
    void readAnalyses();
    void updateRelevelButton();
    void onRelevelClicked();

    ProfileLibrary* library_ = nullptr;
    std::vector<int> shown_;  // library indices of profiles_
    std::vector<std::shared_ptr<const Profile>> profiles_;
    std::vector<std::shared_ptr<const ProfileAnalysis>> analyses_;  // one per profiles_ entry
    int active_ = -1;         // library index
    std::shared_ptr<AccuracySource> accuracySource_;
    std::vector<Measurement> measurements_;
    std::vector<int> measuredTokens_;
    std::string measuredMethod_;

    ScheduleDocument* document_ = nullptr;
    SchedulePlot* plot_ = nullptr;
    LatencyReadout* latency_ = nullptr;
    AccuracyReadout* accuracy_ = nullptr;
    BlockReadout* blocks_ = nullptr;
    QComboBox* deviceCombo_ = nullptr;
    QComboBox* methodCombo_ = nullptr;
    QLabel* modelLabel_ = nullptr;
    QLabel* status_ = nullptr;
    QWidget* parameterBox_ = nullptr;
    QFormLayout* parameterForm_ = nullptr;
    QVBoxLayout* actionArea_ = nullptr;
    QPushButton* relevelButton_ = nullptr;
    class RelevelRunner* relevel_ = nullptr;

    Schedule dragBefore_;
    std::optional<MagnetOffer> magnet_;
    bool snapped_ = false;
    bool updatingControls_ = false;
    std::string formMethod_;
};

}  // namespace tp::ui
