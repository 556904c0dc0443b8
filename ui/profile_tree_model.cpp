#include "ui/profile_tree_model.h"

#include <QFont>

#include "core/model/scope.h"
#include "ui/profile_library.h"

namespace tp::ui {

struct ProfileTreeModel::Node {
    NodeKind kind = NodeKind::Device;
    QString key;              // grouping key among siblings (device identity, model name, source, curve name)
    QString name;
    QString where;            // devices: where it was measured (shown when another group shares the name)
    int libraryIndex = -1;
    Node* parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;

    int row() const {
        if (!parent) return 0;
        for (std::size_t i = 0; i < parent->children.size(); ++i)
            if (parent->children[i].get() == this) return int(i);
        return 0;
    }
    Node* child(const QString& k) const {
        for (const auto& c : children)
            if (c->key == k) return c.get();
        return nullptr;
    }
};

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

ProfileTreeModel::ProfileTreeModel(const ProfileLibrary* library, QObject* parent)
    : QAbstractItemModel(parent), library_(library), root_(std::make_unique<Node>()) {
    for (int i = 0; i < library_->size(); ++i) addProfile(i);
    connect(library_, &ProfileLibrary::profileAdded, this, &ProfileTreeModel::addProfile);
}

ProfileTreeModel::~ProfileTreeModel() = default;

void ProfileTreeModel::addProfile(int libraryIndex) {
    const LoadedProfile& lp = library_->at(libraryIndex);
    const Profile& p = *lp.profile;

    // Build the missing part of the path detached, then insert its topmost node as one row.
    Node* device = root_->child(qs(p.device.identity()));
    Node* model = device ? device->child(qs(p.model.name)) : nullptr;
    std::unique_ptr<Node> newDevice, newModel;
    if (!device) {
        newDevice = std::make_unique<Node>();
        newDevice->kind = NodeKind::Device;
        newDevice->key = qs(p.device.identity());
        newDevice->name = qs(p.device.name);
        const QString host = qs(p.device.host);
        newDevice->where = host.isEmpty() || host == "local" ? QStringLiteral("local agent") : host;
        device = newDevice.get();
    }
    if (!model) {
        newModel = std::make_unique<Node>();
        newModel->kind = NodeKind::Model;
        newModel->key = qs(p.model.name);
        newModel->name = qs(p.model.name);
        model = newModel.get();
    }
    auto profile = std::make_unique<Node>();
    profile->kind = NodeKind::Profile;
    profile->key = lp.source;
    profile->name = lp.displayName();
    profile->libraryIndex = libraryIndex;
    for (const Curve& c : p.curves) {
        auto curve = std::make_unique<Node>();
        curve->kind = NodeKind::Curve;
        curve->key = qs(c.name);
        curve->name = qs(c.name) + (c.partial ? " (partial)" : "");
        curve->libraryIndex = libraryIndex;
        curve->parent = profile.get();
        profile->children.push_back(std::move(curve));
    }

    auto attach = [](Node* parent, std::unique_ptr<Node> child) {
        child->parent = parent;
        parent->children.push_back(std::move(child));
    };
    if (newDevice) {
        attach(newModel.get(), std::move(profile));
        attach(newDevice.get(), std::move(newModel));
        const int row = int(root_->children.size());
        beginInsertRows({}, row, row);
        attach(root_.get(), std::move(newDevice));
        endInsertRows();
        // Another group of the same device name now needs its "where" too.
        Q_EMIT dataChanged(index(0, NameColumn), index(row, NameColumn), {Qt::DisplayRole});
    } else if (newModel) {
        attach(newModel.get(), std::move(profile));
        const int row = int(device->children.size());
        beginInsertRows(indexOf(device), row, row);
        attach(device, std::move(newModel));
        endInsertRows();
    } else {
        const int row = int(model->children.size());
        beginInsertRows(indexOf(model), row, row);
        attach(model, std::move(profile));
        endInsertRows();
    }
}

ProfileTreeModel::Node* ProfileTreeModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : root_.get();
}

QModelIndex ProfileTreeModel::indexOf(const Node* node, int column) const {
    if (!node || node == root_.get()) return {};
    return createIndex(node->row(), column, const_cast<Node*>(node));
}

QModelIndex ProfileTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent)) return {};
    Node* p = nodeOf(parent);
    return createIndex(row, column, p->children[std::size_t(row)].get());
}

