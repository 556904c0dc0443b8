// The agent client's failure paths with real processes: an agent that cannot start, one that
// exits mid-request, one that writes something other than protocol lines. Every pending request
// ends (never a hang) and the error names the cause.
#include <QtTest>

#include "ui/agent_client.h"

using namespace tp::ui;

class TestAgentClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultProgramFollowsEnvironment() {
        qputenv("TAILPRUNE_CLI", "/opt/x/tailprune");
        QCOMPARE(AgentClient::defaultProgram(), QString("/opt/x/tailprune"));
        qunsetenv("TAILPRUNE_CLI");
        QVERIFY(AgentClient::defaultProgram().endsWith("/tailprune"));
    }

    void failures_data() {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("finishMessage");  // of the pending request
        QTest::addColumn<QString>("agentMessage");   // reported for the agent itself
        QTest::newRow("missing program") << "/nonexistent/tailprune" << QStringList{"agent"}
                                         << "could not start the agent '/nonexistent/tailprune'"
                                         << "set TAILPRUNE_CLI";
        QTest::newRow("exits with a message") << "/bin/sh" << QStringList{"-c", "echo 'no agent here' >&2; exit 3"}
                                              << "exited with code 3: no agent here" << "exited with code 3";
        // Not our agent: what it printed instead of answering the handshake is in the message.
        QTest::newRow("not protocol lines") << "/bin/sh" << QStringList{"-c", "echo hello world; exit 0"}
                                            << "exited with code 0" << "it printed instead: 'hello world'";
        // An agent that answers the handshake, then writes something that is not an event.
        const QString handshakeThenGarbage =
            R"sh(read l; n=$(printf %s "$l" | sed -n 's/.*"nonce":"\([0-9a-f]*\)".*/\1/p'); )sh"
            R"sh(printf '{"v":2,"id":"hello","event":"done","result":{"protocol":2,"nonce":"%s"}}\n' "$n"; )sh"
            R"sh(echo hello world; read x; exit 0)sh";
        QTest::newRow("garbage after the handshake") << "/bin/sh" << QStringList{"-c", handshakeThenGarbage}
                                                     << "exited with code 0" << "not a protocol event";
    }
    void failures() {
        QFETCH(QString, program);
        QFETCH(QStringList, arguments);
        QFETCH(QString, finishMessage);
        QFETCH(QString, agentMessage);
        AgentClient client;
        client.setCommand(program, arguments);
        QSignalSpy finished(&client, &AgentClient::requestFinished);
        QSignalSpy errors(&client, &AgentClient::agentError);
        const int id = client.request("hello");
        QVERIFY(client.isPending(id));
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.front().at(0).toInt(), id);
        QCOMPARE(finished.front().at(1).toBool(), false);
        const QString message = finished.front().at(2).toJsonObject().value("message").toString();
        QVERIFY2(message.contains(finishMessage), qPrintable(message));
        QVERIFY(!client.isPending(id));
        QStringList all;
        for (const auto& e : errors) all << e.at(0).toString();
        QVERIFY2(all.join('\n').contains(agentMessage), qPrintable(all.join('\n')));
    }

    void restartsAfterExit() {
        // A later request starts a fresh agent process.
        AgentClient client;
        client.setCommand("/bin/sh", {"-c", "exit 1"});
        QSignalSpy finished(&client, &AgentClient::requestFinished);
        client.request("hello");
        QVERIFY(finished.wait(10000));
        QTRY_VERIFY(!client.isRunning());
        client.request("hello");
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.size(), 2);
    }
};

QTEST_MAIN(TestAgentClient)
#include "tst_ui_agent_client.moc"
