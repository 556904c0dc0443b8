#include "ui/editor/schedule_plot.h"

#include <cmath>

#include "ui/editor/plot_layers.h"

namespace tp::ui {
namespace {
constexpr double kHandleRadiusPx = 12;
// Room above the full token count, so the unpruned schedule's line stays clear of the top frame.
constexpr double kHeadroom = 1.15;
}

SchedulePlot::SchedulePlot(QWidget* parent) : QCustomPlot(parent) {
    setObjectName("schedulePlot");
    setMinimumSize(480, 300);
    setNoAntialiasingOnDrag(false);
    xAxis->setLabel("block (pruning point = tokens kept after it)");
    yAxis->setLabel("tokens kept (CLS included)");
    QSharedPointer<QCPAxisTickerText> blocks(new QCPAxisTickerText);
    blocks->addTick(-1, "input");
    for (int b = 0; b < 64; ++b) blocks->addTick(b, QString::number(b));
    xAxis->setTicker(blocks);

    overlay_ = add_top_buffered_layer(this, "editing");

    staircase_ = addGraph();
    staircase_->setLayer(overlay_);
    staircase_->setLineStyle(QCPGraph::lsStepLeft);
    staircase_->setPen(QPen(QColor(30, 90, 180), 2.5));
    staircase_->setBrush(QColor(30, 90, 180, 30));
    staircase_->setName("tokens kept");

    handles_ = addGraph();
    handles_->setLayer(overlay_);
    handles_->setLineStyle(QCPGraph::lsNone);
    handles_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(20, 60, 130), 2), Qt::white, 13));
    handles_->setName("pruning points");

    selectedHandle_ = addGraph();
    selectedHandle_->setLayer(overlay_);
    selectedHandle_->setLineStyle(QCPGraph::lsNone);
    selectedHandle_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(200, 80, 0), 2.5), QColor(255, 200, 120), 15));
    selectedHandle_->setName("selected point");

    magnetLine_ = new QCPItemStraightLine(this);
    magnetLine_->setLayer(overlay_);
    magnetLine_->setPen(QPen(QColor(210, 40, 120), 1.5, Qt::DashLine));
    magnetLine_->setVisible(false);
    magnetLabel_ = new QCPItemText(this);
    magnetLabel_->setLayer(overlay_);
    magnetLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    magnetLabel_->setColor(QColor(160, 20, 90));
    magnetLabel_->setBrush(QColor(255, 255, 255, 220));
    magnetLabel_->setPadding(QMargins(3, 1, 3, 1));
    magnetLabel_->setVisible(false);
    emptyHint_ = new QCPItemText(this);
    emptyHint_->setLayer(overlay_);
    emptyHint_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyHint_->position->setCoords(0.5, 0.45);
    emptyHint_->setText("No pruning point yet: this is the unpruned schedule.\n"
                        "Press Insert or click \"Add point\" to add one,\n"
                        "then drag it down to keep fewer tokens.");
    emptyHint_->setTextAlignment(Qt::AlignCenter);
    emptyHint_->setColor(QColor(60, 60, 60));
    emptyHint_->setBrush(QColor(255, 255, 255, 230));
    emptyHint_->setPen(QPen(QColor(30, 90, 180, 120)));
    emptyHint_->setPadding(QMargins(8, 5, 8, 5));
    emptyHint_->setVisible(false);
    for (int i = 0; i < graphCount(); ++i) graph(i)->setSelectable(QCP::stNone);
}

void SchedulePlot::setSchedule(const std::vector<int>& tokens, int input_tokens) {
    const int depth = static_cast<int>(tokens.size());
    const bool resize = depth != depth_ || input_tokens != inputTokens_;
    depth_ = depth;
    inputTokens_ = input_tokens;
    points_.clear();
    int previous = input_tokens;
    for (int b = 0; b < depth; ++b) {
        if (tokens[static_cast<std::size_t>(b)] < previous) points_.push_back({b, tokens[static_cast<std::size_t>(b)]});
        previous = tokens[static_cast<std::size_t>(b)];
    }
    if (selected_ >= static_cast<int>(points_.size())) selected_ = -1;
    // The staircase, handles and hint first: a new model's first schedule (the unpruned one) must
    // show its line too, not only the axes.
    redrawOverlay();
    if (resize) {
        xAxis->setRange(-1.5, depth - 0.5);
        yAxis->setRange(0, input_tokens * kHeadroom);
        replot();  // axes changed: every layer
    }
}

