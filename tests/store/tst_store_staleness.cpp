// Staleness: a schedule is flagged when a newer profile of its device and model shows moved edges.
#include <QtTest>

#include "core/store/staleness.h"
#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;

namespace {
Edge edge(int last_before, int tokens) {
    Edge e;
    e.last_before = last_before;
    e.tokens = tokens;
    return e;
}
using Edges = std::vector<Edge>;
}  // namespace

Q_DECLARE_METATYPE(Edges)

class TestStoreStaleness : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void comparesEdgeLists_data() {
        QTest::addColumn<Edges>("tuned");
        QTest::addColumn<Edges>("newer");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("same edges") << Edges{edge(64, 65), edge(128, 129)} << Edges{edge(64, 65), edge(128, 129)}
                                    << QStringList{};
        QTest::newRow("same edge, coarser sampling") << Edges{edge(96, 97)} << Edges{edge(92, 100)} << QStringList{};
        QTest::newRow("edge moved") << Edges{edge(96, 97)} << Edges{edge(112, 113)}
                                    << QStringList{"edge at 97 tokens is gone", "new edge at 113 tokens"};
        QTest::newRow("edge vanished") << Edges{edge(60, 64), edge(128, 129)} << Edges{edge(128, 129)}
                                       << QStringList{"edge at 61..64 tokens is gone"};
        QTest::newRow("new edge") << Edges{} << Edges{edge(150, 151)} << QStringList{"new edge at 151 tokens"};
        QTest::newRow("outside the common range") << Edges{edge(10, 11)} << Edges{edge(190, 191)} << QStringList{};
    }
    void comparesEdgeLists() {
        QFETCH(Edges, tuned);
        QFETCH(Edges, newer);
        QFETCH(QStringList, expected);
        QStringList got;
        for (const auto& line : moved_edges(tuned, newer, 20, 180)) got << QString::fromStdString(line);
        QCOMPARE(got, expected);
    }

    void newerProfileFlagsSchedule_data() {
        QTest::addColumn<int>("newerEdge");
        QTest::addColumn<QString>("newerDate");
        QTest::addColumn<bool>("stale");
        QTest::newRow("edge moved on a newer stack") << 141 << "2026-11-10T00:00:00Z" << true;
        QTest::newRow("edges unchanged") << 101 << "2026-11-10T00:00:00Z" << false;
        QTest::newRow("moved but measured earlier") << 141 << "2026-10-01T00:00:00Z" << false;
    }
    void newerProfileFlagsSchedule() {
        QFETCH(int, newerEdge);
        QFETCH(QString, newerDate);
        QFETCH(bool, stale);
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        store_test::ProfileShape old_shape;
        old_shape.edge_tokens = 101;
        old_shape.optionals = false;
        std::int64_t tuned = s.import_profile(store_test::synthetic_profile(old_shape)).run_id;
        SavedRevision r = s.save_schedule(store_test::synthetic_schedule("tuned", 4, 97));
        QCOMPARE(s.schedule_history(r.schedule_id)[0].tuned_run_id.value_or(-1), tuned);
        QVERIFY(s.stale_reasons(r.schedule_id).empty());

        store_test::ProfileShape new_shape = old_shape;
        new_shape.seed = 2;
        new_shape.edge_tokens = newerEdge;
        new_shape.torch = "2.1.0";
        new_shape.date = newerDate.toStdString();
        ImportResult imported = s.import_profile(store_test::synthetic_profile(new_shape));
        QCOMPARE(imported.schedules_flagged_stale, stale ? 1 : 0);
        auto reasons = s.stale_reasons(r.schedule_id);
        QCOMPARE(!reasons.empty(), stale);
        if (stale) {
            QVERIFY2(reasons[0].find("model: ") != std::string::npos, reasons[0].c_str());
            QVERIFY2(reasons[0].find("LibTorch 1.13.1 → 2.1.0") != std::string::npos, reasons[0].c_str());
            QVERIFY(!s.list_schedules()[0].stale_reasons.empty());
            // A new revision tuned on the newer profile is no longer stale.
            s.save_schedule(store_test::synthetic_schedule("tuned", 4, 97));
            QVERIFY(s.stale_reasons(r.schedule_id).empty());
        }
    }

    void otherDeviceDoesNotFlag() {
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        store_test::ProfileShape shape;
        shape.optionals = false;
        s.import_profile(store_test::synthetic_profile(shape));
        SavedRevision r = s.save_schedule(store_test::synthetic_schedule("tuned", 4, 97));
        shape.edge_tokens = 141;
        shape.date = "2026-12-01T00:00:00Z";
        Profile elsewhere = store_test::synthetic_profile(shape);
        elsewhere.device.name = "another-cpu";
        QCOMPARE(s.import_profile(elsewhere).schedules_flagged_stale, 0);
        QVERIFY(s.stale_reasons(r.schedule_id).empty());
    }
};

QTEST_GUILESS_MAIN(TestStoreStaleness)
#include "tst_store_staleness.moc"
