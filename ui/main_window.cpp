#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include "core/model/profile_json.h"
#include "core/model/scope.h"
#include "ui/agent_client.h"
#include "ui/device_list_model.h"
#include "ui/devices_panel.h"
#include "ui/passphrase_prompt.h"
#include "ui/bundled_profiles.h"
#include "ui/curve_view.h"
#include "ui/curves_tab.h"
#include "ui/error_banner.h"
#include "ui/sessions_bar.h"
#include "ui/plot_export.h"
#include "ui/profile_filter_proxy.h"
#include "ui/profile_library.h"
#include "ui/profile_loader.h"
#include "ui/profile_tree_model.h"
#include "ui/profiling_dialog.h"
#include "ui/qcustomplot_include.h"
#include "ui/store_loader.h"

namespace tp::ui {
namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("TailPrune Studio"));
    setObjectName("mainWindow");
    resize(1440, 900);
    setAcceptDrops(true);

    library_ = new ProfileLibrary(this);
    loader_ = new ProfileLoader(this);
    storeLoader_ = new StoreLoader(this);
    agent_ = new AgentClient(this);
    treeModel_ = new ProfileTreeModel(library_, this);
    proxy_ = new ProfileFilterProxy(this);
    proxy_->setSourceModel(treeModel_);

    auto* dock = new QDockWidget(tr("Profiles"), this);
    dock->setObjectName("profilesDock");
    dock->setWidget(buildTreePanel());
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    banner_ = new ErrorBanner;
    workspace_ = new QTabWidget;
    workspace_->setObjectName("workspace");
    curves_ = new CurvesTab;
    curves_->view()->setAnalyses(library_->analyses());
    workspace_->addTab(curves_, tr("Curves"));
    devices_ = new DeviceListModel(this);
    if (const QString error = devices_->load(); !error.isEmpty()) QTimer::singleShot(0, this, [this, error] { showError(error); });
    passphrase_ = new PassphrasePrompt(this);
    devicesPanel_ = new DevicesPanel(devices_, passphrase_);
    workspace_->addTab(devicesPanel_, tr("Devices"));
    connect(devicesPanel_, &DevicesPanel::errorOccurred, this, &MainWindow::showError);
    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(banner_);
    sessionsBar_ = new SessionsBar;
    connect(sessionsBar_, &SessionsBar::reattachRequested, this, &MainWindow::reattachSession);
    layout->addWidget(sessionsBar_);
    layout->addWidget(workspace_, 1);
    setCentralWidget(central);

    connect(loader_, &ProfileLoader::loaded, this, &MainWindow::onProfileLoaded);
    connect(storeLoader_, &StoreLoader::loaded, this, &MainWindow::onProfileLoaded);
    connect(storeLoader_, &StoreLoader::failed, this, &MainWindow::showError);
    connect(storeLoader_, &StoreLoader::finished, this, [this](int runs) {
        if (runs > 0) statusBar()->showMessage(tr("Store: %n run(s) loaded", nullptr, runs), 5000);
    });
    connect(loader_, &ProfileLoader::failed, this,
            [this](const QString& path, const QString& message) {
                openedFiles_.removeAll(path);
                showError(tr("Could not open %1: %2").arg(QFileInfo(path).fileName(), message));
            });
    connect(library_, &ProfileLibrary::profileAdded, this, [this] {
        refreshFilterChoices();
        tree_->expandToDepth(1);
    });
    connect(curves_->view(), &CurveView::curvesChanged, this, &MainWindow::overlayChanged);
    connect(curves_->view(), &CurveView::measureTokensRequested, this, &MainWindow::openProfilingDialog);
    connect(curves_, &CurvesTab::csvCopied, this,
            [this](int rows) { statusBar()->showMessage(tr("Copied %1 rows as CSV").arg(rows), 4000); });
    connect(agent_, &AgentClient::agentError, this, &MainWindow::showError);

    buildMenus();
    restoreSettings();
    loadBundledProfiles();
    const QString store = QSettings().value("store/path").toString();
    storeLoader_->load(StoreLoader::resolvePath(store), !store.isEmpty());
    statusBar()->showMessage(tr("Bundled profiles: %1").arg(bundled_profiles_dir()));
}

