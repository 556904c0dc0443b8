#include "ui/editor/schedule_editor.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QScrollArea>
#include <optional>
#include <QScrollBar>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/model/schedule_profile_match.h"
#include "core/schedule/block_edges.h"
#include "ui/editor/accuracy_readout.h"
#include "ui/editor/block_readout.h"
#include "ui/agent_client.h"
#include "ui/editor/latency_readout.h"
#include "ui/editor/relevel_runner.h"
#include "ui/editor/schedule_plot.h"
#include "ui/profile_library.h"

namespace tp::ui {
namespace {

const QStringList kMethods = {"pomt", "pomt_nomerge", "topk", "zerotprune", "tome", "random"};

QString failureText(const std::exception_ptr& failure) {
    try {
        if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return "unknown reason";
}

QString deviceLabel(const Profile& p) {
    return QString::fromStdString(p.device.name + (p.id.empty() || p.id == p.device.name ? "" : " (" + p.id + ")"));
}

}  // namespace

ScheduleEditor::ScheduleEditor(QWidget* parent) : QWidget(parent) {
    setObjectName("scheduleEditor");
    document_ = new ScheduleDocument(this);
    plot_ = new SchedulePlot;
    plot_->setFocusPolicy(Qt::StrongFocus);
    latency_ = new LatencyReadout;
    accuracy_ = new AccuracyReadout;
    blocks_ = new BlockReadout;
    status_ = new QLabel;
    status_->setObjectName("editorStatus");
    status_->setWordWrap(true);
    // A box of fixed height, fitted to the wrapped text (fitStatusHeight): a label that resized with
    // every text would relayout the editor on every move.
    status_->setFixedHeight(2 * status_->fontMetrics().lineSpacing() + 6);
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    deviceCombo_ = new QComboBox;
    deviceCombo_->setObjectName("deviceCombo");
    methodCombo_ = new QComboBox;
    methodCombo_->setObjectName("methodCombo");
    methodCombo_->addItems(kMethods);
    modelLabel_ = new QLabel;
    parameterBox_ = new QWidget;
    parameterForm_ = new QFormLayout(parameterBox_);
    parameterForm_->setContentsMargins(0, 0, 0, 0);

    auto* undo = document_->undoStack()->createUndoAction(this, "Undo");
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    auto* redo = document_->undoStack()->createRedoAction(this, "Redo");
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    addAction(redo);
    auto* undoButton = new QToolButton;
    undoButton->setDefaultAction(undo);
    auto* redoButton = new QToolButton;
    redoButton->setDefaultAction(redo);
    auto* addButton = new QPushButton("Add point");
    addButton->setObjectName("addPointButton");
    addButton->setToolTip("Add a pruning point (Insert)");
    auto* removeButton = new QPushButton("Remove point");
    removeButton->setObjectName("removePointButton");
    removeButton->setToolTip("Remove the selected pruning point (Delete)");

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel("Device"));
    top->addWidget(deviceCombo_, 1);
    top->addWidget(modelLabel_);
    top->addSpacing(12);
    top->addWidget(new QLabel("Method"));
    top->addWidget(methodCombo_);
    top->addWidget(addButton);
    top->addWidget(removeButton);
    top->addWidget(undoButton);
    top->addWidget(redoButton);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(plot_, 3);
    leftLayout->addWidget(status_);
    leftLayout->addWidget(parameterBox_);
    leftLayout->addWidget(blocks_, 2);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(new QLabel("<b>Predicted latency</b> (active ▶ and the other loaded devices of its model)"));
    rightLayout->addWidget(latency_, 2);
    relevelButton_ = new QPushButton("Re-level for this machine");
    relevelButton_->setObjectName("relevelButton");
    relevel_ = new RelevelRunner(this);
    auto* relevelRow = new QHBoxLayout;
    relevelRow->addWidget(relevelButton_);
    relevelRow->addStretch();
    rightLayout->addLayout(relevelRow);
    rightLayout->addWidget(accuracy_);
    actionArea_ = new QVBoxLayout;
    rightLayout->addLayout(actionArea_);
    rightLayout->addStretch();

