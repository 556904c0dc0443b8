#include "ui/curve_view.h"

#include <numeric>

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/model/scope.h"
#include "ui/edge_description.h"
#include "ui/palette.h"
#include "ui/profile_analyses.h"
#include "ui/qcustomplot_include.h"

namespace tp::ui {
namespace {

QCPScatterStyle pointStyle(int points, const QColor& c) {
    if (points > 120) return QCPScatterStyle(QCPScatterStyle::ssNone);
    return QCPScatterStyle(QCPScatterStyle::ssCircle, c, Qt::white, points > 60 ? 3 : 5);
}

QString fmtMs(double ms) { return QString::number(ms, 'f', ms < 1 ? 4 : 3); }

}  // namespace

CurveView::CurveView(QWidget* parent) : QWidget(parent) {
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("curvePlot");
    plot_->setMinimumSize(480, 320);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    plot_->legend->setVisible(true);
    plot_->legend->setBrush(QColor(255, 255, 255, 225));
    // Latency rises with the token count, so the top left is the corner the curves leave empty.
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot_->xAxis->setLabel(tr("tokens (incl. CLS)"));
    plot_->setNoAntialiasingOnDrag(true);
    analyses_ = new ProfileAnalyses(this);  // until the studio's shared analyses are set
    connect(analyses_, &ProfileAnalyses::changed, this, &CurveView::onAnalysesChanged);

    readout_ = new QLabel(tr("Move the mouse over the plot for a readout."));
    readout_->setObjectName("readout");
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    readout_->setWordWrap(true);
    readout_->setContentsMargins(6, 2, 6, 4);

    clockWarning_ = new QLabel;
    clockWarning_->setObjectName("clockWarning");
    clockWarning_->setTextFormat(Qt::RichText);
    clockWarning_->setWordWrap(true);
    clockWarning_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    clockWarning_->setStyleSheet("QLabel { background: #FFF4CE; border-left: 4px solid #E69F00; padding: 3px 6px; }");
    clockWarning_->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(buildToolbar());
    layout->addWidget(plot_, 1);
    layout->addWidget(clockWarning_);
    layout->addWidget(readout_);

    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { updateCrosshair(plot_->xAxis->pixelToCoord(e->pos().x())); });
    connect(plot_->selectionRect(), &QCPSelectionRect::accepted, this, [this](const QRect& r, QMouseEvent*) {
        const double a = plot_->xAxis->pixelToCoord(r.left());
        const double b = plot_->xAxis->pixelToCoord(r.right());
        setSelection(std::min(a, b), std::max(a, b));
        selectButton_->setChecked(false);
    });
    rebuildPlot();
}

