#include "ui/plot_export.h"

#include <QFileInfo>
#include <QSvgGenerator>

#include "ui/qcustomplot_include.h"

namespace tp::ui {

QString plotExportFilter() { return QObject::tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)"); }

QString exportPlot(QCustomPlot& plot, const QString& path, int width, int height) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const int w = width > 0 ? width : plot.width();
    const int h = height > 0 ? height : plot.height();
    bool ok = false;
    if (suffix == "png") {
        ok = plot.savePng(path, w, h, 2.0);
    } else if (suffix == "pdf") {
        ok = plot.savePdf(path, w, h, QCP::epNoCosmetic, "TailPrune Studio", "latency vs tokens");
    } else if (suffix == "svg") {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        svg.setTitle("latency vs tokens");
        svg.setDescription("TailPrune Studio curve view");
        QCPPainter painter;
        if (painter.begin(&svg)) {
            plot.toPainter(&painter, w, h);
            ok = painter.end();
        }
    } else {
        return QObject::tr("cannot export to '%1': unknown format '%2' (use .png, .svg or .pdf)").arg(path, suffix);
    }
    if (!ok || !QFileInfo(path).exists() || QFileInfo(path).size() == 0)
        return QObject::tr("could not write '%1' (check the folder exists and is writable)").arg(path);
    return {};
}

}  // namespace tp::ui