    right->setMinimumWidth(600);
    // The readouts, actions and suggestions need ~1,100 px of height: on a shorter window (a laptop's
    // 1080p screen) the column scrolls instead of squeezing its widgets over each other.
    auto* rightScroll = new QScrollArea;
    rightScroll->setObjectName("editorRightColumn");
    rightScroll->setWidget(right);
    rightScroll->setWidgetResizable(true);
    rightScroll->setFrameShape(QFrame::NoFrame);
    rightScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    rightScroll->setMinimumWidth(600 + rightScroll->verticalScrollBar()->sizeHint().width());
    auto* splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(rightScroll);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(document_, &ScheduleDocument::changed, this, &ScheduleEditor::refresh);
    connect(plot_, &SchedulePlot::dragStarted, this, &ScheduleEditor::onDragStarted);
    connect(plot_, &SchedulePlot::dragMoved, this, &ScheduleEditor::onDragMoved);
    connect(plot_, &SchedulePlot::dragFinished, this, &ScheduleEditor::onDragFinished);
    connect(addButton, &QPushButton::clicked, this, [this] { addPoint(); });
    connect(relevelButton_, &QPushButton::clicked, this, &ScheduleEditor::onRelevelClicked);
    connect(relevel_, &RelevelRunner::progress, this, [this](const QString& line) { showStatus("Re-levelling: " + line); });
    connect(relevel_, &RelevelRunner::finished, this, [this](bool ok, const QString& summary) {
        showStatus(summary, !ok || summary.contains("warning:"));  // "the machine never held its level"
        updateRelevelButton();
        if (ok) library_->analyses()->reload();  // every view re-reads with this machine's record
    });
    connect(removeButton, &QPushButton::clicked, this, [this] { removeSelectedPoint(); });
    connect(deviceCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        if (!updatingControls_ && i >= 0) setActiveDevice(i);
    });
    connect(methodCombo_, &QComboBox::currentTextChanged, this, [this](const QString& m) {
        if (!updatingControls_) setMethod(m);
    });
    connect(accuracy_, &AccuracyReadout::calibrateRequested, this, [this] { Q_EMIT calibrateRequested(schedule()); });
    connect(accuracy_, &AccuracyReadout::splitChanged, this, &ScheduleEditor::updateReadouts);
    showStatus("Load a profile to edit a schedule for its device and model.");
}

ScheduleEditor::~ScheduleEditor() = default;

const Profile* ScheduleEditor::activeProfile() const {
    return library_ && active_ >= 0 && active_ < library_->size() ? library_->at(active_).profile.get() : nullptr;
}

const ProfileAnalysis* ScheduleEditor::activeAnalysis() const {
    for (std::size_t i = 0; i < shown_.size(); ++i)
        if (shown_[i] == active_) return analyses_[i].get();
    return nullptr;
}

void ScheduleEditor::setLibrary(ProfileLibrary* library) {
    if (library_) disconnect(library_, nullptr, this, nullptr);
    if (library_) disconnect(library_->analyses(), nullptr, this, nullptr);
    library_ = library;
    active_ = -1;
    profiles_.clear();
    analyses_.clear();
    shown_.clear();
    updatingControls_ = true;
    deviceCombo_->clear();
    updatingControls_ = false;
    if (!library_) return;
    connect(library_, &ProfileLibrary::profileAdded, this, &ScheduleEditor::onProfileAdded);
    // New settings (e.g. the Curves tab's sensitivity): read the new analyses once, and every
    // readout, the edges and the next magnet offer follow.
    connect(library_->analyses(), &ProfileAnalyses::changed, this, [this] {
        readAnalyses();
        updateReadouts();
    });
    for (int i = 0; i < library_->size(); ++i) onProfileAdded(i);
}

void ScheduleEditor::onProfileAdded(int index) {
    updatingControls_ = true;
    deviceCombo_->addItem(deviceLabel(*library_->at(index).profile));
    updatingControls_ = false;
    if (active_ < 0) {
        setActiveDevice(index);
        return;
    }
    const ModelInfo& m = library_->at(index).profile->model;
    if (m.depth != activeProfile()->model.depth || m.tokens != activeProfile()->model.tokens) return;
    collectProfiles();
    updateReadouts();
}

void ScheduleEditor::collectProfiles() {
    profiles_.clear();
    shown_.clear();
    const ModelInfo& model = activeProfile()->model;
    for (int i = 0; i < library_->size(); ++i) {
        const auto& p = library_->at(i).profile;
        if (p->model.depth != model.depth || p->model.tokens != model.tokens) continue;
        profiles_.push_back(p);
        shown_.push_back(i);
    }
    readAnalyses();
}

