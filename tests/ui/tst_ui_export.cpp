// Plot export: PNG, SVG and PDF files that are what their suffix says (magic bytes / root
// element), and one clear error for an unknown format or an unwritable folder.
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include "synthetic_profile.h"
#include "ui/curve_view.h"
#include "ui/plot_export.h"
#include "ui/qcustomplot_include.h"

using namespace tp;
using namespace tp::ui;

class TestExport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    CurveView* view_ = nullptr;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        view_ = new CurveView;
        view_->resize(900, 560);
        const Profile p = test::staircase_profile({});
        view_->setCurves({CurveRef{std::make_shared<const Profile>(p), "model", "A"}});
    }
    void cleanupTestCase() { delete view_; }

    void formats_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << "curve.png" << QByteArray("\x89PNG\r\n\x1a\n", 8);
        QTest::newRow("pdf") << "curve.pdf" << QByteArray("%PDF-");
        QTest::newRow("svg") << "curve.svg" << QByteArray("<?xml");
        QTest::newRow("upper-case suffix") << "CURVE.PNG" << QByteArray("\x89PNG\r\n\x1a\n", 8);
    }
    void formats() {
        QFETCH(QString, name);
        QFETCH(QByteArray, magic);
        const QString path = dir_.filePath(name);
        const QString err = exportPlot(*view_->plot(), path, 900, 560);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).toHex().constData());
        if (name.endsWith("svg")) {
            QVERIFY(bytes.contains("<svg"));
            QVERIFY(bytes.contains("</svg>"));
            QVERIFY2(bytes.contains("tokens (incl. CLS)"), "axis label must be text in the SVG");
        }
        if (name.endsWith("pdf")) QVERIFY(bytes.trimmed().endsWith("%%EOF"));
        if (name.toLower().endsWith("png")) {
            const QImage img(path);
            QCOMPARE(img.size(), QSize(1800, 1120));  // exported at 2× scale
            // Not blank: the plot has drawn dark pixels (axes, text, curve).
            int dark = 0;
            for (int y = 0; y < img.height(); y += 7)
                for (int x = 0; x < img.width(); x += 7) dark += qGray(img.pixel(x, y)) < 100;
            QVERIFY2(dark > 50, qPrintable(QString::number(dark)));
        }
    }

    void errors_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown format") << "curve.bmpx" << "unknown format 'bmpx'";
        QTest::newRow("missing folder") << "no/such/folder/curve.png" << "could not write";
    }
    void errors() {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        const QString err = exportPlot(*view_->plot(), dir_.filePath(path));
        QVERIFY2(err.contains(expected), qPrintable(err));
    }
};

QTEST_MAIN(TestExport)
#include "tst_ui_export.moc"
