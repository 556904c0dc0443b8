// The profile tree (devices → models → profiles → curves) and its search/filters, under
// QAbstractItemModelTester while profiles are added one by one.
#include <QAbstractItemModelTester>
#include <QtTest>

#include "synthetic_profile.h"
#include "ui/profile_filter_proxy.h"
#include "ui/profile_library.h"
#include "ui/profile_tree_model.h"

using namespace tp;
using namespace tp::ui;

namespace {
LoadedProfile make(const std::string& device, const std::string& model, int batch, const std::string& dtype,
                   const std::string& mode, std::vector<std::string> scopes, const QString& source) {
    test::StaircaseSpec s;
    s.device = device;
    s.tokens = 50;
    s.scopes = std::move(scopes);
    Profile p = test::staircase_profile(s);
    p.model.name = model;
    p.model.batch = batch;
    p.model.dtype = dtype;
    p.settings.mode = mode;
    p.id = source.toStdString();
    return LoadedProfile{std::make_shared<const Profile>(p), ProfileOrigin::File, source};
}

// Leaves (curve rows) visible through the proxy, as "profile/curve".
QStringList visibleCurves(const QAbstractItemModel& m, const QModelIndex& parent = {}) {
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        const QModelIndex i = m.index(r, 0, parent);
        if (i.data(ProfileTreeModel::NodeKindRole).toInt() == int(ProfileTreeModel::NodeKind::Curve))
            out << i.parent().data(ProfileTreeModel::SearchTextRole).toString().section(' ', 0, 0) + "/" +
                       i.data(ProfileTreeModel::CurveNameRole).toString();
        out << visibleCurves(m, i);
    }
    return out;
}
}  // namespace

class TestProfileTree : public QObject {
    Q_OBJECT
    ProfileLibrary* library_ = nullptr;
    ProfileTreeModel* model_ = nullptr;
    ProfileFilterProxy* proxy_ = nullptr;

private Q_SLOTS:
    void init() {
        library_ = new ProfileLibrary(this);
        model_ = new ProfileTreeModel(library_, this);
        proxy_ = new ProfileFilterProxy(this);
        proxy_->setSourceModel(model_);
        new QAbstractItemModelTester(model_, QAbstractItemModelTester::FailureReportingMode::QtTest, model_);
        new QAbstractItemModelTester(proxy_, QAbstractItemModelTester::FailureReportingMode::QtTest, proxy_);
        // Added one at a time: new device, same device new model, same model new profile, ...
        library_->add(make("H100", "deit_small", 1, "fp32", "graph", {"model", "block:3"}, "a"));
        library_->add(make("H100", "deit_small", 8, "fp16", "graph", {"model"}, "b"));
        library_->add(make("H100", "deit_tiny", 1, "fp32", "eager", {"model", "attn:0", "mlp:0"}, "c"));
        library_->add(make("Orin", "deit_small", 1, "fp32", "graph", {"model", "deployed:3"}, "d"));
    }
    void cleanup() {
        delete proxy_;
        delete model_;
        delete library_;
    }

    void sameDeviceNameElsewhereIsToldApart() {
        // The same device name reached another way (here: imported) is a second group; both say where.
        Profile imported = *make("H100", "deit_small", 1, "fp32", "graph", {"model"}, "e").profile;
        imported.device.host = "imported";
        library_->add(LoadedProfile{std::make_shared<const Profile>(imported), ProfileOrigin::File, "e"});
        QCOMPARE(model_->rowCount(), 3);
        QStringList names;
        for (int r = 0; r < model_->rowCount(); ++r) names << model_->index(r, 0).data().toString();
        QVERIFY2(names.contains("H100 @ local agent") && names.contains("H100 @ imported"), qPrintable(names.join(" | ")));
        QVERIFY(names.contains("Orin"));  // alone with its name: unchanged
    }

    void structure() {
        QCOMPARE(model_->rowCount(), 2);  // two devices
        const QModelIndex h100 = model_->index(0, 0);
        QCOMPARE(h100.data().toString(), QString("H100"));  // the only H100 group: no "where" needed
        QCOMPARE(model_->rowCount(h100), 2);  // deit_small, deit_tiny
        const QModelIndex small = model_->index(0, 0, h100);
        QCOMPARE(small.data().toString(), QString("deit_small"));
        QCOMPARE(model_->rowCount(small), 2);  // profiles a, b
        const QModelIndex b = model_->index(1, 0, small);
        QCOMPARE(b.data(ProfileTreeModel::ProfileIndexRole).toInt(), 1);
        QCOMPARE(model_->index(1, ProfileTreeModel::BatchColumn, small).data().toInt(), 8);
        QCOMPARE(model_->index(1, ProfileTreeModel::DtypeColumn, small).data().toString(), QString("fp16"));
        const QModelIndex curve = model_->curveIndex(2, "mlp:0");
        QVERIFY(curve.isValid());
        QCOMPARE(curve.data(ProfileTreeModel::ScopeKindRole).toString(), QString("mlp"));
        QCOMPARE(model_->index(curve.row(), ProfileTreeModel::PointsColumn, curve.parent()).data().toInt(), 50);
    }

    void sameSourceNotAddedTwice() {
        const int before = library_->size();
        QCOMPARE(library_->add(make("H100", "deit_small", 1, "fp32", "graph", {"model"}, "a")), 0);
        QCOMPARE(library_->size(), before);
    }

    void filters_data() {
        QTest::addColumn<QString>("search");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QStringList>("expected");
        const QStringList all{"a/model", "a/block:3", "b/model", "c/model", "c/attn:0", "c/mlp:0", "d/model", "d/deployed:3"};
        QTest::newRow("no filter") << "" << 0 << "" << "" << "" << all;
        QTest::newRow("search device") << "orin" << 0 << "" << "" << "" << QStringList{"d/model", "d/deployed:3"};
        QTest::newRow("search two words") << "h100 mlp" << 0 << "" << "" << "" << QStringList{"c/mlp:0"};
        QTest::newRow("batch 8") << "" << 8 << "" << "" << "" << QStringList{"b/model"};
        QTest::newRow("dtype fp16") << "" << 0 << "fp16" << "" << "" << QStringList{"b/model"};
        QTest::newRow("mode eager") << "" << 0 << "" << "eager" << "" << QStringList{"c/model", "c/attn:0", "c/mlp:0"};
        QTest::newRow("scope deployed") << "" << 0 << "" << "" << "deployed" << QStringList{"d/deployed:3"};
        QTest::newRow("combined, nothing") << "orin" << 8 << "" << "" << "" << QStringList{};
    }
    void filters() {
        QFETCH(QString, search);
        QFETCH(int, batch);
        QFETCH(QString, dtype);
        QFETCH(QString, mode);
        QFETCH(QString, scope);
        QFETCH(QStringList, expected);
        proxy_->setSearchText(search);
        proxy_->setBatch(batch);
        proxy_->setDtype(dtype);
        proxy_->setMode(mode);
        proxy_->setScopeKind(scope);
        QStringList got = visibleCurves(*proxy_);
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
        // Devices without a visible curve are hidden too.
        if (expected.isEmpty()) QCOMPARE(proxy_->rowCount(), 0);
    }
};

QTEST_MAIN(TestProfileTree)
#include "tst_ui_profile_tree.moc"