void ScheduleEditor::readAnalyses() {
    analyses_.clear();
    for (int i : shown_) analyses_.push_back(library_->analysis(i));
}

void ScheduleEditor::setActiveDevice(int index) {
    if (!library_ || index < 0 || index >= library_->size()) return;
    const ModelInfo& model = library_->at(index).profile->model;
    const bool sameModel = activeProfile() && activeProfile()->model.name == model.name &&
                           activeProfile()->model.depth == model.depth && activeProfile()->model.tokens == model.tokens;
    active_ = index;
    collectProfiles();
    updatingControls_ = true;
    deviceCombo_->setCurrentIndex(index);
    updatingControls_ = false;
    modelLabel_->setText(QString("Model <b>%1</b> · %2 blocks · %3 tokens · batch %4 · %5")
                             .arg(QString::fromStdString(model.name))
                             .arg(model.depth)
                             .arg(model.tokens)
                             .arg(model.batch)
                             .arg(QString::fromStdString(model.dtype)));
    Schedule s = sameModel ? schedule() : unpruned_schedule(model);
    s.device = activeProfile()->device;
    if (!sameModel) {
        s.method = methodCombo_->currentText().toStdString();
        s.name = "untitled";
        s.parameters = resolve_method_parameters(s.method, {});
        document_->reset(s);
        showStatus("Press Insert or click Add point to add a pruning point, then drag it. Arrows move the selected "
                   "point, Ctrl+Down jumps to the next \"one more token\" point, Alt while dragging turns the magnet off.");
    } else {
        document_->apply(s);  // same schedule, other device: not an edit
    }
    Q_EMIT activeDeviceChanged();
}

void ScheduleEditor::setAccuracySource(std::shared_ptr<AccuracySource> source) {
    if (accuracySource_) disconnect(accuracySource_.get(), nullptr, this, nullptr);
    accuracySource_ = std::move(source);
    // A method's model is fitted off the GUI thread on first use: show its prediction once it is ready.
    if (accuracySource_) connect(accuracySource_.get(), &AccuracySource::ready, this, &ScheduleEditor::updateReadouts);
    updateReadouts();
}

bool ScheduleEditor::openSchedule(const Schedule& schedule, QString* error) {
    auto fail = [&](const QString& message) {
        showStatus(message, true);
        if (error) *error = message;
        return false;
    };
    try {
        validate_for_method(schedule);
    } catch (const std::exception& e) {
        return fail("Cannot open schedule '" + QString::fromStdString(schedule.name) + "': " + QString::fromUtf8(e.what()));
    }
    // Edited on a loaded profile of its model: its own device when loaded, else the active one or
    // the first of its model (core/model/schedule_profile_match.h).
    std::vector<const Profile*> loaded;
    for (int i = 0; library_ && i < library_->size(); ++i) loaded.push_back(library_->at(i).profile.get());
    const auto current = active_ >= 0 ? std::optional<std::size_t>(static_cast<std::size_t>(active_)) : std::nullopt;
    const auto target = profile_for_schedule(loaded, schedule, current);
    if (!target)
        return fail(QString("Schedule '%1' is for %2 (%3 blocks, %4 tokens): no loaded profile is of that model. Open "
                            "a profile of it first (File → Open profile…).")
                        .arg(QString::fromStdString(schedule.name), QString::fromStdString(schedule.model.name))
                        .arg(schedule.model.depth)
                        .arg(schedule.model.tokens));
    if (static_cast<int>(*target) != active_) setActiveDevice(static_cast<int>(*target));
    measurements_ = schedule.measurements;
    measuredTokens_ = schedule.tokens_after_block;
    measuredMethod_ = schedule.method;
    document_->reset(schedule);
    showStatus(QString("Opened '%1' revision %2 (%3).")
                   .arg(QString::fromStdString(schedule.name))
                   .arg(schedule.revision)
                   .arg(QString::fromStdString(schedule.status)));
    return true;
}