QWidget* CurveView::buildToolbar() {
    scopeCombo_ = new QComboBox;
    scopeCombo_->setObjectName("scopeCombo");
    scopeCombo_->setToolTip(tr("Scope: whole model, one block, its attention or MLP half, deployed cut, pruning op"));
    scopeCombo_->setMinimumContentsLength(12);
    connect(scopeCombo_, &QComboBox::activated, this, [this](int i) { setScope(scopeCombo_->itemData(i).toString()); });

    modeCombo_ = new QComboBox;
    modeCombo_->setObjectName("yModeCombo");
    modeCombo_->addItem(tr("Latency (ms)"), int(YMode::Latency));
    modeCombo_->addItem(tr("Normalised (÷ full-token latency)"), int(YMode::Normalised));
    modeCombo_->addItem(tr("Ratio to first curve"), int(YMode::Ratio));
    connect(modeCombo_, &QComboBox::activated, this, [this](int i) { setYMode(YMode(modeCombo_->itemData(i).toInt())); });

    sensitivitySpin_ = new QDoubleSpinBox;
    sensitivitySpin_->setObjectName("sensitivitySpin");
    sensitivitySpin_->setRange(0.5, 50);
    sensitivitySpin_->setSingleStep(0.5);
    sensitivitySpin_->setDecimals(1);
    sensitivitySpin_->setValue(analyses_->sensitivity());
    sensitivitySpin_->setToolTip(tr("Step detector penalty c (β = c·σ²·ln n): higher finds fewer, surer edges"));
    connect(sensitivitySpin_, &QDoubleSpinBox::valueChanged, this, &CurveView::setSensitivity);

    logCheck_ = new QCheckBox(tr("Log y"));
    logCheck_->setObjectName("logCheck");
    connect(logCheck_, &QCheckBox::toggled, this, &CurveView::setLogScale);

    auto* reset = new QPushButton(tr("Reset zoom"));
    reset->setObjectName("resetZoomButton");
    reset->setToolTip(tr("Show all points (drag to pan, wheel to zoom)"));
    connect(reset, &QPushButton::clicked, this, &CurveView::resetZoom);

    selectButton_ = new QToolButton;
    selectButton_->setObjectName("selectTokensButton");
    selectButton_->setText(tr("Select tokens"));
    selectButton_->setCheckable(true);
    selectButton_->setToolTip(tr("Drag over the plot to select token counts to measure"));
    connect(selectButton_, &QToolButton::toggled, this,
            [this](bool on) { plot_->setSelectionRectMode(on ? QCP::srmCustom : QCP::srmNone); });

    measureButton_ = new QPushButton(tr("Measure selection…"));
    measureButton_->setObjectName("measureSelectionButton");
    measureButton_->setEnabled(false);
    connect(measureButton_, &QPushButton::clicked, this, [this] { Q_EMIT measureTokensRequested(selection_); });

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(new QLabel(tr("Scope")));
    bar->addWidget(scopeCombo_);
    bar->addSpacing(8);
    bar->addWidget(modeCombo_);
    bar->addWidget(logCheck_);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Sensitivity")));
    bar->addWidget(sensitivitySpin_);
    bar->addStretch();
    bar->addWidget(selectButton_);
    bar->addWidget(measureButton_);
    bar->addWidget(reset);
    auto* holder = new QWidget;
    holder->setObjectName("curveToolbar");
    holder->setLayout(bar);
    return holder;
}

void CurveView::setCurves(const QVector<CurveRef>& curves) {
    curves_.clear();
    for (const CurveRef& ref : curves) {
        if (!ref.isValid()) continue;
        Analysed a;
        a.ref = ref;
        a.series = CurveSeries::fromCurve(*ref.curve(), ref.label);
        curves_ << a;
    }
    selection_.clear();
    measureButton_->setEnabled(false);
    fillScopeCombo();
    updateClockWarning();
    analyse();
    rebuildPlot();
    resetZoom();
    Q_EMIT curvesChanged();
}

void CurveView::setScope(const QString& curveName) {
    QVector<CurveRef> refs;
    for (const Analysed& a : curves_) {
        CurveRef r = a.ref;
        if (r.profile && r.profile->find_curve(curveName.toStdString())) r.curveName = curveName.toStdString();
        refs << r;
    }
    setCurves(refs);
}

void CurveView::fillScopeCombo() {
    const QSignalBlocker block(scopeCombo_);
    scopeCombo_->clear();
    if (curves_.isEmpty()) return;
    const Profile& p = *curves_.front().ref.profile;
    for (const Curve& c : p.curves) {
        const QString name = QString::fromStdString(c.name);
        scopeCombo_->addItem(name + QStringLiteral("  (%1 pts)").arg(c.points.size()), name);
    }
    scopeCombo_->setCurrentIndex(scopeCombo_->findData(QString::fromStdString(curves_.front().ref.curveName)));
}

void CurveView::setAnalyses(ProfileAnalyses* analyses) {
    if (!analyses || analyses == analyses_) return;
    if (analyses_->parent() == this) delete analyses_;
    else disconnect(analyses_, nullptr, this, nullptr);
    analyses_ = analyses;
    connect(analyses_, &ProfileAnalyses::changed, this, &CurveView::onAnalysesChanged);
    onAnalysesChanged();
}

