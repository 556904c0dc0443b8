#pragma once
#include <QColor>

namespace tp::ui {

// Okabe–Ito colour-blind-safe palette (black excluded: it is kept for text and markers).
// Index wraps around; curve i of an overlay always gets colour i.
QColor seriesColor(int index);
int seriesColorCount();
// Semi-transparent fill for a curve's p10–p90 band.
QColor bandColor(int index);

}  // namespace tp::ui