MainWindow::~MainWindow() = default;

void MainWindow::onProfileLoaded(const LoadedProfile& p) {
    const bool first = library_->size() == 0;
    const int index = library_->add(p);
    if (p.origin == ProfileOrigin::File && !openedFiles_.contains(p.source)) openedFiles_ << p.source;
    if (first || p.origin == ProfileOrigin::File)
        tree_->selectionModel()->setCurrentIndex(proxy_->mapFromSource(treeModel_->profileIndex(index)),
                                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void MainWindow::openStore(const QString& path) {
    QSettings().setValue("store/path", path);
    storeLoader_->load(path, true);
}

QWidget* MainWindow::buildTreePanel() {
    search_ = new QLineEdit;
    search_->setObjectName("treeSearch");
    search_->setPlaceholderText(tr("Search devices, models, profiles, scopes…"));
    search_->setClearButtonEnabled(true);
    connect(search_, &QLineEdit::textChanged, proxy_, &ProfileFilterProxy::setSearchText);

    auto makeFilter = [](const QString& name, const QString& any) {
        auto* c = new QComboBox;
        c->setObjectName(name);
        c->addItem(any, QVariant());
        c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        return c;
    };
    batchFilter_ = makeFilter("batchFilter", tr("any batch"));
    dtypeFilter_ = makeFilter("dtypeFilter", tr("any dtype"));
    modeFilter_ = makeFilter("modeFilter", tr("any mode"));
    scopeFilter_ = makeFilter("scopeFilter", tr("any scope"));
    connect(batchFilter_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setBatch(batchFilter_->currentData().toInt()); });
    connect(dtypeFilter_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setDtype(dtypeFilter_->currentData().toString()); });
    connect(modeFilter_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setMode(modeFilter_->currentData().toString()); });
    connect(scopeFilter_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setScopeKind(scopeFilter_->currentData().toString()); });

    tree_ = new QTreeView;
    tree_->setObjectName("profileTree");
    tree_->setModel(proxy_);
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree_->setUniformRowHeights(true);
    tree_->setTextElideMode(Qt::ElideMiddle);  // both the device and where it was measured stay visible
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setStretchLastSection(false);
    for (int c = 1; c < ProfileTreeModel::ColumnCount; ++c)
        tree_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    tree_->setToolTip(tr("Select a profile or curve; Ctrl/Shift-select several to overlay them"));
    connect(tree_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onTreeSelectionChanged);

    auto* filters = new QHBoxLayout;
    filters->setSpacing(4);
    for (auto* c : {batchFilter_, dtypeFilter_, modeFilter_, scopeFilter_}) filters->addWidget(c);
    filters->addStretch();
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(search_);
    layout->addLayout(filters);
    layout->addWidget(tree_, 1);
    panel->setMinimumWidth(420);
    return panel;
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open profile…"), this, [this] {
        QSettings s;
        const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open profiles"),
                                                                s.value("ui/lastDir", bundled_profiles_dir()).toString(),
                                                                tr("Profiles (*.json *.json.gz);;All files (*)"));
        if (paths.isEmpty()) return;
        s.setValue("ui/lastDir", QFileInfo(paths.front()).absolutePath());
        openFiles(paths);
    });
    open->setShortcut(QKeySequence::Open);
    QAction* openStoreAction = file->addAction(tr("Open &store…"), this, [this] {
        const QString current = StoreLoader::resolvePath(QSettings().value("store/path").toString());
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a TailPrune store"), current,
                                                          tr("TailPrune store (*.sqlite *.db);;All files (*)"));
        if (!path.isEmpty()) openStore(path);
    });
    openStoreAction->setEnabled(StoreLoader::available());
    if (!StoreLoader::available()) openStoreAction->setToolTip(tr("This build has no store support"));
    file->addSeparator();
    QAction* exportPlotAction = file->addAction(tr("&Export plot…"), this, [this] {
        QSettings s;
        QString selected;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"),
                                                          s.value("ui/lastExport", "curve.png").toString(),
                                                          plotExportFilter(), &selected);
        if (path.isEmpty()) return;
        s.setValue("ui/lastExport", path);
        const QString err = exportPlot(path);
        if (!err.isEmpty()) showError(err);
        else statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    });
    exportPlotAction->setShortcut(QKeySequence(tr("Ctrl+E")));
    QAction* copyCsv = file->addAction(tr("&Copy table as CSV"), curves_, &CurvesTab::copyCurrentTableCsv);
    copyCsv->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    file->addSeparator();
    file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

    QMenu* measure = menuBar()->addMenu(tr("&Measure"));
    measure->addAction(tr("&Profile on devices…"), this, [this] { openProfilingDialog(); })
        ->setShortcut(QKeySequence(tr("Ctrl+P")));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(findChild<QDockWidget*>("profilesDock")->toggleViewAction());
    view->addAction(tr("&Reset zoom"), curves_->view(), &CurveView::resetZoom)->setShortcut(QKeySequence(tr("Ctrl+0")));
}

