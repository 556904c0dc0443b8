#pragma once
#include <QWidget>

class QTableView;
class QTabWidget;

namespace tp::ui {

class CurveView;
class EdgeComparisonModel;
class OneMoreTokenModel;

// The "Curves" workspace tab: the curve view above, the "one more token" table of the primary
// curve and the side-by-side edges of the overlaid curves below.
class CurvesTab : public QWidget {
    Q_OBJECT
public:
    explicit CurvesTab(QWidget* parent = nullptr);

    CurveView* view() const { return view_; }
    OneMoreTokenModel* oneMoreTokenModel() const { return oneMore_; }
    EdgeComparisonModel* edgeComparisonModel() const { return comparison_; }
    QTabWidget* tables() const { return tables_; }
    // CSV of the table on the visible bottom tab.
    QString currentTableCsv() const;

Q_SIGNALS:
    void csvCopied(int rows);

public Q_SLOTS:
    void copyCurrentTableCsv();

private:
    void updateTables();

    CurveView* view_ = nullptr;
    OneMoreTokenModel* oneMore_ = nullptr;
    EdgeComparisonModel* comparison_ = nullptr;
    QTabWidget* tables_ = nullptr;
    QTableView* oneMoreTable_ = nullptr;
    QTableView* comparisonTable_ = nullptr;
};

}  // namespace tp::ui
