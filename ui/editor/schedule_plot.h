#pragma once
#include <optional>
#include <vector>

#include "core/model/schedule.h"
#include "core/schedule/magnet.h"
#include "ui/qcustomplot_include.h"

namespace tp::ui {

// Tokens kept vs block, with one draggable handle per pruning point. The staircase, the handles
// and the magnet marker live on a buffered layer of their own: a drag re-renders only that layer
// (axes, grid and labels keep their buffer) and the repaint is queued, so many mouse moves in one
// frame cost one paint.
class SchedulePlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit SchedulePlot(QWidget* parent = nullptr);

    // Sets the schedule drawn; resets the axes when depth or input length change.
    void setSchedule(const std::vector<int>& tokens_after_block, int input_tokens);
    void setSelectedPoint(int index);
    int selectedPoint() const { return selected_; }
    // The magnet's offer for the point being dragged (none: hide the marker).
    void setMagnet(const std::optional<MagnetOffer>& offer, int block, bool snapped);
    bool dragging() const { return dragged_ >= 0; }
    // The hint drawn in the plot while the schedule has no pruning point ("" when it has one).
    QString emptyHint() const;

    // Pixel position of pruning point `index` (for tests and the bench).
    QPoint handlePixel(int index) const;
    QPoint pixelFor(double block, double tokens) const;
    // Pixels per token on the y axis (the magnet's pull is set in pixels).
    double pixelsPerToken() const;

Q_SIGNALS:
    void dragStarted(int index);
    void dragMoved(int index, double block, double tokens, Qt::KeyboardModifiers modifiers);
    void dragFinished(int index);
    void pointClicked(int index);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    int handleAt(const QPointF& pos) const;
    void redrawOverlay();

    QCPLayer* overlay_ = nullptr;
    QCPGraph* staircase_ = nullptr;
    QCPGraph* handles_ = nullptr;
    QCPGraph* selectedHandle_ = nullptr;
    QCPItemStraightLine* magnetLine_ = nullptr;
    QCPItemText* magnetLabel_ = nullptr;
    QCPItemText* emptyHint_ = nullptr;  // shown while the schedule has no pruning point
    std::vector<PruningPoint> points_;
    int depth_ = 0, inputTokens_ = 0;
    int selected_ = -1;
    int dragged_ = -1;
};

}  // namespace tp::ui