void MainWindow::addWorkspaceTab(QWidget* tab, const QString& title) {
    // Work areas sit between Curves and Devices (which stays last).
    workspace_->insertTab(workspace_->indexOf(devicesPanel_), tab, title);
}

QVector<CurveRef> MainWindow::overlay() const {
    QVector<CurveRef> out;
    for (const auto& a : curves_->view()->curves()) out << a.ref;
    return out;
}

std::shared_ptr<const Profile> MainWindow::currentProfile() const {
    const auto& c = curves_->view()->curves();
    return c.isEmpty() ? nullptr : c.front().ref.profile;
}

void MainWindow::showError(const QString& message) {
    banner_->showError(message);
    statusBar()->showMessage(message, 8000);
}

void MainWindow::openFiles(const QStringList& paths) {
    QStringList fresh;
    for (const QString& p : paths) {
        const QString abs = QFileInfo(p).absoluteFilePath();
        const int existing = library_->indexOfSource(abs);
        if (existing >= 0)
            showProfiles({existing});
        else
            fresh << abs;
    }
    loader_->load(fresh, ProfileOrigin::File);
}

void MainWindow::loadBundledProfiles() {
    const QStringList files = bundled_profile_files();
    loader_->load(files, ProfileOrigin::Bundled);
    QStringList reopen;
    for (const QString& f : std::as_const(openedFiles_))
        if (QFileInfo::exists(f) && !files.contains(f)) reopen << f;
    openedFiles_.clear();
    loader_->load(reopen, ProfileOrigin::File);
}

QString MainWindow::measuredProfilesFolder() {
    const QString env = qEnvironmentVariable("TAILPRUNE_MEASURED");
    return env.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/measured" : env;
}

