#include "ui/editor/suggestions_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>

#include "core/analysis/profile_analysis.h"
#include "core/search/schedule_search.h"
#include "core/search/search_accuracy.h"
#include "core/search/search_space.h"
#include "ui/editor/plot_layers.h"
#include "ui/editor/schedule_editor.h"
#include "ui/palette.h"
#include "ui/profile_analyses.h"
#include "ui/profile_library.h"
#include "ui/qcustomplot_include.h"

namespace tp::ui {

// What a search run off the GUI thread hands back.
struct SuggestionsPanel::Outcome {
    int generation = 0;
    std::shared_ptr<const SearchAccuracy> accuracy;
    std::vector<std::shared_ptr<const ProfileAnalysis>> analyses;
    std::shared_ptr<const SearchResult> result;
    QString error;
};

namespace {

QCPGraph* scatter(QCustomPlot* plot, const QColor& color, QCPScatterStyle::ScatterShape shape, double size,
                  const QString& name, bool line = false) {
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setLineStyle(line ? QCPGraph::lsLine : QCPGraph::lsNone);
    g->setPen(QPen(color, 1.5));
    QCPScatterStyle style(shape, size);
    style.setPen(QPen(color, 1.5));
    if (shape == QCPScatterStyle::ssDisc) style.setBrush(color);
    g->setScatterStyle(style);
    return g;
}

}  // namespace

SuggestionsPanel::SuggestionsPanel(ScheduleEditor* editor, QWidget* parent) : QWidget(parent), editor_(editor) {
    setObjectName("suggestionsPanel");
    plot_ = new QCustomPlot;
    plot_->setObjectName("suggestionsPlot");
    plot_->setMinimumHeight(260);
    plot_->xAxis->setLabel("predicted latency, % of unpruned");
    plot_->yAxis->setLabel("predicted top-1, %");
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    cloud_ = scatter(plot_, QColor(170, 170, 170), QCPScatterStyle::ssDot, 3, "candidates");
    front_ = scatter(plot_, QColor(31, 119, 180), QCPScatterStyle::ssCircle, 6, "front", true);
    feasible_ = scatter(plot_, QColor(31, 119, 180), QCPScatterStyle::ssDisc, 6, "meets the objective");
    best_ = scatter(plot_, QColor(214, 39, 40), QCPScatterStyle::ssStar, 14, "pick");
    unpruned_ = scatter(plot_, QColor(60, 60, 60), QCPScatterStyle::ssSquare, 9, "unpruned");
    current_graph_ = scatter(plot_, QColor(255, 127, 14), QCPScatterStyle::ssCrossCircle, 13, "this schedule");
    // What an objective change redraws, and what every move of the edited schedule redraws, each on
    // a buffered layer of its own: the candidates and the front are not painted again for them.
    objectiveLayer_ = add_top_buffered_layer(plot_, "objective");
    feasible_->setLayer(objectiveLayer_);
    best_->setLayer(objectiveLayer_);
    markerLayer_ = add_top_buffered_layer(plot_, "marker");
    current_graph_->setLayer(markerLayer_);
    connect(plot_, &QCustomPlot::mousePress, this, &SuggestionsPanel::onPlotPressed);

    maxDrop_ = new QDoubleSpinBox;
    maxDrop_->setObjectName("suggestionsMaxDrop");
    maxDrop_->setRange(0, 50);
    maxDrop_->setDecimals(2);
    maxDrop_->setSingleStep(0.25);
    maxDrop_->setValue(1.0);
    maxDrop_->setSuffix(" pp");
    maxDrop_->setToolTip("The fastest schedule whose predicted top-1 drop stays within this");
    budget_ = new QDoubleSpinBox;
    budget_->setObjectName("suggestionsBudget");
    budget_->setRange(0, 200);
    budget_->setDecimals(1);
    budget_->setSpecialValueText("none");
    budget_->setSuffix(" % of unpruned");
    budget_->setToolTip("With a latency budget: the most accurate schedule within it (the max drop is then not used)");
    device_ = new QComboBox;
    device_->setObjectName("suggestionsDevice");
    device_->setToolTip("Whose latency counts: the worst device (largest % of its own unpruned), or one");
    state_ = new QLabel;
    state_->setObjectName("suggestionsState");
    state_->setWordWrap(true);
    state_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    state_->setMinimumHeight(3 * state_->fontMetrics().lineSpacing());
    state_->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel("Max drop"));
    controls->addWidget(maxDrop_);
    controls->addWidget(new QLabel("Latency budget"));
    controls->addWidget(budget_);
    controls->addWidget(new QLabel("Device"));
    controls->addWidget(device_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel("<b>Suggestions</b> (the search's front of predicted latency and top-1; click a point to open it)"));
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);
    layout->addWidget(state_);

    connect(maxDrop_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] { applyObjective(false); });
    connect(budget_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] { applyObjective(false); });
    connect(device_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { research(); });
    connect(editor_, &ScheduleEditor::scheduleChanged, this, [this] {
        updateCurrent();
        const bool inside = current_ && plot_->xAxis->range().contains(current_->x()) && plot_->yAxis->range().contains(current_->y());
        if (inside || !current_) markerLayer_->replot();
        else plot_->replot(QCustomPlot::rpQueuedReplot);  // the marker left the frame: reframe
    });
    // A change of the active device reaches the panel as a new calibration (editor_tab.cpp); a change
    // of the analyses' settings (sensitivity) as the analyses' changed() (watched from the first search).
    showState("No search yet.", false);
}

