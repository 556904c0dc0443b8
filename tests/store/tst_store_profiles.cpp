// Profiles: profile -> store -> profile is identical; the same content is stored once.
#include <QtTest>

#include "core/util/format_error.h"
#include "core/model/profile_json.h"
#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;
using store_test::ProfileShape;

Q_DECLARE_METATYPE(tp::store_test::ProfileShape)

class TestStoreProfiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripIsIdentical_data() {
        QTest::addColumn<ProfileShape>("shape");
        ProfileShape full;
        QTest::newRow("all optional fields") << full;
        ProfileShape bare;
        bare.optionals = false;
        QTest::newRow("no optional fields") << bare;
        ProfileShape empty;
        empty.curves = 0;
        QTest::newRow("no curves") << empty;
        ProfileShape big;
        big.curves = 20;
        big.points = 190;
        big.seed = 7;
        QTest::newRow("20 curves x 190 points") << big;
        ProfileShape jetson;
        jetson.board = true;
        QTest::newRow("a Jetson's board state and clock flags") << jetson;
        ProfileShape jetson_bare = jetson;
        jetson_bare.optionals = false;
        QTest::newRow("board state without the other optional fields") << jetson_bare;
    }
    void roundTripIsIdentical() {
        QFETCH(ProfileShape, shape);
        Profile original = store_test::synthetic_profile(shape);
        QTemporaryDir dir;
        std::string path = dir.filePath("s.sqlite").toStdString();
        std::int64_t id = 0;
        {
            Store s = Store::open(path, Mode::Create);
            id = s.import_profile(original).run_id;
        }
        Store s = Store::open(path, Mode::ReadOnly);  // a fresh connection reads what was committed
        Profile loaded = s.load_profile(id);
        QCOMPARE(QString::fromStdString(to_json(loaded).dump()), QString::fromStdString(to_json(original).dump()));
        QCOMPARE(QString::fromStdString(profile_hash(loaded)), QString::fromStdString(profile_hash(original)));
    }

    void sameContentIsStoredOnce_data() {
        QTest::addColumn<bool>("change");
        QTest::addColumn<bool>("expectNew");
        QTest::newRow("identical profile") << false << false;
        QTest::newRow("one median differs") << true << true;
    }
    void sameContentIsStoredOnce() {
        QFETCH(bool, change);
        QFETCH(bool, expectNew);
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        Profile p = store_test::synthetic_profile({});
        ImportResult first = s.import_profile(p);
        QVERIFY(first.added);
        if (change) p.curves[1].points[3].median_ms += 1e-9;
        ImportResult second = s.import_profile(p);
        QCOMPARE(second.added, expectNew);
        QCOMPARE(second.run_id != first.run_id, expectNew);
        QCOMPARE(s.list_runs().size(), std::size_t(expectNew ? 2 : 1));
        QCOMPARE(s.list_devices().size(), std::size_t(1));
        QCOMPARE(s.list_models().size(), std::size_t(1));
        QCOMPARE(s.list_devices()[0].runs, expectNew ? 2 : 1);
    }

    void invalidProfileIsRejectedWhole() {
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        Profile p = store_test::synthetic_profile({});
        p.curves[1].name = p.curves[0].name;  // duplicate curve names
        QVERIFY_THROWS_EXCEPTION(FormatError, s.import_profile(p));
        QVERIFY(s.list_runs().empty());
        QVERIFY(s.list_devices().empty());
    }

    void listingsFilterByDeviceAndModel() {
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        Profile a = store_test::synthetic_profile({});
        Profile b = a;
        b.device.name = "other-cpu";
        s.import_profile(a);
        s.import_profile(b);
        auto devices = s.list_devices();
        QCOMPARE(devices.size(), std::size_t(2));
        RunFilter only_first;
        only_first.device_id = devices[0].id;
        auto runs = s.list_runs(only_first);
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(runs[0].device), QString::fromStdString(devices[0].identity));
        QCOMPARE(runs[0].curves, 3);
    }
};

QTEST_GUILESS_MAIN(TestStoreProfiles)
#include "tst_store_profiles.moc"
