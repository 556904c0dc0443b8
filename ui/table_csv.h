#pragma once
#include <QString>

class QAbstractItemModel;

namespace tp::ui {

// RFC 4180 CSV of a table model: header row, then every row (EditRole where a column has raw
// numbers, else DisplayRole). Fields with commas, quotes or line breaks are quoted.
QString tableToCsv(const QAbstractItemModel& model);
QString csvField(const QString& text);

}  // namespace tp::ui
