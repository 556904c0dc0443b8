// Scripted walkthroughs of the main window, one per feature: bundled profiles in the tree, open by
// menu path and by drop (with a bad file reported in the window), overlay by multi-selection,
// search/filters, tables, export, CSV copy, settings that persist, extra workspace tabs.
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include "core/model/profile_json.h"
#include "synthetic_profile.h"
#include "ui/curve_view.h"
#include "ui/curves_tab.h"
#include "ui/edge_comparison_model.h"
#include "ui/error_banner.h"
#include "ui/devices_panel.h"
#include "ui/main_window.h"
#include "ui/one_more_token_model.h"
#include "ui/profile_filter_proxy.h"
#include "ui/profile_library.h"
#include "ui/profile_loader.h"
#include "ui/profile_tree_model.h"
#include "ui/store_loader.h"
#if TAILPRUNE_HAS_STORE
#include "core/store/store.h"
#endif

using namespace tp;
using namespace tp::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString bundled_, extra_;

    std::unique_ptr<MainWindow> makeWindow() {
        auto w = std::make_unique<MainWindow>();
        w->resize(1400, 900);
        // Bundled profiles load in the background; wait until they are in the tree.
        if (w->loader()->isBusy()) {
            QSignalSpy idle(w->loader(), &ProfileLoader::idle);
            if (!idle.wait(10000)) return nullptr;
        }
        return w;
    }
    QModelIndex proxyIndexOfProfile(MainWindow& w, int lib) {
        return w.filterProxy()->mapFromSource(w.treeModel()->profileIndex(lib));
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName("TailPruneTest");
        QApplication::setApplicationName("tst_ui_main_window");
        QSettings().clear();
        QVERIFY(dir_.isValid());
        bundled_ = dir_.filePath("bundled");
        extra_ = dir_.filePath("extra");
        QVERIFY(QDir().mkpath(bundled_));
        QVERIFY(QDir().mkpath(extra_));
        test::StaircaseSpec a, b, c;
        b.device = "Synthetic GPU B";
        b.period = 48;
        b.seed = 3;
        c.device = "Synthetic GPU C";
        c.period = 24;
        save_profile(test::staircase_profile(a), (bundled_ + "/a.json").toStdString());
        save_profile(test::staircase_profile(b), (bundled_ + "/b.json").toStdString());
        Profile pc = test::staircase_profile(c);
        pc.model.batch = 8;
        pc.model.dtype = "fp16";
        save_profile(pc, (extra_ + "/c.json").toStdString());
        QFile bad(extra_ + "/broken.json");
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"format\": \"tailprune-profile\", \"format_version\": 1, \"device\": ");
        bad.close();
        qputenv("TAILPRUNE_PROFILES", bundled_.toUtf8());
        // No store unless a test opens one (never the user's default store).
        qputenv("TAILPRUNE_STORE", dir_.filePath("no-store.sqlite").toUtf8());
    }
    void init() { QSettings().clear(); }

    void bundledProfilesFillTreeAndFirstIsShown() {
        auto w = makeWindow();
        QVERIFY(w);
        QCOMPARE(w->library()->size(), 2);
        QCOMPARE(w->treeModel()->rowCount(), 2);  // two devices
        QCOMPARE(w->library()->at(0).origin, ProfileOrigin::Bundled);
        // The first profile is selected and its model curve drawn, with its steps in the table.
        QCOMPARE(w->overlay().size(), 1);
        QCOMPARE(w->overlay().front().curveName, std::string("model"));
        QCOMPARE(w->currentProfile()->device.name, std::string("Synthetic GPU A"));
        QCOMPARE(w->curvesTab()->oneMoreTokenModel()->rowCount(), 6);  // edges at 33, 65, ..., 193
        QCOMPARE(w->workspace()->tabText(0), QString("Curves"));
    }

    void openFilesReportsBadFileInWindow() {
        auto w = makeWindow();
        QVERIFY(w);
        QSignalSpy idle(w->loader(), &ProfileLoader::idle);
        w->openFiles({extra_ + "/c.json", extra_ + "/broken.json"});
        QVERIFY(idle.wait(10000));
        QCOMPARE(w->library()->size(), 3);
        QCOMPARE(w->library()->at(2).origin, ProfileOrigin::File);
        // The opened file is selected and shown; the broken one is reported, nothing lost.
        QCOMPARE(w->currentProfile()->device.name, std::string("Synthetic GPU C"));
        QVERIFY(w->errorBanner()->isVisibleTo(w.get()));
        QVERIFY2(w->errorBanner()->message().contains("broken.json"), qPrintable(w->errorBanner()->message()));
        QCOMPARE(w->errorBanner()->history().size(), 1);
        // Opening the same file again does not duplicate it.
        w->openFiles({extra_ + "/c.json"});
        QTest::qWait(50);
        QCOMPARE(w->library()->size(), 3);
    }

    void dropOpensFiles() {
        auto w = makeWindow();
        QVERIFY(w);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(extra_ + "/c.json")});
        QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(w.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QSignalSpy idle(w->loader(), &ProfileLoader::idle);
        QApplication::sendEvent(w.get(), &drop);
        QVERIFY(drop.isAccepted());
        QVERIFY(idle.wait(10000));
        QCOMPARE(w->library()->size(), 3);
    }

    void multiSelectionOverlaysDevices() {
        auto w = makeWindow();
        QVERIFY(w);
        QItemSelectionModel* sel = w->profileTree()->selectionModel();
        sel->select(proxyIndexOfProfile(*w, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        sel->select(proxyIndexOfProfile(*w, 1), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        const auto overlay = w->overlay();
        QCOMPARE(overlay.size(), 2);
        QCOMPARE(overlay[0].label, QString("Synthetic GPU A"));
        QCOMPARE(overlay[1].label, QString("Synthetic GPU B"));
        // Side-by-side edges: period 32 and 48 share 97 and 193; the rest are on one device only.
        const EdgeComparisonModel* cmp = w->curvesTab()->edgeComparisonModel();
        QCOMPARE(cmp->columnCount(), 3);
        int shared = 0;
        for (int r = 0; r < cmp->rowCount(); ++r) shared += cmp->index(r, 0).data().toString() == "shared";
        QCOMPARE(shared, 2);
        // Picking a curve row of a profile shows that scope.
        const QModelIndex block = w->filterProxy()->mapFromSource(w->treeModel()->curveIndex(1, "block:3"));
        sel->select(block, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(w->overlay().size(), 1);
        QCOMPARE(w->overlay().front().curveName, std::string("block:3"));
        QCOMPARE(w->overlay().front().profile->device.name, std::string("Synthetic GPU B"));
    }

    void searchAndFilters() {
        auto w = makeWindow();
        QVERIFY(w);
        auto* search = w->findChild<QLineEdit*>("treeSearch");
        QVERIFY(search);
        search->setText("synthetic-48");
        QCOMPARE(w->filterProxy()->rowCount(), 1);
        search->clear();
        QCOMPARE(w->filterProxy()->rowCount(), 2);
        auto* scope = w->findChild<QComboBox*>("scopeFilter");
        const int blockItem = scope->findData("block");
        QVERIFY(blockItem > 0);
        scope->setCurrentIndex(blockItem);
        const QModelIndex device = w->filterProxy()->index(0, 0);
        const QModelIndex profile = w->filterProxy()->index(0, 0, w->filterProxy()->index(0, 0, device));
        QCOMPARE(w->filterProxy()->rowCount(profile), 1);  // only block:3 left
        auto* batch = w->findChild<QComboBox*>("batchFilter");
        QCOMPARE(batch->count(), 2);  // any, batch 1
    }

    void exportAndCopyCsv() {
        auto w = makeWindow();
        QVERIFY(w);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        for (const char* name : {"walk.png", "walk.svg", "walk.pdf"}) {
            const QString err = w->exportPlot(dir_.filePath(name));
            QVERIFY2(err.isEmpty(), qPrintable(err));
            QVERIFY(QFileInfo(dir_.filePath(name)).size() > 1000);
        }
        QVERIFY(w->exportPlot(dir_.filePath("x.gif")).contains("unknown format"));
        w->curvesTab()->tables()->setCurrentIndex(0);
        w->curvesTab()->copyCurrentTableCsv();
        const QStringList lines = QApplication::clipboard()->text().split("\r\n", Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7);  // header + 6 edges
        QVERIFY(lines[0].startsWith("Edge at (tokens),Prune to (tokens)"));
        QVERIFY(lines[1].startsWith("33,32,"));
    }

    void settingsPersist() {
        {
            auto w = makeWindow();
            QVERIFY(w);
            w->curvesTab()->view()->setSensitivity(7.5);
            w->curvesTab()->view()->setLogScale(true);
            w->curvesTab()->view()->setYMode(CurveView::YMode::Normalised);
            QSignalSpy idle(w->loader(), &ProfileLoader::idle);
            w->openFiles({extra_ + "/c.json"});
            QVERIFY(idle.wait(10000));
            w->close();
        }
        auto w = makeWindow();
        QVERIFY(w);
        QCOMPARE(w->curvesTab()->view()->sensitivity(), 7.5);
        QVERIFY(w->curvesTab()->view()->logScale());
        QCOMPARE(w->curvesTab()->view()->yMode(), CurveView::YMode::Normalised);
        // Files opened last time are opened again.
        QTRY_COMPARE(w->library()->size(), 3);
    }

    void storeRunsAppearInTree() {
#if TAILPRUNE_HAS_STORE
        const QString path = dir_.filePath("store.sqlite");
        {
            auto store = store::Store::open(path.toStdString(), store::Mode::Create);
            test::StaircaseSpec spec;
            spec.device = "Stored GPU";
            store.import_profile(test::staircase_profile(spec));
        }
        auto w = makeWindow();
        QVERIFY(w);
        QSignalSpy finished(w->storeLoader(), &StoreLoader::finished);
        w->openStore(path);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.front().front().toInt(), 1);
        QCOMPARE(w->library()->size(), 3);
        QCOMPARE(w->library()->at(2).origin, ProfileOrigin::Store);
        QCOMPARE(w->library()->at(2).profile->device.name, std::string("Stored GPU"));
        // A store that is not there is reported in the window.
        QSignalSpy finished2(w->storeLoader(), &StoreLoader::finished);
        w->openStore(dir_.filePath("missing.sqlite"));
        QCOMPARE(finished2.count(), 1);
        QVERIFY2(w->errorBanner()->message().contains("missing.sqlite"), qPrintable(w->errorBanner()->message()));
#else
        // Without SQLite the studio says so instead of failing silently.
        auto w = makeWindow();
        QVERIFY(w);
        w->openStore(dir_.filePath("store.sqlite"));
        QVERIFY(w->errorBanner()->message().contains("no store support"));
#endif
    }

    void otherAreasAddWorkspaceTabs() {
        auto w = makeWindow();
        QVERIFY(w);
        QSignalSpy overlay(w.get(), &MainWindow::overlayChanged);
        auto* tab = new QWidget;
        w->addWorkspaceTab(tab, "Schedule editor");
        QCOMPARE(w->workspace()->count(), 3);  // Curves, the added tab, Devices (last)
        QCOMPARE(w->workspace()->widget(1), tab);
        QCOMPARE(w->workspace()->widget(2), static_cast<QWidget*>(w->devicesPanel()));
        QVERIFY(w->agentClient());
        w->profileTree()->selectionModel()->select(proxyIndexOfProfile(*w, 1),
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(overlay.count() >= 1);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_ui_main_window.moc"
