#include "ui/main_window.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeWidget>

#include "core/model/profile_json.h"
#include "ui/bundled_profiles.h"

namespace tp::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("TailPrune Studio");
    resize(1280, 800);
    profileTree_ = new QTreeWidget;
    profileTree_->setHeaderLabels({"Device / model / profile", "Curves"});
    auto* dock = new QDockWidget("Profiles", this);
    dock->setObjectName("profilesDock");
    dock->setWidget(profileTree_);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    workspace_ = new QTabWidget;
    workspace_->addTab(new QLabel("Open a profile on the left."), "Curves");
    setCentralWidget(workspace_);
    loadBundledProfiles();
}

void MainWindow::loadBundledProfiles() {
    int loaded = 0;
    for (const QString& file : bundled_profile_files()) {
        try {
            Profile p = load_profile(file.toStdString());
            auto* item = new QTreeWidgetItem(profileTree_);
            item->setText(0, QString::fromStdString(p.device.name + " / " + p.model.name) + " — " +
                                 QFileInfo(file).fileName());
            item->setText(1, QString::number(p.curves.size()));
            ++loaded;
        } catch (const std::exception& e) {
            statusBar()->showMessage(QString::fromUtf8(e.what()));
        }
    }
    if (loaded == 0) statusBar()->showMessage("No bundled profiles found in " + bundled_profiles_dir());
}

}  // namespace tp::ui
