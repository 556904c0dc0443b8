// Protocol parsing, garbage included; events; the line reader over a real pipe.
#include <QtTest>

#include <csignal>

#include <unistd.h>

#include "core/agent/protocol.h"
#include "core/agent/protocol_stream.h"
#include "core/agent/requests.h"
#include "core/util/format_error.h"

using namespace tp::agent;
using nlohmann::json;

class TestAgentProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void requests_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("cmd");      // empty when an error is expected
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("id");       // dump() of the echoed id
        QTest::newRow("hello") << "{\"v\":1,\"id\":1,\"cmd\":\"hello\"}" << "hello" << "" << "1";
        QTest::newRow("string id, no version") << "{\"id\":\"a\",\"cmd\":\"cancel\"}" << "cancel" << "" << "\"a\"";
        QTest::newRow("unknown fields ignored") << "{\"id\":2,\"cmd\":\"profile\",\"colour\":\"blue\"}" << "profile" << "" << "2";
        QTest::newRow("garbage") << "hello there" << "" << "parse" << "null";
        QTest::newRow("binary") << QString::fromLatin1("\x01\x02\xff{") << "" << "parse" << "null";
        QTest::newRow("array") << "[1,2]" << "" << "parse" << "null";
        QTest::newRow("truncated") << "{\"id\":3,\"cmd\":\"hel" << "" << "parse" << "null";
        QTest::newRow("no id") << "{\"cmd\":\"hello\"}" << "" << "bad_request" << "null";
        QTest::newRow("object id") << "{\"id\":{},\"cmd\":\"hello\"}" << "" << "bad_request" << "null";
        QTest::newRow("no cmd") << "{\"id\":4}" << "" << "bad_request" << "4";
        QTest::newRow("cmd not a string") << "{\"id\":4,\"cmd\":7}" << "" << "bad_request" << "4";
        QTest::newRow("unknown command") << "{\"id\":5,\"cmd\":\"fly\"}" << "" << "unknown_command" << "5";
        QTest::newRow("future version") << "{\"v\":6,\"id\":6,\"cmd\":\"hello\"}" << "" << "unsupported_version" << "6";
        QTest::newRow("blank") << "   " << "" << "empty" << "null";
        QTest::newRow("id nested a million deep") << QString("{\"id\":") + QString(1000000, '[') + QString(1000000, ']') +
                                                        ",\"cmd\":\"hello\"}" << "" << "bad_request" << "null";
        QTest::newRow("129 levels in a field") << QString("{\"id\":1,\"cmd\":\"hello\",\"x\":") + QString(129, '[') +
                                                     QString(129, ']') + "}" << "" << "bad_request" << "null";
        QTest::newRow("brackets inside strings do not nest") << QString("{\"id\":7,\"cmd\":\"hello\",\"x\":\"") +
                                                                 QString(500, '[') + "\"}" << "hello" << "" << "7";
    }
    void requests() {
        QFETCH(QString, line);
        QFETCH(QString, cmd);
        QFETCH(QString, code);
        QFETCH(QString, id);
        auto parsed = parse_request(line.toStdString());
        if (!cmd.isEmpty()) {
            QVERIFY(std::holds_alternative<Request>(parsed));
            const Request& r = std::get<Request>(parsed);
            QCOMPARE(QString::fromStdString(r.cmd), cmd);
            QCOMPARE(QString::fromStdString(r.id.dump()), id);
        } else {
            QVERIFY(std::holds_alternative<ProtocolError>(parsed));
            const ProtocolError& e = std::get<ProtocolError>(parsed);
            QCOMPARE(QString::fromStdString(e.code), code);
            QCOMPARE(QString::fromStdString(e.id.dump()), id);
            QVERIFY(!e.message.empty());
            json event = make_error(e);
            QCOMPARE(QString::fromStdString(event["event"]), QString("error"));
        }
    }

    void eventsAreOneLineWithVersionAndId() {
        std::string line = to_line(make_event("p1", "point", {{"curve", "x\ny"}, {"bad", std::string("\xff")}}));
        QCOMPARE(std::count(line.begin(), line.end(), '\n'), 1L);
        QVERIFY(line.back() == '\n');
        json back = json::parse(line);
        QCOMPARE(back["v"].get<int>(), kProtocolVersion);
        QCOMPARE(back["id"].get<std::string>(), std::string("p1"));
        QCOMPARE(back["curve"].get<std::string>(), std::string("x\ny"));
    }

    void profileRequestFields() {
        json body = json::parse("{\"id\":1,\"cmd\":\"profile\",\"model\":\"deit_tiny_patch16_224\",\"scopes\":[\"model\",\"attn:3\"],\n"
            "            \"tokens\":[1,5,9],\"rounds\":2,\"stopping\":{\"min_samples\":4,\"timeout_s\":2},\"future\":true}");
        ProfileRequest r = profile_request_from_json(body);
        QCOMPARE(r.model.preset, std::string("deit_tiny_patch16_224"));
        QCOMPARE(r.scopes.size(), std::size_t(2));
        QCOMPARE(r.scopes[1].kind, tp::ScopeKind::Attention);
        QCOMPARE(r.tokens, std::string("1,5,9"));
        QCOMPARE(r.timing.rounds, 2);
        QCOMPARE(r.timing.stopping.min_samples, 4);
        QCOMPARE(r.timing.stopping.timeout_s, 2.0);
        QCOMPARE(effective_mode(r.timing), std::string("cpu"));
    }

    void badProfileRequests_data() {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("no model") << "{\"scopes\":[\"model\"]}" << "exactly one of";
        QTest::newRow("both models") << "{\"model\":\"a\",\"weights\":\"b\"}" << "exactly one of";
        QTest::newRow("bad scope") << "{\"model\":\"a\",\"scopes\":[\"blok:3\"]}" << "blok";
        QTest::newRow("scope not string") << "{\"model\":\"a\",\"scopes\":[3]}" << "/scopes/0";
        QTest::newRow("rounds zero") << "{\"model\":\"a\",\"rounds\":0}" << "/rounds";
        QTest::newRow("rounds text") << "{\"model\":\"a\",\"rounds\":\"3\"}" << "/rounds";
        QTest::newRow("bad device") << "{\"model\":\"a\",\"device\":\"tpu\"}" << "unknown device 'tpu'";
        QTest::newRow("graph on cpu") << "{\"model\":\"a\",\"mode\":\"graph\"}" << "does not fit the CPU";
        QTest::newRow("cold l2 on cpu") << "{\"model\":\"a\",\"l2\":\"cold\"}" << "needs a CUDA device";
        QTest::newRow("tokens object") << "{\"model\":\"a\",\"tokens\":{}}" << "/tokens";
        QTest::newRow("negative timeout") << "{\"model\":\"a\",\"stopping\":{\"timeout_s\":-1}}" << "timeout_s";
    }
    void badProfileRequests() {
        QFETCH(QString, body);
        QFETCH(QString, message);
        try {
            profile_request_from_json(json::parse(body.toStdString()));
            QFAIL("accepted a bad request");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    // measure: the schedule's dtype and batch are the measurement's unless the request names them.
    void measureTakesDtypeAndBatchFromTheSchedule_data() {
        QTest::addColumn<QString>("extra");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<int>("batch");
        QTest::newRow("from the schedule") << "" << "bf16" << 8;
        QTest::newRow("request overrides") << ",\"dtype\":\"fp32\",\"batch\":2" << "fp32" << 2;
    }
    void measureTakesDtypeAndBatchFromTheSchedule() {
        QFETCH(QString, extra);
        QFETCH(QString, dtype);
        QFETCH(int, batch);
        QFile f(QStringLiteral(TAILPRUNE_TESTDATA_DIR "/schedules/deit_tiny_fp16_cut.schedule.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        json schedule = json::parse(f.readAll().toStdString());
        schedule["model"]["dtype"] = "bf16";
        schedule["model"]["batch"] = 8;
        json body = json::parse(("{\"model\":\"deit_tiny\",\"device\":\"cuda\"" + extra + "}").toStdString());
        body["schedule"] = schedule;
        const MeasureRequest m = measure_request_from_json(body);
        QCOMPARE(QString::fromStdString(m.timing.dtype), dtype);
        QCOMPARE(m.timing.batch, batch);
    }
    void measureOfAnFp16ScheduleOnTheCpuIsRefused() {
        QFile f(QStringLiteral(TAILPRUNE_TESTDATA_DIR "/schedules/deit_tiny_fp16_cut.schedule.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        json body = {{"model", "deit_tiny"}, {"schedule", json::parse(f.readAll().toStdString())}};
        try {
            measure_request_from_json(body);
            QFAIL("an fp16 schedule was accepted for the CPU");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("fp16 on the CPU"), e.what());
        }
    }

    void lineReaderSplitsSkipsAndEnds() {
        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        std::string input = "one\n" + std::string(100, 'x') + "\ntwo\nlast-without-newline";
        QVERIFY(::write(fds[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
        ::close(fds[1]);
        LineReader reader(fds[0], 50, 10);
        std::atomic<bool> stop{false};
        std::string line;
        QCOMPARE(reader.next(line, stop), LineReader::Status::Line);
        QCOMPARE(line, std::string("one"));
        QCOMPARE(reader.next(line, stop), LineReader::Status::TooLong);
        QCOMPARE(reader.next(line, stop), LineReader::Status::Line);
        QCOMPARE(line, std::string("two"));
        QCOMPARE(reader.next(line, stop), LineReader::Status::Line);
        QCOMPARE(line, std::string("last-without-newline"));
        QCOMPARE(reader.next(line, stop), LineReader::Status::Eof);
        ::close(fds[0]);
    }

    void lineReaderStopsWhileWaiting() {
        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        LineReader reader(fds[0], 50, 10);
        std::atomic<bool> stop{true};
        std::string line;
        QElapsedTimer t;
        t.start();
        QCOMPARE(reader.next(line, stop), LineReader::Status::Stopped);
        QVERIFY(t.elapsed() < 1000);
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void writerReportsAClosedReader() {
        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        ::signal(SIGPIPE, SIG_IGN);
        ProtocolWriter writer(fds[1]);
        QVERIFY(writer.write(make_event(1, "done")));
        ::close(fds[0]);
        QVERIFY(!writer.write(make_event(1, "done")));
        QVERIFY(writer.broken());
        ::close(fds[1]);
    }
};

QTEST_APPLESS_MAIN(TestAgentProtocol)
#include "tst_agent_protocol.moc"