double CurveView::sensitivity() const { return analyses_->sensitivity(); }

void CurveView::setSensitivity(double c) { analyses_->setSensitivity(c); }

void CurveView::onAnalysesChanged() {
    {
        const QSignalBlocker block(sensitivitySpin_);
        sensitivitySpin_->setValue(analyses_->sensitivity());
    }
    analyse();
    rebuildPlot();
    Q_EMIT curvesChanged();
    Q_EMIT settingsChanged();
}

void CurveView::setLogScale(bool on) {
    {
        const QSignalBlocker block(logCheck_);
        logCheck_->setChecked(on);
    }
    plot_->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    resetZoom();
    Q_EMIT settingsChanged();
}

bool CurveView::logScale() const { return plot_->yAxis->scaleType() == QCPAxis::stLogarithmic; }

void CurveView::setYMode(YMode mode) {
    yMode_ = mode;
    {
        const QSignalBlocker block(modeCombo_);
        modeCombo_->setCurrentIndex(modeCombo_->findData(int(mode)));
    }
    rebuildPlot();
    resetZoom();
    Q_EMIT settingsChanged();
}

QString CurveView::Analysed::explanation(std::size_t edge) const {
    return edge < explanations.size() ? edgeExplanationText(explanations[edge]) : QString();
}

void CurveView::analyse() {
    for (Analysed& a : curves_) {
        const StepAnalysis* steps = analyses_->of(a.ref.profile, a.ref.file)->steps(a.ref.curveName);
        a.steps = steps ? *steps : StepAnalysis{};
        a.explanations = explainEdges(a.steps, *a.ref.profile, *a.ref.curve());
    }
    readout_->setText(summary());
}

void CurveView::updateClockWarning() {
    QStringList lines;
    QVector<const Profile*> seen;
    for (const Analysed& a : curves_) {
        const Profile* p = a.ref.profile.get();
        if (!p || seen.contains(p)) continue;
        seen << p;
        for (const ClockFlag& f : p->clock_flags)
            lines << tr("⚠ <b>%1</b> — %2: %3")
                         .arg(a.ref.label.toHtmlEscaped(),
                              QString::fromStdString(f.kind).toHtmlEscaped(),
                              QString::fromStdString(f.message).toHtmlEscaped());
    }
    clockWarning_->setText(lines.join("<br>"));
    clockWarning_->setToolTip(lines.isEmpty() ? QString()
                                              : tr("The clocks these latencies were measured under were not steady: "
                                                   "compare them with care (docs/remote-devices.md, Jetsons)."));
    clockWarning_->setVisible(!lines.isEmpty());
}

QString CurveView::summary() const {
    if (curves_.isEmpty()) return tr("Move the mouse over the plot for a readout.");
    const Analysed& a = curves_.front();
    QString text = tr("<b>%1</b>: %n edge(s) at sensitivity %2, noise σ = %3 ms", nullptr, int(a.steps.edges.size()))
                       .arg(a.series.label.toHtmlEscaped())
                       .arg(analyses_->sensitivity(), 0, 'f', 1)
                       .arg(a.steps.noise_sigma_ms, 0, 'g', 3);
    const QString period = periodText(a.steps.period);
    if (!period.isEmpty()) text += " · " + period;
    return text + tr(" — move the mouse over the plot for a readout");
}

double CurveView::scaleOf(int index) const {
    // Normalised mode divides by the latency at the largest measured token count (the full model
    // when the sweep reached it).
    if (yMode_ != YMode::Normalised) return 1.0;
    const CurveSeries& s = curves_[index].series;
    return s.isEmpty() ? 1.0 : s.median.back();
}

