#include "ui/table_csv.h"

#include <QAbstractItemModel>
#include <QStringList>

namespace tp::ui {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

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
            fields << csvField(v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', 10) : v.toString());
        }
        out += fields.join(',') + "\r\n";
    }
    return out;
}

}  // namespace tp::ui
