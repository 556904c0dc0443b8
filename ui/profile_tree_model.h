#pragma once
#include <memory>
#include <vector>

#include <QAbstractItemModel>

namespace tp::ui {

class ProfileLibrary;

// Devices → models → profiles → curves of the profiles in a ProfileLibrary. Rows are inserted as
// profiles arrive (never reset), so selections and expansion survive loading more profiles.
class ProfileTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum class NodeKind { Device, Model, Profile, Curve };
    enum Column { NameColumn, BatchColumn, DtypeColumn, ModeColumn, PointsColumn, ColumnCount };
    enum Role {
        NodeKindRole = Qt::UserRole + 1,  // int(NodeKind)
        ProfileIndexRole,                 // library index (Profile and Curve rows), else -1
        CurveNameRole,                    // Curve rows
        BatchRole,                        // Profile and Curve rows
        DtypeRole,
        ModeRole,
        ScopeKindRole,                    // Curve rows: "model", "block", "attn", ...
        SearchTextRole,                   // device + model + profile + curve text, for the filter
    };

    explicit ProfileTreeModel(const ProfileLibrary* library, QObject* parent = nullptr);
    ~ProfileTreeModel() override;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    // Index of a profile's row (column 0), or of one of its curves.
    QModelIndex profileIndex(int libraryIndex) const;
    QModelIndex curveIndex(int libraryIndex, const QString& curveName) const;

private:
    struct Node;
    void addProfile(int libraryIndex);
    Node* nodeOf(const QModelIndex& index) const;
    QModelIndex indexOf(const Node* node, int column = 0) const;

    const ProfileLibrary* library_;
    std::unique_ptr<Node> root_;
};

}  // namespace tp::ui
