#pragma once
#include <QMainWindow>

class QTabWidget;
class QTreeWidget;

namespace tp::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

private:
    void loadBundledProfiles();
    QTreeWidget* profileTree_ = nullptr;
    QTabWidget* workspace_ = nullptr;
};

}  // namespace tp::ui