void ScheduleEditor::addMeasurement(const Measurement& m) {
    if (measuredTokens_ != schedule().tokens_after_block || measuredMethod_ != schedule().method) {
        measurements_.clear();
        measuredTokens_ = schedule().tokens_after_block;
        measuredMethod_ = schedule().method;
    }
    measurements_.erase(std::remove_if(measurements_.begin(), measurements_.end(),
                                       [&](const Measurement& x) { return x.kind == m.kind && x.device == m.device; }),
                        measurements_.end());
    measurements_.push_back(m);
    updateReadouts();
}

// ---- editing -------------------------------------------------------------------------------

void ScheduleEditor::selectPoint(int index) {
    const int n = static_cast<int>(schedule().pruning_points().size());
    plot_->setSelectedPoint(index >= 0 && index < n ? index : -1);
}

int ScheduleEditor::selectedPoint() const { return plot_->selectedPoint(); }

bool ScheduleEditor::commitPoints(int index, PruningPoint moved, const QString& text) {
    Schedule after = schedule();
    after.tokens_after_block = tokens_with_point(after, index, moved);
    try {
        validate_for_method(after);
    } catch (const std::exception& e) {
        showStatus(QString::fromUtf8(e.what()), true);
        return false;
    }
    document_->commit(after, text);
    return true;
}

bool ScheduleEditor::addPoint() {
    const auto suggestion = suggest_new_point(schedule());
    if (!suggestion) {
        showStatus("No block left where " + QString::fromStdString(schedule().method) + " can add another drop.", true);
        return false;
    }
    Schedule after = schedule();
    auto points = after.pruning_points();
    points.push_back(*suggestion);
    after.tokens_after_block = tokens_from_points(after.depth(), after.input_tokens(), points);
    try {
        validate_for_method(after);
    } catch (const std::exception& e) {
        showStatus(QString::fromUtf8(e.what()), true);
        return false;
    }
    document_->commit(after, QString("Add point at block %1").arg(suggestion->block));
    const auto now = schedule().pruning_points();
    for (std::size_t i = 0; i < now.size(); ++i)
        if (now[i].block == suggestion->block) selectPoint(static_cast<int>(i));
    return true;
}

bool ScheduleEditor::removeSelectedPoint() {
    const int index = selectedPoint();
    if (index < 0) {
        showStatus("Select a point first (click it, or press ] and [).", true);
        return false;
    }
    Schedule after = schedule();
    after.tokens_after_block = tokens_without_point(after, index);
    try {
        validate_for_method(after);
    } catch (const std::exception& e) {
        showStatus("Cannot remove this point: " + QString::fromUtf8(e.what()), true);
        return false;
    }
    document_->commit(after, "Remove point");
    selectPoint(std::min(index, static_cast<int>(schedule().pruning_points().size()) - 1));
    return true;
}

bool ScheduleEditor::moveSelectedPoint(int dblock, int dtokens) {
    const int index = selectedPoint();
    if (index < 0) return false;
    const auto points = schedule().pruning_points();
    const PruningPoint p = points[static_cast<std::size_t>(index)];
    const PruningPoint moved = clamp_point(points, index, {p.block + dblock, p.tokens + dtokens}, schedule().depth(),
                                           schedule().input_tokens(), schedule().method);
    if (moved.block == p.block && moved.tokens == p.tokens) {
        showStatus("The point is at its limit in that direction.", false);
        return false;
    }
    magnet_.reset();
    return commitPoints(index, moved, QString("Move point to block %1, %2 tokens").arg(moved.block).arg(moved.tokens));
}

bool ScheduleEditor::snapSelectedPointBelow() {
    const int index = selectedPoint();
    const ProfileAnalysis* analysis = activeAnalysis();
    if (index < 0 || !analysis) return false;
    const auto points = schedule().pruning_points();
    const PruningPoint p = points[static_cast<std::size_t>(index)];
    const MagnetOffer offer = magnet_offer_below(*analysis, p.block, p.tokens);
    if (!offer.valid || offer.tokens >= p.tokens) {
        showStatus("No \"one more token\" point below on this cut's curve.", false);
        return false;
    }
    const PruningPoint moved = clamp_point(points, index, {p.block, offer.tokens}, schedule().depth(),
                                           schedule().input_tokens(), schedule().method);
    if (moved.tokens != offer.tokens) {
        showStatus(QString("The next point below (%1) is out of this point's bounds.").arg(offer.tokens), true);
        return false;
    }
    magnet_ = offer;
    snapped_ = true;
    return commitPoints(index, moved, QString("Snap point to %1 tokens").arg(offer.tokens));
}