CurveSeries CurveView::shownSeries(int index) const {
    const Analysed& a = curves_[index];
    switch (yMode_) {
        case YMode::Latency: return a.series;
        case YMode::Normalised: return a.series.scaled(scaleOf(index), a.series.label);
        case YMode::Ratio:
            return CurveSeries::ratio(a.series, curves_.front().series,
                                      a.series.label + " ÷ " + curves_.front().series.label);
    }
    return a.series;
}

void CurveView::rebuildPlot() {
    plot_->clearItems();
    plot_->clearGraphs();
    removeStrips();
    crossV_ = crossH_ = nullptr;
    tracer_ = nullptr;
    selectionRect_ = nullptr;

    switch (yMode_) {
        case YMode::Latency: plot_->yAxis->setLabel(tr("median latency (ms), band p10–p90")); break;
        case YMode::Normalised: plot_->yAxis->setLabel(tr("latency ÷ latency at the largest token count")); break;
        case YMode::Ratio: plot_->yAxis->setLabel(tr("latency ratio to %1").arg(
                               curves_.isEmpty() ? QString() : curves_.front().series.label)); break;
    }

    bool first = true;
    for (int i = 0; i < curves_.size(); ++i) {
        if (yMode_ == YMode::Ratio && i == 0 && curves_.size() > 1) continue;  // the reference is 1 everywhere
        const CurveSeries shown = shownSeries(i);
        addCurveGraphs(i, shown);
        if (first) {
            xLo_ = shown.xMin;
            xHi_ = shown.xMax;
            yLo_ = logScale() ? shown.yMinPositive : shown.yMin;
            yHi_ = shown.yMax;
            first = false;
        } else {
            xLo_ = std::min(xLo_, shown.xMin);
            xHi_ = std::max(xHi_, shown.xMax);
            yLo_ = std::min(yLo_, logScale() ? shown.yMinPositive : shown.yMin);
            yHi_ = std::max(yHi_, shown.yMax);
        }
    }
    if (!curves_.isEmpty() && yMode_ != YMode::Ratio) {
        addSteps(curves_.front(), scaleOf(0));
        addStrips(*curves_.front().ref.curve());
    }
    if (curves_.isEmpty()) {
        auto* hint = new QCPItemText(plot_);
        hint->setObjectName("emptyHint");
        hint->position->setType(QCPItemPosition::ptAxisRectRatio);
        hint->position->setCoords(0.5, 0.5);
        hint->setText(tr("Open a profile: pick a curve in the tree on the left,\nor File ▸ Open / drop a profile file here."));
        hint->setFont(QFont(font().family(), 11));
        hint->setColor(Qt::darkGray);
    }

    // Crosshair, hidden until the mouse moves over the plot.
    crossV_ = new QCPItemStraightLine(plot_);
    crossV_->setObjectName("crosshairV");
    crossH_ = new QCPItemStraightLine(plot_);
    crossH_->setObjectName("crosshairH");
    for (auto* l : {crossV_, crossH_}) {
        l->setPen(QPen(QColor(0, 0, 0, 110), 1, Qt::DotLine));
        l->setVisible(false);
        l->setSelectable(false);
    }
    if (plot_->graphCount() > 0 && !curves_.isEmpty()) {
        tracer_ = new QCPItemTracer(plot_);
        tracer_->setObjectName("tracer");
        for (int g = 0; g < plot_->graphCount(); ++g)
            if (plot_->graph(g)->objectName() == "median") {  // the first curve shown
                tracer_->setGraph(plot_->graph(g));
                break;
            }
        tracer_->setInterpolating(false);
        tracer_->setStyle(QCPItemTracer::tsCircle);
        tracer_->setSize(9);
        tracer_->setPen(QPen(Qt::black, 1.5));
        tracer_->setVisible(false);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurveView::addCurveGraphs(int index, const CurveSeries& s) {
    const QColor color = seriesColor(index);
    if (s.hasBand) {
        QCPGraph* lo = plot_->addGraph();
        lo->setName(s.label + " p10");
        lo->setObjectName("bandLow");
        lo->setData(s.tokens, s.p10, true);
        lo->setPen(Qt::NoPen);
        lo->removeFromLegend();
        QCPGraph* hi = plot_->addGraph();
        hi->setName(s.label + " p90");
        hi->setObjectName("bandHigh");
        hi->setData(s.tokens, s.p90, true);
        hi->setPen(Qt::NoPen);
        hi->setBrush(bandColor(index));
        hi->setChannelFillGraph(lo);
        hi->removeFromLegend();
    }
    QCPGraph* g = plot_->addGraph();
    g->setName(s.label);
    g->setObjectName("median");
    g->setProperty("curveIndex", index);
    g->setData(s.tokens, s.median, true);
    g->setPen(QPen(color, 2));
    g->setScatterStyle(pointStyle(s.size(), color));
    if (s.tokens.isEmpty()) g->removeFromLegend();  // an overlaid profile without this scope
}

void CurveView::addSteps(const Analysed& a, double scale) {
    const StepAnalysis& st = a.steps;
    const double div = scale > 0 ? scale : 1.0;
    // Plateaus: alternate light shading across the plot height, with the fitted level dashed.
    for (std::size_t i = 0; i < st.plateaus.size(); ++i) {
        const Plateau& p = st.plateaus[i];
        const double left = i == 0 ? p.first_tokens : (st.edges[i - 1].last_before + st.edges[i - 1].tokens) / 2.0;
        const double right = i + 1 < st.plateaus.size() ? (st.edges[i].last_before + st.edges[i].tokens) / 2.0
                                                        : p.last_tokens;
        auto* r = new QCPItemRect(plot_);
        r->setObjectName("plateau");
        r->setLayer("background");
        r->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        r->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        r->topLeft->setCoords(left, 0);
        r->bottomRight->setCoords(right, 1);
        r->setPen(Qt::NoPen);
        r->setBrush(i % 2 == 0 ? QColor(0, 0, 0, 16) : QColor(0, 0, 0, 0));
        r->setSelectable(false);

        auto* level = new QCPItemLine(plot_);
        level->setObjectName("plateauLevel");
        level->start->setCoords(p.first_tokens, p.level_at(p.first_tokens) / div);
        level->end->setCoords(p.last_tokens, p.level_at(p.last_tokens) / div);
        level->setPen(QPen(QColor(0, 0, 0, 150), 1.2, Qt::DashLine));
        level->setSelectable(false);
    }

    // Edge labels go in up to four rows; the tallest edges are placed first, and a label that fits
    // in no row is hidden (its edge keeps its line and its row in the table) instead of overlapping.
    const double xSpan = std::max(1.0, a.series.xMax - a.series.xMin) * 1.05;  // the axis is not ranged yet
    const double tokensPerPixel = xSpan / std::max(200, plot_->axisRect()->width());
    std::vector<std::size_t> byHeight(st.edges.size());
    std::iota(byHeight.begin(), byHeight.end(), std::size_t(0));
    std::stable_sort(byHeight.begin(), byHeight.end(), [&](std::size_t l, std::size_t r) {
        return std::abs(st.edges[l].height_pct) > std::abs(st.edges[r].height_pct);
    });
    std::vector<int> labelRow(st.edges.size(), -1);
    std::vector<std::vector<std::pair<double, double>>> rows(4);  // occupied token intervals per row
    const QFontMetrics metrics(plot_->font());
    for (std::size_t i : byHeight) {
        const Edge& e = st.edges[i];
        const double x = (e.last_before + e.tokens) / 2.0;
        const QString widest = edgeHeightText(e).length() > 12 ? edgeHeightText(e) : QStringLiteral("000 → 000");
        const double width = (metrics.horizontalAdvance(widest) * 1.2 + 16) * tokensPerPixel;
        // The same hanging rule as the labels below: inwards near either end of the data.
        const double rel = (x - a.series.xMin) / std::max(1.0, a.series.xMax - a.series.xMin);
        const double lo = rel > 0.85 ? x - width : rel < 0.12 ? x : x - width / 2;
        const double hi = lo + width;
        for (int r = 0; r < int(rows.size()) && labelRow[i] < 0; ++r) {
            bool free = true;
            for (const auto& [l, h] : rows[std::size_t(r)]) free = free && (hi < l || lo > h);
            if (free) {
                rows[std::size_t(r)].push_back({lo, hi});
                labelRow[i] = r;
            }
        }
    }

    // Edges: a vertical line between the last point below and the first point above, labelled.
    QVector<double> pruneX, pruneY;
    for (std::size_t i = 0; i < st.edges.size(); ++i) {
        const Edge& e = st.edges[i];
        const double x = (e.last_before + e.tokens) / 2.0;
        auto* line = new QCPItemStraightLine(plot_);
        line->setObjectName("edge");
        line->setProperty("tokens", e.tokens);
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        // Neutral markers: curve colours stay reserved for curves (an overlay uses vermillion).
        line->setPen(QPen(e.height_ms >= 0 ? QColor(70, 70, 70) : QColor(0x00, 0x9E, 0x73), 1.3, Qt::DashLine));
        line->setSelectable(false);

        // The plot label keeps the first two findings; the table and tooltip have them all.
        QString why = a.explanation(i);
        if (const QStringList parts = why.split("; "); parts.size() > 2)
            why = parts.mid(0, 2).join(";\n") + QString(";\n(+%1 more in the table)").arg(parts.size() - 2);
        auto* label = new QCPItemText(plot_);
        label->setObjectName("edgeLabel");
        label->setProperty("tokens", e.tokens);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0.02 + 0.11 * double(std::max(0, labelRow[i])));
        label->setVisible(labelRow[i] >= 0);
        // Labels near either end of the data hang inwards so they are not clipped.
        const double span = std::max(1.0, a.series.xMax - a.series.xMin);
        const double rel = (x - a.series.xMin) / span;
        label->setPositionAlignment(Qt::AlignTop | (rel > 0.85 ? Qt::AlignRight : rel < 0.12 ? Qt::AlignLeft : Qt::AlignHCenter));
        label->setText(QStringLiteral("%1 → %2\n%3%4")
                           .arg(e.last_before)
                           .arg(e.tokens)
                           .arg(edgeHeightText(e))
                           .arg(why.isEmpty() ? QString() : "\n" + why));
        label->setPadding(QMargins(4, 2, 4, 2));
        label->setBrush(QColor(255, 255, 255, 225));
        label->setPen(QPen(QColor(0, 0, 0, 90)));
        label->setClipToAxisRect(true);
        label->setSelectable(false);

        if (e.height_ms > 0) {
            pruneX << e.last_before;
            pruneY << a.series.medianAt(e.last_before) / div;
        }
    }
    if (!pruneX.isEmpty()) {
        QCPGraph* g = plot_->addGraph();
        g->setName(tr("prune to (one token below an edge)"));
        g->setObjectName("pruneTo");
        g->setData(pruneX, pruneY, true);
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, Qt::black, QColor(0xE6, 0x9F, 0x00), 10));
    }
}

