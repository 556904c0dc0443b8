#pragma once
#include <memory>

#include <QMainWindow>
#include <QVector>

#include "ui/curve_ref.h"
#include "ui/profile_library.h"

class QComboBox;
class QLineEdit;
class QTabWidget;
class QTreeView;

namespace tp::ui {

class AgentClient;
class CurvesTab;
class DeviceListModel;
class DevicesPanel;
class PassphrasePrompt;
class ErrorBanner;
class SessionsBar;
class ProfileFilterProxy;
class ProfileLibrary;
class ProfileLoader;
class ProfileTreeModel;
class StoreLoader;

// The studio's main window: the profile tree on the left (bundled profiles, opened files, the
// store when configured), a workspace of tabs in the centre ("Curves" first; other areas add
// theirs with addWorkspaceTab), errors shown in a banner above the workspace.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // For other workspace areas (the schedule editor).
    void addWorkspaceTab(QWidget* tab, const QString& title);
    QTabWidget* workspace() const { return workspace_; }
    ProfileLibrary* library() const { return library_; }
    AgentClient* agentClient() const { return agent_; }
    // The Devices tab (the device list shared with the CLI, each device's last check).
    DevicesPanel* devicesPanel() const { return devicesPanel_; }
    // The curves shown in the curve view (first = primary), and the primary one's profile.
    QVector<CurveRef> overlay() const;
    std::shared_ptr<const Profile> currentProfile() const;

    CurvesTab* curvesTab() const { return curves_; }
    QTreeView* profileTree() const { return tree_; }
    ProfileTreeModel* treeModel() const { return treeModel_; }
    ProfileFilterProxy* filterProxy() const { return proxy_; }
    ErrorBanner* errorBanner() const { return banner_; }
    ProfileLoader* loader() const { return loader_; }
    StoreLoader* storeLoader() const { return storeLoader_; }
    // Reads the runs of a store (TAILPRUNE_HAS_STORE builds); remembered in the settings.
    void openStore(const QString& path);

    // Loads files in the background; each appears in the tree (and errors in the banner).
    void openFiles(const QStringList& paths);
    // Shows the given library profiles (their current-scope curve) overlaid.
    void showProfiles(const QVector<int>& libraryIndices);
    void showCurves(const QVector<CurveRef>& curves);
    void showError(const QString& message);
    // Opens the profiling dialog (optionally with token counts preselected).
    void openProfilingDialog(const QVector<int>& tokens = {});
    // Opens the profiling dialog on a session this studio started before (the sessions bar).
    void reattachSession(const QString& device, const QString& sessionId);
    // Exports the curve plot; returns an error or empty.
    QString exportPlot(const QString& path);
    // Adds a profile measured in this session, saved at once as a file in measuredProfilesFolder().
    int addMeasuredProfile(const Profile& profile, const QString& source);
    // $TAILPRUNE_MEASURED, else the app data folder's "measured".
    static QString measuredProfilesFolder();

Q_SIGNALS:
    void overlayChanged();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    QWidget* buildTreePanel();
    void loadBundledProfiles();
    void onProfileLoaded(const LoadedProfile& profile);
    void onTreeSelectionChanged();
    void refreshFilterChoices();
    void restoreSettings();
    void saveSettings() const;
    QString labelFor(int index, const QVector<CurveRef>& all) const;
    CurveRef refFor(int libraryIndex, const QString& curveName) const;

    ProfileLibrary* library_ = nullptr;
    ProfileLoader* loader_ = nullptr;
    StoreLoader* storeLoader_ = nullptr;
    ProfileTreeModel* treeModel_ = nullptr;
    ProfileFilterProxy* proxy_ = nullptr;
    QTreeView* tree_ = nullptr;
    QLineEdit* search_ = nullptr;
    QComboBox* batchFilter_ = nullptr;
    QComboBox* dtypeFilter_ = nullptr;
    QComboBox* modeFilter_ = nullptr;
    QComboBox* scopeFilter_ = nullptr;
    QTabWidget* workspace_ = nullptr;
    CurvesTab* curves_ = nullptr;
    ErrorBanner* banner_ = nullptr;
    SessionsBar* sessionsBar_ = nullptr;
    AgentClient* agent_ = nullptr;
    DeviceListModel* devices_ = nullptr;
    PassphrasePrompt* passphrase_ = nullptr;
    DevicesPanel* devicesPanel_ = nullptr;
    QStringList openedFiles_;  // reopened at start
};

}  // namespace tp::ui