bool ScheduleEditor::setMethod(const QString& method) {
    Schedule after = schedule();
    after.method = method.toStdString();
    try {
        after.parameters = resolve_method_parameters(after.method, {});
        validate_for_method(after);
    } catch (const std::exception& e) {
        showStatus(QString("Cannot switch to %1: %2").arg(method, QString::fromUtf8(e.what())), true);
        updatingControls_ = true;
        methodCombo_->setCurrentText(QString::fromStdString(schedule().method));
        updatingControls_ = false;
        return false;
    }
    document_->commit(after, "Method " + method);
    return true;
}

bool ScheduleEditor::setParameter(const QString& name, double value) {
    Schedule after = schedule();
    try {
        auto given = after.parameters;
        given[name.toStdString()] = value;
        after.parameters = resolve_method_parameters(after.method, given);
    } catch (const std::exception& e) {
        showStatus(QString::fromUtf8(e.what()), true);
        rebuildParameterForm();
        return false;
    }
    document_->commit(after, QString("%1 = %2").arg(name).arg(value));
    return true;
}

// ---- mouse -----------------------------------------------------------------------------------

void ScheduleEditor::onDragStarted(int index) {
    dragBefore_ = schedule();
    magnet_.reset();
    snapped_ = false;
    selectPoint(index);
    plot_->setFocus();
}

void ScheduleEditor::onDragMoved(int index, double block, double tokens, Qt::KeyboardModifiers modifiers) {
    const Schedule& before = dragBefore_;
    const auto points = before.pruning_points();
    if (index < 0 || index >= static_cast<int>(points.size())) return;
    PruningPoint p = clamp_point(points, index, {static_cast<int>(std::lround(block)), static_cast<int>(std::lround(tokens))},
                                 before.depth(), before.input_tokens(), before.method);
    magnet_.reset();
    snapped_ = false;
    if (const ProfileAnalysis* analysis = activeAnalysis()) {
        MagnetOffer offer = magnet_offer(*analysis, p.block, p.tokens);
        if (offer.valid) {
            magnet_ = offer;
            const PruningPoint target = clamp_point(points, index, {p.block, offer.tokens}, before.depth(),
                                                    before.input_tokens(), before.method);
            const double distancePx = std::abs(tokens - offer.tokens) * plot_->pixelsPerToken();
            if (!(modifiers & Qt::AltModifier) && target.tokens == offer.tokens && distancePx <= kMagnetPullPx) {
                p.tokens = offer.tokens;
                snapped_ = true;
            }
        }
    }
    Schedule state = before;
    state.tokens_after_block = tokens_with_point(before, index, p);
    document_->preview(state);
    plot_->setMagnet(magnet_, p.block, snapped_);
    if (magnet_)
        showStatus(QString("Block %1, %2 tokens — %3 %4 on %5: %6")
                       .arg(p.block)
                       .arg(p.tokens)
                       .arg(snapped_ ? "snapped to" : "magnet offers")
                       .arg(magnet_->tokens)
                       .arg(QString::fromStdString(magnet_->curve), QString::fromStdString(magnet_->finding)));
    else
        showStatus(QString("Block %1, %2 tokens — no step or periodic pattern found on this cut's curve.")
                       .arg(p.block)
                       .arg(p.tokens));
}

void ScheduleEditor::onDragFinished(int index) {
    const auto points = schedule().pruning_points();
    const PruningPoint p = points.at(static_cast<std::size_t>(index));
    try {
        validate_for_method(schedule());
        document_->commitPreview(dragBefore_,
                                 QString("Drag point to block %1, %2 tokens").arg(p.block).arg(p.tokens));
    } catch (const std::exception& e) {
        document_->apply(dragBefore_);
        showStatus(QString::fromUtf8(e.what()), true);
    }
    plot_->setMagnet(std::nullopt, p.block, false);
}

// ---- keyboard --------------------------------------------------------------------------------