void CurveView::addStrips(const Curve& curve) {
    QVector<double> x, clock, temp;
    QVector<double> xt;
    bool cpu = false;
    for (const CurvePoint& p : curve.points) {
        if (p.sm_clock_mhz) {
            x << p.tokens;
            clock << *p.sm_clock_mhz;
        } else if (p.gpu_mhz && !p.cpu_mhz) {  // a Jetson's GPU (devfreq) when nothing else is recorded
            x << p.tokens;
            clock << *p.gpu_mhz;
        } else if (p.cpu_mhz) {
            x << p.tokens;
            clock << *p.cpu_mhz;
            cpu = true;
        }
        if (p.temperature_c) {
            xt << p.tokens;
            temp << *p.temperature_c;
        }
    }
    if (x.isEmpty() && xt.isEmpty()) return;

    strip_ = new QCPAxisRect(plot_);
    strip_->setObjectName("strip");
    plot_->plotLayout()->addElement(1, 0, strip_);
    plot_->plotLayout()->setRowStretchFactor(0, 4);
    plot_->plotLayout()->setRowStretchFactor(1, 1);
    auto* group = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    strip_->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    strip_->axis(QCPAxis::atBottom)->setRange(plot_->xAxis->range());
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), strip_->axis(QCPAxis::atBottom),
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    strip_->setRangeDrag(Qt::Horizontal);
    strip_->setRangeZoom(Qt::Horizontal);
    strip_->axis(QCPAxis::atBottom)->setTickLabels(false);

    if (!x.isEmpty()) {
        QCPGraph* g = plot_->addGraph(strip_->axis(QCPAxis::atBottom), strip_->axis(QCPAxis::atLeft));
        g->setName(cpu ? tr("CPU clock (MHz)") : tr("SM clock (MHz)"));
        g->setObjectName("clock");
        g->setData(x, clock);
        g->setPen(QPen(QColor(0x56, 0xB4, 0xE9), 1.5));
        g->removeFromLegend();
        strip_->axis(QCPAxis::atLeft)->setLabel(tr("MHz"));
        g->rescaleValueAxis();
        const QCPRange r = strip_->axis(QCPAxis::atLeft)->range();
        strip_->axis(QCPAxis::atLeft)->setRange(r.lower - 0.05 * r.size() - 1, r.upper + 0.05 * r.size() + 1);
    }
    if (!xt.isEmpty()) {
        QCPAxis* right = strip_->axis(QCPAxis::atRight);
        right->setVisible(true);
        right->setLabel(tr("°C"));
        QCPGraph* g = plot_->addGraph(strip_->axis(QCPAxis::atBottom), right);
        g->setName(tr("temperature (°C)"));
        g->setObjectName("temperature");
        g->setData(xt, temp);
        g->setPen(QPen(QColor(0xCC, 0x79, 0xA7), 1.5));
        g->removeFromLegend();
        g->rescaleValueAxis();
        const QCPRange r = right->range();
        right->setRange(r.lower - 1, r.upper + 1);
    }
}

