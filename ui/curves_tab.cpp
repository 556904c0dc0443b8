#include "ui/curves_tab.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/curve_view.h"
#include "ui/edge_comparison_model.h"
#include "ui/edge_matching.h"
#include "ui/one_more_token_model.h"
#include "ui/table_csv.h"

namespace tp::ui {
namespace {
QTableView* makeTable(QAbstractItemModel* model, const QString& name) {
    auto* t = new QTableView;
    t->setObjectName(name);
    t->setModel(model);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
}
}  // namespace

CurvesTab::CurvesTab(QWidget* parent) : QWidget(parent) {
    view_ = new CurveView;
    oneMore_ = new OneMoreTokenModel(this);
    comparison_ = new EdgeComparisonModel(this);
    oneMoreTable_ = makeTable(oneMore_, "oneMoreTokenTable");
    comparisonTable_ = makeTable(comparison_, "edgeComparisonTable");

    tables_ = new QTabWidget;
    tables_->setObjectName("curveTables");
    tables_->addTab(oneMoreTable_, tr("One more token"));
    tables_->addTab(comparisonTable_, tr("Edges by curve"));
    auto* copy = new QPushButton(tr("Copy table as CSV"));
    copy->setObjectName("copyCsvButton");
    connect(copy, &QPushButton::clicked, this, &CurvesTab::copyCurrentTableCsv);
    tables_->setCornerWidget(copy);

    auto* split = new QSplitter(Qt::Vertical);
    split->setObjectName("curvesSplitter");
    split->addWidget(view_);
    split->addWidget(tables_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(view_, &CurveView::curvesChanged, this, &CurvesTab::updateTables);
}

void CurvesTab::updateTables() {
    const auto& curves = view_->curves();
    if (curves.isEmpty()) {
        oneMore_->clear();
        comparison_->clear();
        return;
    }
    oneMore_->setCurve(curves.front().series, curves.front().steps, curves.front().explanations);
    QStringList labels;
    std::vector<std::vector<Edge>> edges;
    for (const auto& a : curves) {
        labels << a.series.label;
        edges.push_back(a.steps.edges);
    }
    comparison_->setCurves(labels, std::move(edges),
                           default_edge_tolerance(curves.front().ref.profile->model.tokens));
}

QString CurvesTab::currentTableCsv() const {
    const auto* table = qobject_cast<QTableView*>(tables_->currentWidget());
    return table && table->model() ? tableToCsv(*table->model()) : QString();
}

void CurvesTab::copyCurrentTableCsv() {
    const QString csv = currentTableCsv();
    QApplication::clipboard()->setText(csv);
    Q_EMIT csvCopied(int(csv.count(QLatin1String("\r\n"))) - 1);
}

}  // namespace tp::ui