void ScheduleEditor::keyPressEvent(QKeyEvent* event) {
    const int n = static_cast<int>(schedule().pruning_points().size());
    const int step = event->modifiers() & Qt::ShiftModifier ? 10 : 1;
    switch (event->key()) {
    case Qt::Key_BracketRight: selectPoint(n == 0 ? -1 : (selectedPoint() + 1) % n); break;
    case Qt::Key_BracketLeft: selectPoint(n == 0 ? -1 : (selectedPoint() <= 0 ? n - 1 : selectedPoint() - 1)); break;
    case Qt::Key_Up: moveSelectedPoint(0, step); break;
    case Qt::Key_Down:
        if (event->modifiers() & Qt::ControlModifier) snapSelectedPointBelow();
        else moveSelectedPoint(0, -step);
        break;
    case Qt::Key_Left: moveSelectedPoint(-1, 0); break;
    case Qt::Key_Right: moveSelectedPoint(1, 0); break;
    case Qt::Key_Insert:
    case Qt::Key_Plus: addPoint(); break;
    case Qt::Key_Delete:
    case Qt::Key_Backspace: removeSelectedPoint(); break;
    case Qt::Key_Escape:
        if (plot_->dragging()) document_->apply(dragBefore_);
        break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

// ---- readouts --------------------------------------------------------------------------------

void ScheduleEditor::refresh() {
    const Schedule& s = schedule();
    plot_->setSchedule(s.tokens_after_block, s.input_tokens());
    if (methodCombo_->currentText().toStdString() != s.method) {
        updatingControls_ = true;
        methodCombo_->setCurrentText(QString::fromStdString(s.method));
        updatingControls_ = false;
    }
    if (!plot_->dragging()) rebuildParameterForm();
    updateReadouts();
    Q_EMIT scheduleChanged();
}

void ScheduleEditor::rebuildParameterForm() {
    const auto& specs = method_parameters(schedule().method);
    if (formMethod_ == schedule().method) {
        // Same method: update the values in place (this may run inside a spin box's own signal).
        for (const MethodParameter& spec : specs) {
            auto* box = parameterBox_->findChild<QDoubleSpinBox*>(QString::fromStdString("param_" + spec.name));
            const auto it = schedule().parameters.find(spec.name);
            if (!box || it == schedule().parameters.end() || box->value() == it->second) continue;
            const QSignalBlocker blocker(box);
            box->setValue(it->second);
        }
        return;
    }
    formMethod_ = schedule().method;
    while (parameterForm_->rowCount() > 0) parameterForm_->removeRow(0);
    for (const MethodParameter& spec : specs) {
        auto* box = new QDoubleSpinBox;
        box->setObjectName(QString::fromStdString("param_" + spec.name));
        box->setRange(spec.min, spec.max);
        box->setDecimals(spec.integer ? 0 : 3);
        box->setSingleStep(spec.integer ? 1 : 0.05);
        const auto it = schedule().parameters.find(spec.name);
        box->setValue(it != schedule().parameters.end() ? it->second : spec.default_value);
        box->setToolTip(QString::fromStdString(spec.description));
        box->setKeyboardTracking(false);
        const QString name = QString::fromStdString(spec.name);
        connect(box, &QDoubleSpinBox::valueChanged, this, [this, name](double v) { setParameter(name, v); });
        parameterForm_->addRow(name, box);
    }
    parameterBox_->setVisible(!specs.empty());
}

void ScheduleEditor::updateReadouts() {
    const Schedule& s = schedule();
    std::vector<DeviceLatency> rows;
    std::vector<double> blockMs, unprunedMs;
    const bool measuredHere = measuredTokens_ == s.tokens_after_block && measuredMethod_ == s.method;
    for (std::size_t i = 0; i < profiles_.size(); ++i) {
        const Profile& p = *profiles_[i];
        const ProfileAnalysis& analysis = *analyses_[i];
        DeviceLatency row;
        row.device = deviceLabel(p);
        row.active = shown_[i] == active_;
        if (p.model.depth != s.model.depth || p.model.tokens != s.model.tokens) {
            row.reason = "profile is for another model";
        } else if (!analysis.predictor()) {
            row.reason = "cannot predict on this profile: " + failureText(analysis.predictor_failure());
        } else {
            try {
                row.prediction = analysis.predict(s);
                row.basis = QString::fromStdString(analysis.basis(*row.prediction));
                row.otherMachine = analysis.calibration().other_machine;
            } catch (const std::exception& e) {
                row.reason = QString::fromUtf8(e.what());
            }
        }
        if (measuredHere)
            for (const Measurement& m : measurements_)
                if (m.kind == "latency" && m.device == p.device.identity()) row.measured = m;
        if (row.active && row.prediction) {
            blockMs = row.prediction->block_ms;
            unprunedMs = analysis.unpruned_block_ms();
        }
        rows.push_back(std::move(row));
    }
    latency_->setDevices(std::move(rows));
    updateRelevelButton();
    blocks_->setContributions(blockMs, unprunedMs);
    if (const ProfileAnalysis* analysis = activeAnalysis()) blocks_->setEdges(block_edge_positions(*analysis, s));
    PredictedAccuracy accuracy;
    if (accuracySource_) accuracy = accuracySource_->predict(s, accuracy_->split());
    else accuracy.reason = "no accuracy model loaded for " + QString::fromStdString(s.model.name);
    accuracy_->setPrediction(accuracy);
    std::optional<Measurement> top1;
    if (measuredHere)
        for (const Measurement& m : measurements_)
            if (m.kind == "top1") top1 = m;
    accuracy_->setMeasured(top1);
}

// The active profile re-levelled for this machine (tailprune calibrate-latency): offered for a
// profile measured here and read from a file (the record is written beside it).
void ScheduleEditor::updateRelevelButton() {
    const ProfileAnalysis* analysis = activeAnalysis();
    const bool local = analysis && (analysis->profile().device.host.empty() || analysis->profile().device.host == "local");
    const bool possible = local && !analysis->profile_path().empty() && analysis->calibration().target.has_value();
    if (relevel_->running()) {
        relevelButton_->setText("Cancel re-level");
        relevelButton_->setEnabled(true);
        return;
    }
    // Called on every readout update (mouse moves while dragging): touch the button only on a change.
    const QString text = analysis && analysis->calibration().relevelled ? "Re-level again for this machine"
                                                                        : "Re-level for this machine";
    if (relevelButton_->text() != text) relevelButton_->setText(text);
    if (relevelButton_->isEnabled() != possible) relevelButton_->setEnabled(possible);
    const QString tip =
        !analysis ? "Load a profile first"
        : !possible ? "Only a profile measured on this machine's kind and read from a file can be re-levelled here"
                    : "Measure the model and each method's pruning op at a few sizes on this machine (seconds) and "
                      "rescale the profile: tailprune calibrate-latency --profile " +
                          QString::fromStdString(analysis->profile_path());
    if (relevelButton_->toolTip() != tip) relevelButton_->setToolTip(tip);
}

void ScheduleEditor::onRelevelClicked() {
    if (relevel_->running()) {
        relevel_->cancel();
        return;
    }
    const ProfileAnalysis* analysis = activeAnalysis();
    if (!analysis || analysis->profile_path().empty()) return;
    relevel_->start(AgentClient::defaultProgram(), QString::fromStdString(analysis->profile_path()));
    showStatus("Re-levelling the profile for this machine (a few seconds) ...");
    updateRelevelButton();
}

void ScheduleEditor::showStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setStyleSheet(error ? "color: #b00020;" : "");
    fitStatusHeight();
}

void ScheduleEditor::fitStatusHeight() {
    // At least two lines, more when a long hint wraps further (it must never be cut off). Not while
    // a point is dragged (its one-line readouts fit, and a move must not relayout the editor), nor
    // before the label is laid out (a narrow label would ask for one word a line).
    if (plot_->dragging() || !status_->isVisible() ||
        status_->width() < 20 * status_->fontMetrics().averageCharWidth())
        return;
    const int minimum = 2 * status_->fontMetrics().lineSpacing() + 6;
    const QRect text = status_->fontMetrics().boundingRect(QRect(0, 0, status_->contentsRect().width(), 1 << 20),
                                                           Qt::TextWordWrap, status_->text());
    const int wanted = std::max(minimum, text.height() + 6);
    if (wanted != status_->height()) status_->setFixedHeight(wanted);
}

void ScheduleEditor::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    QTimer::singleShot(0, this, &ScheduleEditor::fitStatusHeight);  // once the layout gave the label its width
}

void ScheduleEditor::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    QTimer::singleShot(0, this, &ScheduleEditor::fitStatusHeight);
}

QString ScheduleEditor::statusText() const { return status_->text(); }

}  // namespace tp::ui