QModelIndex ProfileTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) return {};
    return indexOf(nodeOf(child)->parent);
}

int ProfileTreeModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) return 0;
    return int(nodeOf(parent)->children.size());
}

int ProfileTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

Qt::ItemFlags ProfileTreeModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QVariant ProfileTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case NameColumn: return tr("Device / model / profile / curve");
        case BatchColumn: return tr("Batch");
        case DtypeColumn: return tr("Dtype");
        case ModeColumn: return tr("Mode");
        case PointsColumn: return tr("Points");
    }
    return {};
}

QVariant ProfileTreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const Node* n = nodeOf(index);
    const Profile* p = n->libraryIndex >= 0 ? library_->at(n->libraryIndex).profile.get() : nullptr;
    const Curve* c = p && n->kind == NodeKind::Curve ? p->find_curve(n->key.toStdString()) : nullptr;

    switch (role) {
        case NodeKindRole: return int(n->kind);
        case ProfileIndexRole: return n->libraryIndex;
        case CurveNameRole: return c ? QVariant(n->key) : QVariant();
        case BatchRole: return p ? QVariant(p->model.batch) : QVariant();
        case DtypeRole: return p ? QVariant(qs(p->model.dtype)) : QVariant();
        case ModeRole: return p ? QVariant(qs(p->settings.mode)) : QVariant();
        case ScopeKindRole: return c ? QVariant(qs(to_string(c->scope.kind))) : QVariant();
        case SearchTextRole: {
            QStringList parts;
            for (const Node* a = n; a && a != root_.get(); a = a->parent) parts << a->name;
            return parts.join(' ');
        }
        case Qt::ToolTipRole:
            if (n->kind == NodeKind::Profile && p) {
                const LoadedProfile& lp = library_->at(n->libraryIndex);
                QString tip = tr("%1 (%2)\nmeasured %3 with %4\n%5 curves%6")
                                  .arg(lp.source, originName(lp.origin), qs(p->settings.date), qs(p->settings.tool_version))
                                  .arg(p->curves.size())
                                  .arg(p->partial() ? tr(", partial sweep") : QString());
                // Issue 22: what makes these latencies less comparable (clocks unlocked, changed, throttled).
                for (const ClockFlag& f : p->clock_flags) tip += "\n⚠ " + qs(f.kind) + ": " + qs(f.message);
                return tip;
            }
            return {};
        case Qt::FontRole:
            if (n->kind == NodeKind::Device) {
                QFont f;
                f.setBold(true);
                return f;
            }
            return {};
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (index.column()) {
        case NameColumn:
            if (n->kind == NodeKind::Profile && p)
                return n->name + "  [" + originName(library_->at(n->libraryIndex).origin) + "]";
            if (n->kind == NodeKind::Device) {
                // Groups of one device name are told apart at a glance by where each was measured.
                for (const auto& other : root_->children)
                    if (other.get() != n && other->name == n->name) return n->name + " @ " + n->where;
            }
            return n->name;
        case BatchColumn: return n->kind == NodeKind::Profile && p ? QVariant(p->model.batch) : QVariant();
        case DtypeColumn: return n->kind == NodeKind::Profile && p ? QVariant(qs(p->model.dtype)) : QVariant();
        case ModeColumn: return n->kind == NodeKind::Profile && p ? QVariant(qs(p->settings.mode)) : QVariant();
        case PointsColumn:
            if (c) return int(c->points.size());
            if (n->kind == NodeKind::Profile && p) return tr("%n curve(s)", nullptr, int(p->curves.size()));
            return {};
    }
    return {};
}

QModelIndex ProfileTreeModel::profileIndex(int libraryIndex) const {
    for (const auto& d : root_->children)
        for (const auto& m : d->children)
            for (const auto& p : m->children)
                if (p->libraryIndex == libraryIndex) return indexOf(p.get());
    return {};
}

QModelIndex ProfileTreeModel::curveIndex(int libraryIndex, const QString& curveName) const {
    const QModelIndex pi = profileIndex(libraryIndex);
    if (!pi.isValid()) return {};
    const Node* p = nodeOf(pi);
    const Node* c = p->child(curveName);
    return c ? indexOf(c) : QModelIndex();
}

}  // namespace tp::ui
