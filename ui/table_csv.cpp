#include "ui/table_csv.h"

#include <QAbstractItemModel>
#include <QStringList>

#include "core/util/csv_cell.h"

namespace tp::ui {

QString csvField(const QString& text) { return QString::fromStdString(csv_text_cell(text.toStdString())); }

namespace {

bool isNumber(const QVariant& v) {
    switch (v.typeId()) {
    case QMetaType::Double: case QMetaType::Float: case QMetaType::Int: case QMetaType::UInt:
    case QMetaType::LongLong: case QMetaType::ULongLong:
        return true;
    default:
        return false;
    }
}

}  // namespace

QString tableToCsv(const QAbstractItemModel& model) {
    QString out;
    QStringList header;
    for (int c = 0; c < model.columnCount(); ++c)
        header << csvField(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    out += header.join(',') + "\r\n";
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList fields;
        for (int c = 0; c < model.columnCount(); ++c) {
            const QModelIndex i = model.index(r, c);
            QVariant v = model.data(i, Qt::EditRole);
            if (!v.isValid()) v = model.data(i, Qt::DisplayRole);
            // Numbers as numbers (a negative one keeps its sign); text neutralised against formulas.
            if (v.typeId() == QMetaType::Double || v.typeId() == QMetaType::Float) fields << QString::number(v.toDouble(), 'g', 10);
            else if (isNumber(v)) fields << v.toString();
            else fields << csvField(v.toString());
        }
        out += fields.join(',') + "\r\n";
    }
    return out;
}

}  // namespace tp::ui
