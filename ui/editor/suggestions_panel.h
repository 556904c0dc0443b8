#pragma once
// The schedule editor's Suggestions panel: the search's candidates (core/search) as a scatter of
// predicted latency (% of unpruned) against predicted top-1, the Pareto front highlighted, the
// edited schedule as a marker that follows every move, and the objective's pick; a click on a
// front point opens that schedule in the editor. The search (accuracy fits and all) runs off the
// GUI thread; an objective change only re-reads the front.
#include <QPoint>
#include <QPointF>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "core/accuracy/accuracy_data.h"
#include "core/search/search_objective.h"
#include "core/search/search_types.h"

class QCustomPlot;
class QCPGraph;
class QCPLayer;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMouseEvent;

namespace tp {
struct SearchAccuracy;
class ProfileAnalysis;
}  // namespace tp

namespace tp::ui {

class ScheduleEditor;
class ProfileLibrary;

class SuggestionsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SuggestionsPanel(ScheduleEditor* editor, QWidget* parent = nullptr);
    ~SuggestionsPanel() override;

    // The active model's accuracy calibration; nullopt when it has none (`why`: what the user can do).
    void setCalibration(std::optional<AccuracyCalibration> calibration, std::vector<AccuracyAnchor> card_anchors,
                        const QString& why = {});

    // Objective controls (also reachable through the panel's widgets).
    void setMaxDrop(double pp);
    void setLatencyBudgetPct(double pct);  // 0: no budget (the fastest within the max drop)
    void setDevice(int index);             // -1: the worst case of the devices; else one of them

    bool busy() const { return running_; }
    const SearchResult* result() const { return result_.get(); }
    const ObjectiveChoice& choice() const { return choice_; }
    QString statusText() const;
    QCustomPlot* plot() const { return plot_; }
    // The edited schedule's marker: (latency %, top-1 %); nullopt when it cannot be predicted.
    std::optional<QPointF> currentMarker() const { return current_; }
    // Where front entry `index` is drawn, in the plot's pixels.
    QPoint frontPixel(int index) const;

Q_SIGNALS:
    void searchFinished();

private:
    struct Outcome;
    void research();
    void onSearchDone(std::shared_ptr<Outcome> outcome);
    void applyObjective(bool newResult);
    void setObjectiveData();
    void updateCurrent();
    void redraw();
    void onPlotPressed(QMouseEvent* event);
    void showState(const QString& text, bool problem);
    std::vector<std::shared_ptr<const ProfileAnalysis>> modelAnalyses() const;

    ScheduleEditor* editor_;
    QCustomPlot* plot_ = nullptr;
    QCPGraph* cloud_ = nullptr;
    QCPGraph* front_ = nullptr;
    QCPGraph* feasible_ = nullptr;
    QCPGraph* best_ = nullptr;
    QCPGraph* unpruned_ = nullptr;
    QCPGraph* current_graph_ = nullptr;
    QCPLayer* objectiveLayer_ = nullptr;
    QCPLayer* markerLayer_ = nullptr;
    QDoubleSpinBox* maxDrop_ = nullptr;
    QDoubleSpinBox* budget_ = nullptr;
    QComboBox* device_ = nullptr;
    QLabel* state_ = nullptr;

    std::optional<AccuracyCalibration> calibration_;
    std::vector<AccuracyAnchor> anchors_;
    QString noCalibration_;
    std::shared_ptr<const SearchAccuracy> accuracy_;   // fitted on calibration_, kept across searches
    std::vector<std::shared_ptr<const ProfileAnalysis>> analyses_;  // those of result_
    std::shared_ptr<const SearchResult> result_;
    ObjectiveChoice choice_;
    std::optional<QPointF> current_;
    bool running_ = false;
    bool again_ = false;   // inputs changed while a search ran: search again when it ends
    int generation_ = 0;
    ProfileLibrary* watchedLibrary_ = nullptr;
};

}  // namespace tp::ui