int MainWindow::addMeasuredProfile(const Profile& profile, const QString& source) {
    // A measured profile is kept as a file at once, like any other: named after model, device, time.
    QString stem = qs(profile.model.name + "_" + profile.device.name) + "_" +
                   QDateTime::currentDateTimeUtc().toString("yyyyMMdd-HHmmss-zzz");
    stem.replace(QRegularExpression("[^A-Za-z0-9._-]+"), "_");
    const QString folder = measuredProfilesFolder();
    const QString file = folder + "/" + stem + ".json";
    QString kept = source;
    try {
        QDir().mkpath(folder);
        save_profile(profile, file.toStdString());
        kept = file;
        statusBar()->showMessage(tr("Measured profile saved to %1").arg(file), 10000);
    } catch (const std::exception& e) {
        showError(tr("The measured profile is open but could not be saved: %1").arg(QString::fromUtf8(e.what())));
    }
    const int index = library_->add(LoadedProfile{std::make_shared<const Profile>(profile), ProfileOrigin::Agent, kept});
    tree_->selectionModel()->setCurrentIndex(proxy_->mapFromSource(treeModel_->profileIndex(index)),
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return index;
}

CurveRef MainWindow::refFor(int libraryIndex, const QString& curveName) const {
    CurveRef r;
    r.profile = library_->at(libraryIndex).profile;
    r.curveName = curveName.toStdString();
    r.file = library_->at(libraryIndex).file();
    return r;
}

QString MainWindow::labelFor(int index, const QVector<CurveRef>& all) const {
    const CurveRef& ref = all[index];
    bool sameDevice = false, sameProfile = false;
    for (int k = 0; k < all.size(); ++k) {
        if (k == index) continue;
        const CurveRef& o = all[k];
        if (o.profile->device.identity() == ref.profile->device.identity()) sameDevice = true;
        if (o.profile == ref.profile) sameProfile = true;
    }
    QString label = qs(ref.profile->device.name);
    if (sameDevice) {
        QString id = qs(ref.profile->id);
        for (int i = 0; i < library_->size(); ++i)
            if (library_->at(i).profile == ref.profile) id = library_->at(i).displayName();
        label += " · " + id;
    }
    if (sameProfile || all.size() == 1) label += " · " + qs(ref.curveName);
    return label;
}

void MainWindow::showCurves(const QVector<CurveRef>& curves) {
    QVector<CurveRef> labelled = curves;
    for (int i = 0; i < labelled.size(); ++i) labelled[i].label = labelFor(i, curves);
    curves_->view()->setCurves(labelled);
    if (!labelled.isEmpty()) {
        const Profile& p = *labelled.front().profile;
        setWindowTitle(tr("%1 — %2 on %3 — TailPrune Studio").arg(qs(labelled.front().curveName), qs(p.model.name),
                                                                     qs(p.device.name)));
    }
}

void MainWindow::showProfiles(const QVector<int>& libraryIndices) {
    // Each profile shows the scope currently on screen when it has it, else its model curve,
    // else its first curve.
    const auto& shown = curves_->view()->curves();
    const std::string scope = shown.isEmpty() ? "model" : shown.front().ref.curveName;
    QVector<CurveRef> refs;
    for (int i : libraryIndices) {
        const Profile& p = *library_->at(i).profile;
        if (p.curves.empty()) continue;
        const Curve* c = p.find_curve(scope);
        if (!c) c = p.find_curve("model");
        if (!c) c = &p.curves.front();
        refs << refFor(i, qs(c->name));
    }
    showCurves(refs);
}

void MainWindow::onTreeSelectionChanged() {
    QVector<CurveRef> curves;
    QVector<int> profiles;
    for (const QModelIndex& proxyIndex : tree_->selectionModel()->selectedRows()) {
        const QModelIndex i = proxy_->mapToSource(proxyIndex);
        const auto kind = ProfileTreeModel::NodeKind(i.data(ProfileTreeModel::NodeKindRole).toInt());
        const int lib = i.data(ProfileTreeModel::ProfileIndexRole).toInt();
        if (kind == ProfileTreeModel::NodeKind::Curve)
            curves << refFor(lib, i.data(ProfileTreeModel::CurveNameRole).toString());
        else if (kind == ProfileTreeModel::NodeKind::Profile)
            profiles << lib;
    }
    if (!curves.isEmpty()) {
        showCurves(curves);
    } else if (!profiles.isEmpty()) {
        showProfiles(profiles);
    }
}

void MainWindow::refreshFilterChoices() {
    QSet<int> batches;
    QSet<QString> dtypes, modes, scopes;
    for (int i = 0; i < library_->size(); ++i) {
        const Profile& p = *library_->at(i).profile;
        batches << p.model.batch;
        dtypes << qs(p.model.dtype);
        modes << qs(p.settings.mode);
        for (const Curve& c : p.curves) scopes << qs(to_string(c.scope.kind));
    }
    auto fill = [](QComboBox* combo, QStringList values, const QVariantList& data) {
        const QVariant current = combo->currentData();
        const QSignalBlocker block(combo);
        while (combo->count() > 1) combo->removeItem(1);
        for (int i = 0; i < values.size(); ++i) combo->addItem(values[i], data[i]);
        combo->setCurrentIndex(std::max(0, combo->findData(current)));
    };
    QList<int> b = batches.values();
    std::sort(b.begin(), b.end());
    QStringList bl;
    QVariantList bd;
    for (int v : b) {
        bl << tr("batch %1").arg(v);
        bd << v;
    }
    fill(batchFilter_, bl, bd);
    for (auto [combo, set] : {std::pair{dtypeFilter_, &dtypes}, std::pair{modeFilter_, &modes}, std::pair{scopeFilter_, &scopes}}) {
        QStringList v = set->values();
        v.sort();
        QVariantList d;
        for (const QString& s : v) d << s;
        fill(combo, v, d);
    }
}

QString MainWindow::exportPlot(const QString& path) { return tp::ui::exportPlot(*curves_->view()->plot(), path); }

void MainWindow::openProfilingDialog(const QVector<int>& tokens) {
    auto* dialog = new ProfilingDialog(agent_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setDevices(devicesPanel_);
    if (const auto p = currentProfile()) dialog->setModelHint(qs(p->model.name), p->model.tokens);
    if (!tokens.isEmpty()) dialog->setTokenCounts(tokens);
    connect(dialog, &ProfilingDialog::profileMeasured, this,
            [this](const Profile& profile, const QString& source) { addMeasuredProfile(profile, source); });
    connect(dialog, &ProfilingDialog::errorOccurred, this, &MainWindow::showError);
    dialog->show();
}

void MainWindow::reattachSession(const QString& device, const QString& sessionId) {
    if (devices_->rowOf(device) < 0) {
        showError(tr("Session %1 was started on device '%2', which is no longer in the device list.").arg(sessionId, device));
        return;
    }
    auto* dialog = new ProfilingDialog(agent_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setDevices(devicesPanel_);
    connect(dialog, &ProfilingDialog::profileMeasured, this,
            [this](const Profile& profile, const QString& source) { addMeasuredProfile(profile, source); });
    connect(dialog, &ProfilingDialog::errorOccurred, this, &MainWindow::showError);
    connect(dialog, &QObject::destroyed, sessionsBar_, [bar = sessionsBar_] { bar->refresh(); });
    dialog->show();
    dialog->attachSession(device, sessionId);
}

void MainWindow::restoreSettings() {
    QSettings s;
    restoreGeometry(s.value("ui/geometry").toByteArray());
    restoreState(s.value("ui/state").toByteArray());
    openedFiles_ = s.value("ui/openedFiles").toStringList();
    CurveView* v = curves_->view();
    v->setSensitivity(s.value("curves/sensitivity", v->sensitivity()).toDouble());
    v->setLogScale(s.value("curves/logScale", false).toBool());
    v->setYMode(CurveView::YMode(s.value("curves/yMode", int(CurveView::YMode::Latency)).toInt()));
}

void MainWindow::saveSettings() const {
    QSettings s;
    s.setValue("ui/geometry", saveGeometry());
    s.setValue("ui/state", saveState());
    s.setValue("ui/openedFiles", openedFiles_);
    const CurveView* v = curves_->view();
    s.setValue("curves/sensitivity", v->sensitivity());
    s.setValue("curves/logScale", v->logScale());
    s.setValue("curves/yMode", int(v->yMode()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    agent_->stop();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    if (paths.isEmpty()) {
        showError(tr("Only local profile files can be dropped here"));
        return;
    }
    openFiles(paths);
    event->acceptProposedAction();
}

}  // namespace tp::ui
