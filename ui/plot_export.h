#pragma once
#include <QString>

class QCustomPlot;

namespace tp::ui {

// Writes the plot to `path`, format from the suffix: .png (2× scale), .svg (vector, QSvgGenerator)
// or .pdf (vector). Returns an empty string on success, else a user-facing error.
QString exportPlot(QCustomPlot& plot, const QString& path, int width = 0, int height = 0);
// File dialog filter for the supported formats.
QString plotExportFilter();

}  // namespace tp::ui
