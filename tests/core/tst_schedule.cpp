// Schedules: the token-count convention, validation with clear messages, JSON round trip.
#include <QtTest>

#include "core/util/format_error.h"
#include "core/model/schedule_json.h"
#include "core/model/schedule_profile_match.h"
#include "tests/model_fixtures.h"

using namespace tp;

namespace {
ModelInfo small_model() {
    ModelInfo m = test::small_vit_model();
    m.name = "fmnist_vit8";
    return m;
}
Schedule schedule_with(std::vector<int> tokens, std::string method = "pomt") {
    Schedule s;
    s.model = small_model();
    s.method = std::move(method);
    s.tokens_after_block = std::move(tokens);
    s.name = "t";
    return s;
}
}  // namespace

class TestSchedule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Opening a schedule picks the loaded profile to edit it on: its model's shape is required,
    // then its own device, then its model's name, then the one already active.
    void opensOnTheRightProfile_data() {
        QTest::addColumn<QString>("scheduleDevice");
        QTest::addColumn<int>("current");  // -1: none active
        QTest::addColumn<int>("expected"); // -1: none fits
        QTest::addColumn<bool>("otherModelShape");
        QTest::newRow("its own device, though another is active") << "gpu-b" << 0 << 2 << false;
        QTest::newRow("unknown device: the active one of its model stays") << "jetson" << 2 << 2 << false;
        QTest::newRow("unknown device, active is another model: first of its model") << "jetson" << 3 << 1 << false;
        QTest::newRow("no device recorded: its model's name beats a same-shape model") << "" << -1 << 1 << false;
        QTest::newRow("no profile of its model's shape") << "gpu-b" << 0 << -1 << true;
    }
    void opensOnTheRightProfile() {
        QFETCH(QString, scheduleDevice);
        QFETCH(int, current);
        QFETCH(int, expected);
        QFETCH(bool, otherModelShape);
        auto profile = [](const std::string& model, int depth, const std::string& device) {
            Profile p;
            p.model = small_model();
            p.model.name = model;
            p.model.depth = depth;
            p.device.name = device;
            p.device.host = "local";
            return p;
        };
        // 0: a same-shape model of another name; 1, 2: the schedule's model on two devices; 3: another shape.
        const std::vector<Profile> loaded{profile("other_vit8", 8, "gpu-a"), profile("fmnist_vit8", 8, "gpu-a"),
                                          profile("fmnist_vit8", 8, "gpu-b"), profile("deep_vit", 12, "gpu-b")};
        std::vector<const Profile*> profiles;
        for (const Profile& p : loaded) profiles.push_back(&p);
        Schedule s = schedule_with({50, 50, 50, 40, 40, 40, 20, 20});
        s.device.name = scheduleDevice.toStdString();
        s.device.host = "";  // recorded without a host: local
        if (otherModelShape) s.model.tokens = 197;
        const auto got = profile_for_schedule(profiles, s, current < 0 ? std::nullopt : std::optional<std::size_t>(current));
        QCOMPARE(got.has_value(), expected >= 0);
        if (got) QCOMPARE(int(*got), expected);
    }

    void pruningPointsFollowTheConvention() {
        Schedule s = schedule_with({50, 50, 50, 40, 40, 40, 20, 20});
        auto points = s.pruning_points();
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[0].block, 3);
        QCOMPARE(points[0].tokens, 40);
        QCOMPARE(points[1].block, 6);
        QCOMPARE(s.tokens_into(0), 50);
        QCOMPARE(s.tokens_into(4), 40);
        QCOMPARE(s.tokens_into(8), 20);
        QCOMPARE(tokens_from_points(8, 50, points), s.tokens_after_block);
    }

    void unprunedHasNoPoints() {
        Schedule s = unpruned_schedule(small_model());
        QVERIFY(s.pruning_points().empty());
        validate(s);
    }

    void invalidScheduleNamesTheBlock_data() {
        QTest::addColumn<QVector<int>>("tokens");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("expected");
        QTest::newRow("increasing") << QVector<int>{50, 40, 45, 40, 40, 40, 40, 40} << "pomt" << "block 2 keeps 45 tokens but only 40";
        QTest::newRow("CLS dropped") << QVector<int>{50, 40, 0, 0, 0, 0, 0, 0} << "pomt" << "block 2 keeps 0 tokens";
        QTest::newRow("more than input") << QVector<int>{60, 50, 50, 50, 50, 50, 50, 50} << "pomt" << "block 0 keeps 60";
        QTest::newRow("too few blocks") << QVector<int>{50, 40} << "pomt" << "has 2 entries but the model has 8";
        QTest::newRow("unknown method") << QVector<int>{50, 50, 50, 50, 50, 50, 50, 50} << "magic" << "unknown method 'magic'";
    }
    void invalidScheduleNamesTheBlock() {
        QFETCH(QVector<int>, tokens);
        QFETCH(QString, method);
        QFETCH(QString, expected);
        try {
            validate(schedule_with(std::vector<int>(tokens.begin(), tokens.end()), method.toStdString()));
            QFAIL("accepted an invalid schedule");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void jsonRoundTrip() {
        Schedule s = schedule_with({50, 50, 50, 40, 40, 40, 20, 20});
        s.parameters["alpha"] = 0.5;
        s.predicted_latency = LatencyPrediction{1.5, 1.4, 1.6};
        s.measurements.push_back({"top1", 0.87, 0.86, 0.88, "cpu:x@local", "fashion-mnist/test", 10000, "2026-11-23", "0.1.0"});
        s.status = "approved";
        s.revision = 3;
        Schedule back = parse_schedule(to_json(s).dump(), "mem");
        QCOMPARE(to_json(back).dump(), to_json(s).dump());
    }

    void badScheduleFile_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        std::string good = to_json(schedule_with({50, 50, 50, 40, 40, 40, 20, 20})).dump(2);
        auto swap = [&](const std::string& a, const std::string& b) {
            std::string t = good;
            auto pos = t.find(a);
            if (pos == std::string::npos) qFatal("fixture text not found: %s", a.c_str());
            return QString::fromStdString(t.replace(pos, a.size(), b));
        };
        QTest::newRow("truncated") << QString::fromStdString(good.substr(0, 40)) << "malformed JSON";
        QTest::newRow("token count not integer") << swap("    40,\n", "    40.5,\n") << "/tokens_after_block/3";
        QTest::newRow("bad status") << swap("\"draft\"", "\"shipped\"") << "/status";
        QTest::newRow("profile given as schedule") << swap("tailprune-schedule", "tailprune-profile") << "not a TailPrune schedule";
        QTest::newRow("increasing names line") << swap("    20,\n    20\n", "    20,\n    30\n") << "mem:";
    }
    void badScheduleFile() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            parse_schedule(text.toStdString(), "mem");
            QFAIL("accepted a bad schedule file");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSchedule)
#include "tst_schedule.moc"
