#pragma once
#include "ui/qcustomplot_include.h"

namespace tp::ui {

// Adds a buffered layer on top of every other layer of `plot`, for the items that change on every
// mouse move. QCustomPlot gives each buffered layer and each run of logical layers its own
// full-size buffer, and blends every buffer on each paint; putting the moving layer last and
// folding QCustomPlot's own "overlay" layer (selection rectangle, unused here) into the static run
// leaves two buffers: everything static, and the moving layer.
QCPLayer* add_top_buffered_layer(QCustomPlot* plot, const QString& name);

}  // namespace tp::ui
