#pragma once
#include <QString>
#include <QVector>

#include "core/model/curve.h"

namespace tp::ui {

// The one series type the plots draw: x = tokens, y = median with an optional p10..p90 band,
// with the data ranges cached once (PlotJuggler's convention) so zoom/reset never rescans points.
struct CurveSeries {
    QString label;
    QVector<double> tokens;
    QVector<double> median;
    QVector<double> p10;
    QVector<double> p90;
    bool hasBand = false;     // some point has p10 < p90
    double xMin = 0, xMax = 0;
    double yMin = 0, yMax = 0;  // over the band where there is one
    double yMinPositive = 0;    // smallest positive y, for log axes

    bool isEmpty() const { return tokens.isEmpty(); }
    int size() const { return int(tokens.size()); }
    // Median at an exact token count, or NaN where the curve has no point there.
    double medianAt(int tokenCount) const;

    static CurveSeries fromCurve(const Curve& curve, const QString& label);
    // Every y divided by `divisor` (normalised mode: latency / full-token latency).
    CurveSeries scaled(double divisor, const QString& newLabel) const;
    // Point-wise ratio num/den on the token counts both curves measured (no interpolation across
    // edges); the band is dropped.
    static CurveSeries ratio(const CurveSeries& num, const CurveSeries& den, const QString& label);

    void updateRanges();
};

}  // namespace tp::ui