void SchedulePlot::redrawOverlay() {
    QVector<double> x, y;
    x.reserve(depth_ + 2);
    y.reserve(depth_ + 2);
    x << -1 << -1e-9;  // the input length enters block 0
    y << inputTokens_ << inputTokens_;
    int previous = inputTokens_;
    std::size_t next = 0;
    for (int b = 0; b < depth_; ++b) {
        int t = previous;
        if (next < points_.size() && points_[next].block == b) t = points_[next++].tokens;
        x << b;
        y << t;
        previous = t;
    }
    x << depth_ - 0.5;
    y << previous;
    staircase_->setData(x, y, true);
    QVector<double> hx, hy, sx, sy;
    for (std::size_t i = 0; i < points_.size(); ++i) {
        hx << points_[i].block;
        hy << points_[i].tokens;
        if (static_cast<int>(i) == selected_) {
            sx << points_[i].block;
            sy << points_[i].tokens;
        }
    }
    handles_->setData(hx, hy, true);
    selectedHandle_->setData(sx, sy, true);
    emptyHint_->setVisible(depth_ > 0 && points_.empty());
    overlay_->replot();
}

void SchedulePlot::setSelectedPoint(int index) {
    selected_ = index;
    redrawOverlay();
}

void SchedulePlot::setMagnet(const std::optional<MagnetOffer>& offer, int block, bool snapped) {
    const bool show = offer && offer->valid;
    magnetLine_->setVisible(show);
    magnetLabel_->setVisible(show);
    if (show) {
        magnetLine_->point1->setCoords(-1, offer->tokens);
        magnetLine_->point2->setCoords(depth_, offer->tokens);
        magnetLine_->setPen(QPen(QColor(210, 40, 120), snapped ? 2.5 : 1.5, snapped ? Qt::SolidLine : Qt::DashLine));
        magnetLabel_->position->setCoords(std::max(-1.3, block - 3.0), offer->tokens);
        magnetLabel_->setText(QString("%1 %2 on %3 — %4")
                                  .arg(snapped ? "snapped to" : "magnet:")
                                  .arg(offer->tokens)
                                  .arg(QString::fromStdString(offer->curve), QString::fromStdString(offer->finding)));
    }
    redrawOverlay();
}

QString SchedulePlot::emptyHint() const { return emptyHint_->visible() ? emptyHint_->text() : QString(); }

QPoint SchedulePlot::pixelFor(double block, double tokens) const {
    return QPoint(qRound(xAxis->coordToPixel(block)), qRound(yAxis->coordToPixel(tokens)));
}

QPoint SchedulePlot::handlePixel(int index) const {
    const PruningPoint& p = points_.at(static_cast<std::size_t>(index));
    return pixelFor(p.block, p.tokens);
}

double SchedulePlot::pixelsPerToken() const {
    return std::abs(yAxis->coordToPixel(1) - yAxis->coordToPixel(0));
}

int SchedulePlot::handleAt(const QPointF& pos) const {
    int best = -1;
    double bestDistance = kHandleRadiusPx;
    for (std::size_t i = 0; i < points_.size(); ++i) {
        const double dx = xAxis->coordToPixel(points_[i].block) - pos.x();
        const double dy = yAxis->coordToPixel(points_[i].tokens) - pos.y();
        const double d = std::hypot(dx, dy);
        if (d <= bestDistance) {
            bestDistance = d;
            best = static_cast<int>(i);
        }
    }
    return best;
}

void SchedulePlot::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        const int hit = handleAt(event->position());
        if (hit >= 0) {
            dragged_ = hit;
            selected_ = hit;
            Q_EMIT pointClicked(hit);
            Q_EMIT dragStarted(hit);
            event->accept();
            return;
        }
    }
    QCustomPlot::mousePressEvent(event);
}

void SchedulePlot::mouseMoveEvent(QMouseEvent* event) {
    if (dragged_ >= 0) {
        Q_EMIT dragMoved(dragged_, xAxis->pixelToCoord(event->position().x()),
                         yAxis->pixelToCoord(event->position().y()), event->modifiers());
        event->accept();
        return;
    }
    QCustomPlot::mouseMoveEvent(event);
}

void SchedulePlot::mouseReleaseEvent(QMouseEvent* event) {
    if (dragged_ >= 0 && event->button() == Qt::LeftButton) {
        const int index = dragged_;
        dragged_ = -1;
        Q_EMIT dragFinished(index);
        event->accept();
        return;
    }
    QCustomPlot::mouseReleaseEvent(event);
}

}  // namespace tp::ui
