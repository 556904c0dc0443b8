#include "ui/editor/plot_layers.h"

namespace tp::ui {

QCPLayer* add_top_buffered_layer(QCustomPlot* plot, const QString& name) {
    QCPLayer* overlay = plot->layer("overlay");
    overlay->setMode(QCPLayer::lmLogical);
    plot->addLayer(name, overlay, QCustomPlot::limAbove);
    QCPLayer* layer = plot->layer(name);
    layer->setMode(QCPLayer::lmBuffered);
    return layer;
}

}  // namespace tp::ui