void CurveView::removeStrips() {
    if (!strip_) return;
    plot_->plotLayout()->remove(strip_);  // deletes the axis rect and its axes
    plot_->plotLayout()->simplify();
    strip_ = nullptr;
}

void CurveView::resetZoom() {
    if (curves_.isEmpty()) {
        plot_->xAxis->setRange(0, 200);
        plot_->yAxis->setRange(logScale() ? 0.1 : 0, 1);
    } else {
        const double xPad = std::max(1.0, 0.02 * (xHi_ - xLo_));
        plot_->xAxis->setRange(xLo_ - xPad, xHi_ + xPad);
        if (logScale()) {
            const double lo = yLo_ > 0 ? yLo_ : 1e-3;
            plot_->yAxis->setRange(lo / 1.15, std::max(yHi_, lo) * 1.6);
        } else {
            const double span = std::max(yHi_ - yLo_, 1e-9);
            // Headroom on top for the edge labels.
            plot_->yAxis->setRange(yLo_ - 0.05 * span, yHi_ + 0.45 * span);
        }
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QVector<int> CurveView::tokensInRange(double lo, double hi) const {
    QVector<int> out;
    if (curves_.isEmpty()) return out;
    const int maxTokens = curves_.front().ref.profile->model.tokens;
    const int a = std::max(1, int(std::ceil(lo)));
    const int b = std::min(maxTokens, int(std::floor(hi)));
    for (int t = a; t <= b; ++t) out << t;
    return out;
}

void CurveView::setSelection(double lo, double hi) {
    selection_ = tokensInRange(lo, hi);
    measureButton_->setEnabled(!selection_.isEmpty());
    if (!selectionRect_) {
        selectionRect_ = new QCPItemRect(plot_);
        selectionRect_->setObjectName("selection");
        selectionRect_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        selectionRect_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        selectionRect_->setPen(QPen(QColor(0x00, 0x72, 0xB2), 1));
        selectionRect_->setBrush(QColor(0x00, 0x72, 0xB2, 35));
        selectionRect_->setSelectable(false);
    }
    selectionRect_->setVisible(!selection_.isEmpty());
    if (!selection_.isEmpty()) {
        selectionRect_->topLeft->setCoords(selection_.front() - 0.5, 0);
        selectionRect_->bottomRight->setCoords(selection_.back() + 0.5, 1);
        readout_->setText(tr("Selected %1 token counts (%2–%3): press “Measure selection…” to profile them.")
                              .arg(selection_.size())
                              .arg(selection_.front())
                              .arg(selection_.back()));
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString CurveView::readoutAt(double x) const {
    if (curves_.isEmpty() || curves_.front().series.isEmpty()) return {};
    const Analysed& a = curves_.front();
    const CurveSeries& s = a.series;
    // Nearest measured token count.
    auto it = std::lower_bound(s.tokens.cbegin(), s.tokens.cend(), x);
    int i = int(it - s.tokens.cbegin());
    if (i >= s.size()) i = s.size() - 1;
    if (i > 0 && std::abs(s.tokens[i - 1] - x) <= std::abs(s.tokens[i] - x)) --i;
    const int n = int(s.tokens[i]);
    const double ms = s.median[i];
    QString text = tr("<b>%1</b>: n = <b>%2</b> tokens · median <b>%3 ms</b> (p10 %4, p90 %5)")
                       .arg(s.label.toHtmlEscaped())
                       .arg(n)
                       .arg(fmtMs(ms), fmtMs(s.p10[i]), fmtMs(s.p90[i]));
    if (const Plateau* p = a.steps.plateau_at(n))
        text += tr(" · plateau %1–%2 at ~%3 ms").arg(p->first_tokens).arg(p->last_tokens).arg(fmtMs(p->mean_level_ms()));
    const int below = a.steps.one_more_token_below(n);
    if (below > 0) {
        const double belowMs = s.medianAt(below);
        if (std::isfinite(belowMs))
            text += tr(" · one more token: prune to <b>%1</b> → <b>%2 ms (%3%)</b>")
                        .arg(below)
                        .arg(belowMs - ms >= 0 ? "+" + fmtMs(belowMs - ms) : fmtMs(belowMs - ms))
                        .arg(100.0 * (belowMs - ms) / ms, 0, 'f', 1);
    } else {
        text += tr(" · no cheaper plateau below");
    }
    for (int k = 1; k < curves_.size(); ++k) {
        const double other = curves_[k].series.medianAt(n);
        if (std::isfinite(other))
            text += tr("<br>%1: %2 ms (%3× the first curve)")
                        .arg(curves_[k].series.label.toHtmlEscaped(), fmtMs(other))
                        .arg(other / ms, 0, 'f', 3);
    }
    return text;
}

void CurveView::updateCrosshair(double x) {
    if (curves_.isEmpty() || !crossV_) return;
    const QString text = readoutAt(x);
    readout_->setText(text);
    crossV_->setVisible(true);
    crossH_->setVisible(true);
    crossV_->point1->setCoords(x, 0);
    crossV_->point2->setCoords(x, 1);
    if (tracer_) {
        tracer_->setGraphKey(x);
        tracer_->setVisible(true);
        tracer_->updatePosition();
        const QPointF at = tracer_->position->coords();
        crossV_->point1->setCoords(at.x(), 0);
        crossV_->point2->setCoords(at.x(), 1);
        crossH_->point1->setCoords(0, at.y());
        crossH_->point2->setCoords(1, at.y());
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace tp::ui
