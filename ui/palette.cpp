#include "ui/palette.h"

#include <array>

namespace tp::ui {
namespace {
// Order chosen so the first two (the most common overlay) differ in both hue and lightness.
constexpr std::array<QRgb, 7> kOkabeIto = {
    0xFF0072B2,  // blue
    0xFFD55E00,  // vermillion
    0xFF009E73,  // bluish green
    0xFFCC79A7,  // reddish purple
    0xFFE69F00,  // orange
    0xFF56B4E9,  // sky blue
    0xFFF0E442,  // yellow (last: weak contrast on white)
};
}  // namespace

int seriesColorCount() { return int(kOkabeIto.size()); }

QColor seriesColor(int index) {
    const int n = seriesColorCount();
    return QColor::fromRgba(kOkabeIto[std::size_t(((index % n) + n) % n)]);
}

QColor bandColor(int index) {
    QColor c = seriesColor(index);
    c.setAlpha(60);
    return c;
}

}  // namespace tp::ui