SuggestionsPanel::~SuggestionsPanel() = default;

void SuggestionsPanel::setCalibration(std::optional<AccuracyCalibration> calibration,
                                      std::vector<AccuracyAnchor> card_anchors, const QString& why) {
    calibration_ = std::move(calibration);
    anchors_ = std::move(card_anchors);
    noCalibration_ = why;
    accuracy_.reset();
    research();
}

void SuggestionsPanel::setMaxDrop(double pp) { maxDrop_->setValue(pp); }
void SuggestionsPanel::setLatencyBudgetPct(double pct) { budget_->setValue(pct); }
void SuggestionsPanel::setDevice(int index) { device_->setCurrentIndex(index + 1); }

QString SuggestionsPanel::statusText() const { return state_->text(); }

void SuggestionsPanel::showState(const QString& text, bool problem) {
    state_->setText(text);
    state_->setStyleSheet(problem ? "color: #a33;" : "");
}

std::vector<std::shared_ptr<const ProfileAnalysis>> SuggestionsPanel::modelAnalyses() const {
    std::vector<std::shared_ptr<const ProfileAnalysis>> out;
    const Profile* active = editor_->activeProfile();
    ProfileLibrary* library = editor_->library();
    if (!active || !library) return out;
    // The editor's devices: the loaded profiles of the active one's model, in library order.
    for (int i = 0; i < library->size(); ++i) {
        const auto& p = library->at(i).profile;
        if (p->model.name != active->model.name || p->model.depth != active->model.depth || p->model.tokens != active->model.tokens)
            continue;
        auto a = library->analysis(i);
        if (a && a->predictor()) out.push_back(a);
    }
    return out;
}

