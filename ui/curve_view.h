#pragma once
#include <QVector>
#include <QWidget>

#include "core/steps/step_detector.h"
#include "core/steps/tile_explainer.h"
#include "ui/curve_ref.h"
#include "ui/curve_series.h"

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;
class QCPItemTracer;
class QCPItemRect;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QToolButton;

namespace tp::ui {

class ProfileAnalyses;

// The curve view: median latency vs tokens with the p10–p90 band, detected edges (labelled with
// height and explanation), shaded plateaus, a crosshair readout with the "one more token" saving,
// clock/temperature strips, overlays of several curves, normalised and ratio modes.
// The first curve is the primary one: steps, strips and the readout belong to it. Steps come from
// the shared analyses of the loaded profiles (setAnalyses; a view of its own until then), so the
// sensitivity set here reaches the editor's magnet and predictions too.
class CurveView : public QWidget {
    Q_OBJECT
public:
    enum class YMode { Latency, Normalised, Ratio };

    struct Analysed {
        CurveRef ref;
        CurveSeries series;  // as measured (ms)
        StepAnalysis steps;  // from the profile's analysis
        std::vector<EdgeExplanation> explanations;  // one per edge, or empty (no explanation applies)
        QString explanation(std::size_t edge) const;
    };

    explicit CurveView(QWidget* parent = nullptr);

    void setCurves(const QVector<CurveRef>& curves);
    const QVector<Analysed>& curves() const { return curves_; }
    // Switches every overlaid curve to the scope named `curveName` where its profile has it.
    void setScope(const QString& curveName);

    // The analyses the view reads its steps from (the studio's, shared with the editor).
    void setAnalyses(ProfileAnalyses* analyses);
    ProfileAnalyses* analyses() const { return analyses_; }
    // Sets the sensitivity of the shared analyses: every view re-reads its steps.
    void setSensitivity(double c);
    double sensitivity() const;
    void setLogScale(bool on);
    bool logScale() const;
    void setYMode(YMode mode);
    YMode yMode() const { return yMode_; }
    void resetZoom();

    // One line about the primary curve's steps (edge count, noise, periodic pattern).
    QString summary() const;
    // Readout of the crosshair at a token count (nearest measured point of the primary curve).
    QString readoutAt(double tokens) const;
    // Token counts inside [lo, hi] within the primary model's range, for "measure these".
    QVector<int> tokensInRange(double lo, double hi) const;
    void setSelection(double lo, double hi);
    QVector<int> selectedTokens() const { return selection_; }

    QCustomPlot* plot() const { return plot_; }
    QLabel* readoutLabel() const { return readout_; }
    // One line per clock flag of the shown profiles (issue 22: unlocked, changed, throttled); hidden
    // when none has any.
    QLabel* clockWarningLabel() const { return clockWarning_; }

Q_SIGNALS:
    void curvesChanged();  // curves or their step analyses changed
    void measureTokensRequested(const QVector<int>& tokens);
    void settingsChanged();

private:
    QWidget* buildToolbar();
    void analyse();
    void onAnalysesChanged();
    void rebuildPlot();
    void addCurveGraphs(int index, const CurveSeries& shown);
    void addSteps(const Analysed& a, double scale);
    void addStrips(const Curve& curve);
    void removeStrips();
    void updateCrosshair(double x);
    void fillScopeCombo();
    void updateClockWarning();
    CurveSeries shownSeries(int index) const;
    double scaleOf(int index) const;

    QCustomPlot* plot_ = nullptr;
    QCPAxisRect* strip_ = nullptr;
    QCPItemStraightLine* crossV_ = nullptr;
    QCPItemStraightLine* crossH_ = nullptr;
    QCPItemTracer* tracer_ = nullptr;
    QCPItemRect* selectionRect_ = nullptr;
    QComboBox* scopeCombo_ = nullptr;
    QComboBox* modeCombo_ = nullptr;
    QDoubleSpinBox* sensitivitySpin_ = nullptr;
    QCheckBox* logCheck_ = nullptr;
    QToolButton* selectButton_ = nullptr;
    QPushButton* measureButton_ = nullptr;
    QLabel* readout_ = nullptr;
    QLabel* clockWarning_ = nullptr;

    QVector<Analysed> curves_;
    ProfileAnalyses* analyses_ = nullptr;
    YMode yMode_ = YMode::Latency;
    QVector<int> selection_;
    double xLo_ = 0, xHi_ = 1, yLo_ = 0, yHi_ = 1;  // reset ranges of what is shown
};

}  // namespace tp::ui
