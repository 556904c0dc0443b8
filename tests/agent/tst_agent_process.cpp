// The real agent binary through pipes: hello, a tiny CPU profile, cancel, garbage, closed stdin.
#include <QtTest>

#include "agent_process.h"
#include "core/agent/event_chunks.h"
#include "core/model/profile_json.h"

using nlohmann::json;

class TestAgentProcess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!qgetenv("TAILPRUNE_CLI").isEmpty(), "TAILPRUNE_CLI is not set"); }

    void helloDescribesTheAgent() {
        AgentProcess a;
        QVERIFY(a.start());
        a.send(json{{"v", 1}, {"id", 1}, {"cmd", "hello"}, {"unknown_field", 5}});
        auto events = a.until_final(1);
        QVERIFY(!events.empty());
        const json& done = events.back();
        QCOMPARE(QString::fromStdString(done["event"]), QString("done"));
        const json& r = done["result"];
        QCOMPARE(r["protocol"].get<int>(), 5);
        QCOMPARE(r["protocol_min"].get<int>(), 1);
        QVERIFY(r["torch"].is_string());
        QVERIFY(r["devices"].size() >= 1);
        QCOMPARE(QString::fromStdString(r["devices"][0]["device"]), QString("cpu"));
        bool has_tiny = false;
        for (const auto& m : r["models"]) has_tiny = has_tiny || m["name"] == "deit_tiny_patch16_224";
        QVERIFY(has_tiny);
        a.close_input();
        QVERIFY(a.finished(10000));
        QCOMPARE(a.exit_code(), 0);
        QVERIFY(a.bad_lines().empty());
    }

    void badInputGetsOneErrorEach_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("id");
        QTest::newRow("garbage") << "hello there" << "parse" << "null";
        QTest::newRow("binary") << QString::fromLatin1("\x7f\x01\xfe\x02") << "parse" << "null";
        QTest::newRow("unknown command") << "{\"id\":\"u\",\"cmd\":\"fly\"}" << "unknown_command" << "\"u\"";
        QTest::newRow("no id") << "{\"cmd\":\"hello\"}" << "bad_request" << "null";
        QTest::newRow("bad tokens") << "{\"id\":7,\"cmd\":\"profile\",\"model\":\"deit_tiny\",\"tokens\":\"0..5\"}"
                                    << "bad_request" << "7";
        QTest::newRow("unknown preset") << "{\"id\":8,\"cmd\":\"profile\",\"model\":\"resnet50\"}" << "bad_request" << "8";
        QTest::newRow("evaluate a preset")
            << "{\"id\":10,\"cmd\":\"evaluate\",\"model\":\"deit_tiny\",\"schedule_path\":\"/nonexistent.json\"}"
            << "bad_request" << "10";
        // Paths a request names stay inside the agent's folders (core/agent/path_policy.h).
        QTest::newRow("weights outside the agent's folders")
            << "{\"id\":11,\"cmd\":\"describe\",\"weights\":\"/etc/passwd\"}" << "bad_request" << "11";
        QTest::newRow("output outside the agent's folders")
            << "{\"id\":12,\"cmd\":\"profile\",\"model\":\"deit_tiny\",\"tokens\":\"1\",\"output\":\"/etc/tp.json\"}"
            << "bad_request" << "12";
        QTest::newRow("data folder escaping with ..")
            << "{\"id\":13,\"cmd\":\"evaluate\",\"weights\":\"/tmp/x.safetensors\",\"data_dir\":\"/tmp/../etc\"}"
            << "bad_request" << "13";
    }
    void badInputGetsOneErrorEach() {
        QFETCH(QString, line);
        QFETCH(QString, code);
        QFETCH(QString, id);
        AgentProcess a;
        QVERIFY(a.start());
        a.send(line.toStdString());
        a.send(json{{"id", "after"}, {"cmd", "hello"}});  // the agent still answers, even while a job fails
        json error, after;
        QElapsedTimer t;
        t.start();
        while ((error.is_null() || after.is_null()) && t.elapsed() < 30000) {
            json e = a.next(30000);
            QVERIFY2(!e.is_null(), "no answer (hang?)");
            if (e["id"] == "after") after = e;
            else error = e;
        }
        QVERIFY(!error.is_null());
        QCOMPARE(QString::fromStdString(error["event"]), QString("error"));
        QCOMPARE(QString::fromStdString(error["code"]), code);
        QVERIFY(!error["message"].get<std::string>().empty());
        QCOMPARE(QString::fromStdString(error["id"].dump()), id);
        QVERIFY(!after.is_null());
        QCOMPARE(QString::fromStdString(after["event"]), QString("done"));
        a.close_input();
        QVERIFY(a.finished(10000));
        QCOMPARE(a.exit_code(), 0);
        QVERIFY(a.bad_lines().empty());
    }

    void cudaIsUnavailableWithoutAGpu() {
        AgentProcess a;
        QVERIFY(a.start());
        a.send(json{{"id", 1}, {"cmd", "hello"}});
        auto hello = a.until_final(1);
        QVERIFY(!hello.empty());
        if (hello.back()["result"]["capabilities"]["cuda"].get<bool>())
            QSKIP("a CUDA device is present: the unavailable path cannot be exercised here");
        a.send(json{{"id", 2}, {"cmd", "profile"}, {"model", "deit_tiny"}, {"device", "cuda:0"}, {"tokens", "5"}});
        auto events = a.until_final(2);
        QVERIFY(!events.empty());
        QCOMPARE(QString::fromStdString(events.back()["code"]), QString("unavailable"));
        a.close_input();
        QVERIFY(a.finished(10000));
    }

    void longEventsComeInChunksUnderTheClientsLimit() {
        // Protocol 3: a client that reads lines of at most 4 KiB gets the sweep's profile in pieces.
        AgentProcess a;
        QVERIFY(a.start());
        json request = tiny_profile("c", "1..30");
        request["max_line_bytes"] = 4096;
        a.send(request);
        auto events = a.until_final("c", 60000);
        QVERIFY(!events.empty());
        tp::agent::ChunkAssembler assembler;
        std::optional<std::string> done_line;
        int chunks = 0;
        for (const auto& e : events) {
            QVERIFY2(e.dump().size() + 1 <= 4096, "a line past the client's limit");
            if (e["event"] == "chunk") {
                ++chunks;
                QCOMPARE(QString::fromStdString(e["of"]), QString("done"));
                done_line = assembler.feed(e);
            }
        }
        QVERIFY2(chunks >= 2, "the done event fits in one line: the test no longer tests chunking");
        QVERIFY(done_line.has_value());
        const json done = json::parse(*done_line);
        QCOMPARE(QString::fromStdString(done["event"]), QString("done"));
        QCOMPARE(tp::profile_from_json(done["result"]["profile"]).curves[0].token_counts().size(), std::size_t(30));
    }

    void tooSmallALineLimitIsRefused() {
        AgentProcess a;
        QVERIFY(a.start());
        json request = tiny_profile("s", "2");
        request["max_line_bytes"] = 100;
        a.send(request);
        auto events = a.until_final("s", 30000);
        QVERIFY(!events.empty());
        QCOMPARE(QString::fromStdString(events.back()["code"]), QString("bad_request"));
    }

    void tinyProfileStreamsPointsThenDone() {
        AgentProcess a;
        QVERIFY(a.start());
        a.send(tiny_profile("p", "2,5,9"));
        auto events = a.until_final("p", 60000);
        QVERIFY(!events.empty());
        const json& done = events.back();
        QVERIFY2(done["event"] == "done", done.dump().c_str());
        int points = 0, progress = 0;
        for (const auto& e : events) {
            if (e["event"] == "point") {
                ++points;
                QCOMPARE(QString::fromStdString(e["curve"]), QString("model"));
                QVERIFY(e["point"]["median_ms"].get<double>() > 0);
                QVERIFY(!e["point"]["stop_reason"].get<std::string>().empty());
            }
            if (e["event"] == "progress") ++progress;
        }
        QCOMPARE(points, 3);
        QCOMPARE(progress, 6);  // 3 points x 2 rounds
        QCOMPARE(done["result"]["partial"].get<bool>(), false);
        tp::Profile p = tp::profile_from_json(done["result"]["profile"]);
        tp::validate(p);
        QCOMPARE(p.curves.size(), std::size_t(1));
        QCOMPARE(p.curves[0].token_counts(), (std::vector<int>{2, 5, 9}));
        QCOMPARE(p.settings.rounds, 2);
        QCOMPARE(p.settings.torch_threads, 1);
        QVERIFY(p.settings.environment.count("OPENBLAS_CORETYPE"));
        QVERIFY(p.settings.environment.count("malloc"));
        for (const auto& pt : p.curves[0].points) QVERIFY(pt.samples >= 6);  // 3 per round, 2 rounds
        a.close_input();
        QVERIFY(a.finished(10000));
    }

    void cancelKeepsFinishedPoints() {
        AgentProcess a;
        QVERIFY(a.start());
        // 0.15 s per visit minimum, 40 points x 2 rounds: ~12 s if not cancelled.
        a.send(tiny_profile("long", "1..40", 0.15));
        json e;
        do {
            e = a.next(60000);
            QVERIFY2(!e.is_null(), "no point before the timeout");
        } while (e["event"] != "point");
        QElapsedTimer t;
        t.start();
        a.send(json{{"id", "c"}, {"cmd", "cancel"}, {"target", "long"}});
        auto cancel = a.until_final("c");
        QVERIFY(!cancel.empty());
        QVERIFY2(cancel.back()["result"]["cancelled"] == json::array({"long"}), cancel.back().dump().c_str());
        std::vector<json> rest = a.others();
        auto tail = a.until_final("long");
        rest.insert(rest.end(), tail.begin(), tail.end());
        QVERIFY(!rest.empty());
        const json& done = rest.back();
        QVERIFY2(done["event"] == "done", done.dump().c_str());
        QVERIFY2(t.elapsed() < 3000, qPrintable(QString("cancel took %1 ms").arg(t.elapsed())));
        QCOMPARE(done["result"]["cancelled"].get<bool>(), true);
        QCOMPARE(done["result"]["partial"].get<bool>(), true);
        tp::Profile p = tp::profile_from_json(done["result"]["profile"]);
        tp::validate(p);
        QVERIFY(p.partial());
        QVERIFY(!p.curves[0].points.empty());
        QVERIFY(p.curves[0].points.size() < 40);
        a.close_input();
        QVERIFY(a.finished(10000));
        QCOMPARE(a.exit_code(), 0);
    }

    void closedInputEndsARunningJobCleanly() {
        AgentProcess a;
        QVERIFY(a.start());
        a.send(tiny_profile("run", "1..40", 0.15));
        a.send(json{{"id", "queued"}, {"cmd", "profile"}, {"model", "deit_tiny"}, {"tokens", "3"}});
        json e;
        do {
            e = a.next(60000);
            QVERIFY(!e.is_null());
        } while (e["event"] != "progress");
        QElapsedTimer t;
        t.start();
        a.close_input();
        QVERIFY2(a.finished(5000), "the agent did not exit after stdin closed");
        QCOMPARE(a.exit_status(), QProcess::NormalExit);
        QCOMPARE(a.exit_code(), 0);
        std::vector<json> events;
        for (json x = a.next(1000); !x.is_null(); x = a.next(1000)) events.push_back(x);
        bool run_done = false, queued_cancelled = false;
        for (const auto& x : events) {
            if (x["id"] == "run" && x["event"] == "done") run_done = x["result"]["partial"].get<bool>();
            if (x["id"] == "queued" && x["event"] == "error") queued_cancelled = x["code"] == "cancelled";
        }
        QVERIFY(run_done);
        QVERIFY(queued_cancelled);
        QVERIFY(a.bad_lines().empty());
    }

    void idleAgentExitsWhenInputCloses() {
        AgentProcess a;
        QVERIFY(a.start());
        a.close_input();
        QVERIFY(a.finished(5000));
        QCOMPARE(a.exit_code(), 0);
        QVERIFY(a.next(500).is_null());  // nothing was printed on the protocol stream
    }
};

QTEST_MAIN(TestAgentProcess)
#include "tst_agent_process.moc"