void SuggestionsPanel::research() {
    if (running_) {
        again_ = true;
        return;
    }
    if (editor_->library() && !watchedLibrary_) {
        watchedLibrary_ = editor_->library();
        connect(watchedLibrary_->analyses(), &ProfileAnalyses::changed, this, [this] { research(); });
    }
    const auto analyses = modelAnalyses();
    // The device list follows the editor's devices (without re-triggering a search).
    {
        const QSignalBlocker block(device_);
        const int keep = device_->currentIndex();
        device_->clear();
        device_->addItem(QString("Worst case of %1 device%2").arg(analyses.size()).arg(analyses.size() == 1 ? "" : "s"));
        std::vector<const ProfileAnalysis*> raw;
        for (const auto& a : analyses) raw.push_back(a.get());
        for (const auto& name : device_names(raw)) device_->addItem(QString::fromStdString(name));
        device_->setCurrentIndex(keep >= 0 && keep < device_->count() ? keep : 0);
    }
    if (!calibration_) {
        result_.reset();
        current_.reset();
        const QString model = editor_->activeProfile() ? QString::fromStdString(editor_->activeProfile()->model.name) : "this model";
        showState(noCalibration_.isEmpty()
                      ? "No accuracy calibration for " + model +
                            ": without one the search cannot predict top-1. Calibrate it (Calibrate below, or "
                            "`tailprune calibrate --weights WEIGHTS --method all`) and the suggestions appear."
                      : noCalibration_,
                  true);
        redraw();
        return;
    }
    if (analyses.empty()) {
        result_.reset();
        showState("No loaded profile of this model can predict latency.", true);
        redraw();
        return;
    }
    running_ = true;
    again_ = false;
    showState("Searching…", false);
    const int generation = ++generation_;
    const int device = device_->currentIndex() - 1;
    auto calibration = *calibration_;
    auto anchors = anchors_;
    auto accuracy = accuracy_;
    auto* watcher = new QFutureWatcher<std::shared_ptr<Outcome>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this, [this, watcher] {
        onSearchDone(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([generation, device, calibration, anchors, accuracy, analyses] {
        auto out = std::make_shared<Outcome>();
        out->generation = generation;
        out->analyses = analyses;
        try {
            out->accuracy = accuracy ? accuracy
                                     : std::make_shared<const SearchAccuracy>(fit_search_accuracy(calibration, {}, "test", anchors));
            SearchInputs in;
            for (const auto& a : analyses) in.devices.push_back(a.get());
            in.accuracy = out->accuracy->pointers();
            SearchSettings settings;
            settings.device = device;
            out->result = std::make_shared<const SearchResult>(search_schedules(in, settings));
        } catch (const std::exception& e) {
            out->error = QString::fromUtf8(e.what());
        }
        return out;
    }));
}

void SuggestionsPanel::onSearchDone(std::shared_ptr<Outcome> outcome) {
    running_ = false;
    if (again_ || outcome->generation != generation_) {
        research();
        return;
    }
    if (!outcome->error.isEmpty()) {
        result_.reset();
        showState("The search failed: " + outcome->error, true);
        redraw();
        Q_EMIT searchFinished();
        return;
    }
    accuracy_ = outcome->accuracy;
    analyses_ = outcome->analyses;
    result_ = outcome->result;
    applyObjective(true);
    Q_EMIT searchFinished();
}

void SuggestionsPanel::applyObjective(bool newResult) {
    if (!result_) return;
    SearchObjective o;
    if (budget_->value() > 0) {
        o.kind = SearchObjective::Kind::MaxAccuracy;
        o.max_latency_pct = budget_->value();
    } else {
        o.max_drop_pp = maxDrop_->value();
    }
    choice_ = apply_objective(*result_, o);
    if (choice_.best >= 0) {
        const SearchEntry& e = result_->front[std::size_t(choice_.best)];
        showState(QString("%1: %2 (%3) — %4% of unpruned on %5, top-1 %6% (drop %7 pp). %8 front schedules of %9 "
                          "candidates%10.")
                      .arg(QString::fromStdString(o.describe()), QString::fromStdString(e.schedule.name),
                           QString::fromStdString(e.family))
                      .arg(e.predicted_pct, 0, 'f', 1)
                      .arg(QString::fromStdString(e.devices[std::size_t(e.objective_device)].device))
                      .arg(100 * e.predicted_top1, 0, 'f', 2)
                      .arg(e.predicted_drop_pp, 0, 'f', 2)
                      .arg(result_->front.size())
                      .arg(result_->space)
                      .arg(result_->exact ? "" : " (approximate: a search state overflowed)"),
                  false);
    } else {
        showState("Nothing meets the objective: " + QString::fromStdString(choice_.empty_reason), true);
    }
    updateCurrent();
    if (newResult) {
        redraw();
        return;
    }
    setObjectiveData();
    objectiveLayer_->replot();
    markerLayer_->replot();
}

void SuggestionsPanel::setObjectiveData() {
    QVector<double> gx, gy, bx, by;
    if (result_) {
        for (std::size_t i : choice_.feasible)
            gx.push_back(result_->front[i].predicted_pct), gy.push_back(100 * result_->front[i].predicted_top1);
        if (choice_.best >= 0) {
            const auto& e = result_->front[std::size_t(choice_.best)];
            bx.push_back(e.predicted_pct), by.push_back(100 * e.predicted_top1);
        }
    }
    feasible_->setData(gx, gy, true);
    best_->setData(bx, by, true);
}

void SuggestionsPanel::updateCurrent() {
    current_.reset();
    current_graph_->data()->clear();
    if (!result_ || !accuracy_) return;
    const Schedule& s = editor_->schedule();
    auto model = accuracy_->models.find(s.method);
    const bool unpruned = s.pruning_points().empty();
    if (!unpruned && model == accuracy_->models.end()) return;
    const int device = device_->currentIndex() - 1;
    double worst = 0;
    for (std::size_t d = 0; d < analyses_.size(); ++d) {
        if (device >= 0 && int(d) != device) continue;
        const LatencyPredictor* p = analyses_[d]->predictor();
        if (!p || p->depth() != s.depth() || p->input_tokens() != s.input_tokens()) return;
        worst = std::max(worst, 100.0 * p->predict_ms(s.tokens_after_block, s.method) / p->unpruned_ms());
    }
    const double top1 = unpruned ? result_->unpruned.predicted_top1 : model->second.predict_top1(s.tokens_after_block);
    current_ = QPointF(worst, 100.0 * top1);
    current_graph_->setData(QVector<double>{worst}, QVector<double>{100.0 * top1});
}

void SuggestionsPanel::redraw() {
    QVector<double> cx, cy, fx, fy;
    if (result_) {
        for (const auto& p : result_->cloud) cx.push_back(p.latency), cy.push_back(100 * p.top1);
        for (std::size_t i = 0; i < result_->front.size(); ++i) {
            const auto& e = result_->front[i];
            fx.push_back(e.predicted_pct), fy.push_back(100 * e.predicted_top1);
        }
    }
    cloud_->setData(cx, cy, true);
    front_->setData(fx, fy, true);
    setObjectiveData();
    if (result_) unpruned_->setData(QVector<double>{100.0}, QVector<double>{100 * result_->unpruned.predicted_top1});
    else unpruned_->data()->clear();
    if (!current_) current_graph_->data()->clear();
    if (result_) {
        // Frame the unpruned model and the front down to 8 pp below it (the schedules worth trying;
        // fixed, so that an objective change never reframes); the front's far tail may fall outside.
        const double anchor = 100 * result_->unpruned.predicted_top1;
        const double window = 8.0;
        double x0 = 100, x1 = 100, y0 = anchor, y1 = anchor;
        for (std::size_t i = 0; i < std::size_t(fx.size()); ++i) {
            if (fy[int(i)] < anchor - window) continue;
            x0 = std::min(x0, fx[int(i)]), x1 = std::max(x1, fx[int(i)]), y0 = std::min(y0, fy[int(i)]), y1 = std::max(y1, fy[int(i)]);
        }
        if (current_) x0 = std::min(x0, current_->x()), x1 = std::max(x1, current_->x()), y0 = std::min(y0, current_->y());
        const double dx = std::max(1.0, 0.06 * (x1 - x0)), dy = std::max(0.5, 0.06 * (y1 - y0));
        plot_->xAxis->setRange(x0 - dx, x1 + dx);
        plot_->yAxis->setRange(y0 - dy, y1 + dy);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QPoint SuggestionsPanel::frontPixel(int index) const {
    const auto& e = result_->front.at(std::size_t(index));
    return QPoint(int(std::lround(plot_->xAxis->coordToPixel(e.predicted_pct))),
                  int(std::lround(plot_->yAxis->coordToPixel(100 * e.predicted_top1))));
}

void SuggestionsPanel::onPlotPressed(QMouseEvent* event) {
    if (!result_ || result_->front.empty()) return;
    int nearest = -1;
    double best = 12.0 * 12.0;  // pixels²: a click within 12 px of a front point picks it
    for (std::size_t i = 0; i < result_->front.size(); ++i) {
        const QPoint p = frontPixel(int(i));
        const double dx = p.x() - event->position().x(), dy = p.y() - event->position().y();
        if (dx * dx + dy * dy < best) best = dx * dx + dy * dy, nearest = int(i);
    }
    if (nearest < 0) return;
    Schedule s = result_->front[std::size_t(nearest)].schedule;
    QString error;
    if (!editor_->openSchedule(s, &error)) showState("Could not open the suggestion: " + error, true);
}

}  // namespace tp::ui
