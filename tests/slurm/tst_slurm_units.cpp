// The Slurm transport's pieces that need no cluster: device entries of transport slurm (reader,
// writer, refusals), srun's argv, the login node's remote command (quoted, checked by a real
// /bin/sh), squeue's answer, and the fan-out scheduler with in-process agents (lost agents, nothing
// counted twice, cancel, plan-order merge).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/accuracy/calibration_fanout.h"
#include "core/agent/session_store.h"
#include "core/remote/device_list.h"
#include "core/remote/shell_quote.h"
#include "core/remote/slurm_command.h"
#include "core/util/format_error.h"

using nlohmann::json;
using namespace tp;
using namespace tp::remote;

namespace {

json listWith(const json& entry) {
    return {{"format", "tailprune-devices"}, {"format_version", 1}, {"devices", json::array({entry})}};
}

json slurmEntry() {
    return {{"name", "cluster"},     {"transport", "slurm"},       {"agent", "/shared/tailprune/bin/tailprune"},
            {"partition", "gpu"},    {"account", "lab"},           {"time_limit", "2:00:00"},
            {"gres", "gpu:a100:1"},  {"gpus", "1"},                {"cpus_per_task", 4},
            {"srun_flags", json::array({"--exclusive", "--mem=32G"})}, {"env", {{"SLURM_CONF", "/etc/slurm/x.conf"}}},
            {"sessions_dir", "/shared/tailprune/sessions"}};
}

PlannedEvaluation planned(int i) { return {"pomt", {50, 40 - i}, "single"}; }

// An agent in this process: evaluates instantly (top-1 from the plan), or dies on a given call.
class InProcessAgent : public FanoutAgent {
public:
    InProcessAgent(std::atomic<int>& calls, int die_on_call, std::atomic<bool>* cancel_on_call = nullptr)
        : calls_(calls), die_on_call_(die_on_call), cancel_(cancel_on_call) {}
    std::optional<AccuracyEvaluation> evaluate(const PlannedEvaluation& p) override {
        ++calls_;
        const int n = ++mine_;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (n == die_on_call_) throw FanoutAgentLost("killed on its call " + std::to_string(n));
        if (cancel_ && n >= 3) {
            cancel_->store(true);
            return std::nullopt;
        }
        return AccuracyEvaluation{p.method, p.tokens_after_block, p.tokens_after_block[1] / 100.0, 1.0, 100, 0.001, p.kind};
    }
    std::string where() const override { return "here"; }

private:
    std::atomic<int>& calls_;
    int mine_ = 0;
    int die_on_call_;
    std::atomic<bool>* cancel_;
};

}  // namespace

class SlurmUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsAndWritesASlurmEntry() {
        const DeviceList list = device_list_from_json(listWith(slurmEntry()));
        QCOMPARE(list.devices.size(), std::size_t(1));
        const DeviceEntry& d = list.devices[0];
        QVERIFY(d.is_slurm());
        QCOMPARE(d.partition, std::string("gpu"));
        QCOMPARE(d.cpus_per_task, 4);
        QCOMPARE(d.srun_flags.size(), std::size_t(2));
        QCOMPARE(to_json(list), listWith(slurmEntry()));  // written back field for field
    }

    void refusesBadSlurmEntries_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");  // JSON
        QTest::addColumn<QString>("message");
        QTest::newRow("pty") << "srun_flags" << R"(["--pty"])" << "no --pty";
        QTest::newRow("unbuffered") << "srun_flags" << R"(["-u"])" << "no --pty, no -u";
        QTest::newRow("flag without dash") << "srun_flags" << R"(["exclusive"])" << "not an srun option";
        QTest::newRow("newline in flag") << "srun_flags" << R"(["--comment=a\nb"])" << "control character";
        QTest::newRow("partition like an option") << "partition" << R"("-A")" << "must not start with '-'";
        QTest::newRow("control character") << "account" << R"("a\u0007b")" << "control character";
        QTest::newRow("relative agent") << "agent" << R"("bin/tailprune")" << "absolute path";
        QTest::newRow("login not a name") << "login" << R"("user@host")" << "not a device name";
        QTest::newRow("host of its own") << "host" << R"("login.lab")" << "through an ssh device";
        QTest::newRow("relative srun") << "srun" << R"("bin/srun")" << "absolute path or a plain program name";
        QTest::newRow("cpus") << "cpus_per_task" << "-1" << "between 1 and 4096";
        QTest::newRow("relative sessions_dir") << "sessions_dir" << R"("shared/sessions")" << "absolute path (a shared folder)";
        QTest::newRow("sessions_dir with a newline") << "sessions_dir" << R"("/shared/a\nb")" << "control character";
        QTest::newRow("time limit in hours") << "time_limit" << R"("2h")" << "not a Slurm time";
        QTest::newRow("time limit with a space") << "time_limit" << R"("1 -12")" << "not a Slurm time";
        QTest::newRow("gpus not a count") << "gpus" << R"("many")" << "not a GPU count";
    }

    // Slurm's own time forms and GPU counts are taken as they are.
    void acceptsSlurmForms_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        for (const char* t : {"90", "90:30", "2:00:00", "1-12", "1-12:30", "1-12:30:00", "UNLIMITED", "infinite"})
            QTest::newRow(qPrintable(QString("time %1").arg(t))) << "time_limit" << t;
        for (const char* g : {"1", "a100:2", "nvidia_h100_80gb:8"}) QTest::newRow(qPrintable(QString("gpus %1").arg(g))) << "gpus" << g;
    }
    void acceptsSlurmForms() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        json e = slurmEntry();
        e[field.toStdString()] = value.toStdString();
        QCOMPARE(QString::fromStdString(device_list_from_json(listWith(e)).devices[0].time_limit + "|" +
                                        device_list_from_json(listWith(e)).devices[0].gpus),
                 field == "time_limit" ? value + "|1" : "2:00:00|" + value);
    }

    // A login must be an ssh device of the list (device add and the studio's form check it).
    void loginMustBeAnSshDeviceOfTheList_data() {
        QTest::addColumn<QString>("login");
        QTest::addColumn<QString>("message");  // empty: accepted
        QTest::newRow("an ssh device") << "hpc-login" << "";
        QTest::newRow("this machine") << "" << "";
        QTest::newRow("missing") << "gone" << "no device named 'gone' in the list (ssh devices: hpc-login)";
        QTest::newRow("a slurm device") << "other" << "'other' is a slurm device; the login node must be an ssh device";
        QTest::newRow("itself") << "cluster" << "is this device itself";
    }
    void loginMustBeAnSshDeviceOfTheList() {
        QFETCH(QString, login);
        QFETCH(QString, message);
        DeviceEntry ssh;
        ssh.name = "hpc-login";
        ssh.host = "login.lab";
        DeviceEntry other;
        other.name = "other";
        other.transport = "slurm";
        other.agent = "/a";
        const DeviceList list{{ssh, other}};
        QCOMPARE(login_candidates(list), std::vector<std::string>{"hpc-login"});
        DeviceEntry d;
        d.name = "cluster";
        d.transport = "slurm";
        d.agent = "/shared/tailprune";
        d.login = login.toStdString();
        try {
            validate_in_list(d, list);
            QVERIFY2(message.isEmpty(), "accepted");
        } catch (const FormatError& e) {
            QCOMPARE(QString::fromStdString(e.where()), QString("login"));
            QVERIFY2(!message.isEmpty() && QString(e.what()).contains(message), e.what());
        }
    }
    void refusesBadSlurmEntries() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, message);
        json e = slurmEntry();
        e[field.toStdString()] = json::parse(value.toStdString());
        try {
            device_list_from_json(listWith(e));
            QFAIL("accepted");
        } catch (const FormatError& err) {
            QVERIFY2(QString(err.what()).contains(message), err.what());
        }
    }

    void slurmFieldsBelongToSlurmDevices() {
        json e = {{"name", "box"}, {"transport", "ssh"}, {"host", "h"}, {"agent", "/a"}, {"partition", "gpu"}};
        QVERIFY_THROWS_EXCEPTION(FormatError, device_list_from_json(listWith(e)));
    }

    void srunArgvIsOneTaskWithoutPty() {
        DeviceEntry d = device_list_from_json(listWith(slurmEntry())).devices[0];
        const auto argv = srun_argv(d, "tailprune-cluster-1", {"agent"});
        const std::vector<std::string> want{"srun",        "--ntasks=1",        "--nodes=1",
                                            "--job-name=tailprune-cluster-1", "--quiet",
                                            "--partition=gpu", "--account=lab", "--time=2:00:00",
                                            "--gres=gpu:a100:1", "--gpus=1",    "--cpus-per-task=4",
                                            "--exclusive",     "--mem=32G",     "--",
                                            "/shared/tailprune/bin/tailprune", "agent"};
        QCOMPARE(argv, want);
        // Here: srun itself, the device's environment given to the child (never a shell).
        SlurmLaunch here{{}, "tailprune-cluster-1"};
        QCOMPARE(slurm_agent_argv(d, here, {}, {"agent"}), want);
        QCOMPARE(slurm_tool_environment(d, here, {}).at("SLURM_CONF"), std::string("/etc/slurm/x.conf"));
    }

    void loginNodeCommandIsQuotedWordForWord() {
        // Values full of shell syntax reach srun as the very same words through the login shell.
        DeviceEntry d = device_list_from_json(listWith(slurmEntry())).devices[0];
        d.agent = "/shared/we ird 'q' $(touch PWNED) `x`; y/tailprune";
        d.partition = "gpu;touch PWNED2";
        d.env["X"] = "a b $(c) 'd'";
        DeviceEntry login;
        login.name = "login";
        login.host = "login.lab";
        login.user = "me";
        SshOptions ssh;
        ssh.master = false;
        const SlurmLaunch via{login, "tailprune-cluster-2"};
        const auto argv = slurm_agent_argv(d, via, ssh, {"agent"});
        QCOMPARE(argv.front(), std::string("ssh"));
        QCOMPARE(argv[argv.size() - 2], std::string("me@login.lab"));
        QCOMPARE(argv[argv.size() - 3], std::string("--"));
        const std::vector<std::string> words = slurm_words(d, srun_argv(d, via.job_name, {"agent"}));
        QCOMPARE(argv.back(), shell_command_line(words));
        // A real /bin/sh splits the remote command back into exactly those words.
        QProcess sh;
        sh.start("/bin/sh", {"-c", "for w in " + QString::fromStdString(argv.back()) + "; do printf '%s\\0' \"$w\"; done"});
        QVERIFY(sh.waitForFinished(5000));
        const QList<QByteArray> got = sh.readAllStandardOutput().split('\0');
        QCOMPARE(got.size() - 1, int(words.size()));
        for (std::size_t i = 0; i < words.size(); ++i) QCOMPARE(got[int(i)].toStdString(), words[i]);
        QCOMPARE(words.front(), std::string("env"));
    }

    // A batch session's job: the allocation options on sbatch, one step (srun ... session-worker DIR)
    // generated here with every word quoted, output in the session folder ('%' escaped for sbatch).
    void sbatchArgvQueuesOneQuotedStep() {
        DeviceEntry d = device_list_from_json(listWith(slurmEntry())).devices[0];
        d.agent = "/shared/we ird 'q' $(touch PWNED) `x`; y/tailprune";
        const std::string dir = "/shared/sess 100% $(touch PWNED3)/20261207-062040-7f3815";
        const auto argv = sbatch_argv(d, "tailprune-cluster-20261207-062040-7f3815", dir);
        const std::vector<std::string> head{"sbatch", "--parsable", "--ntasks=1", "--nodes=1",
                                            "--job-name=tailprune-cluster-20261207-062040-7f3815",
                                            "--output=/shared/sess 100%% $(touch PWNED3)/20261207-062040-7f3815/slurm-%j.out",
                                            "--partition=gpu", "--account=lab", "--time=2:00:00", "--gres=gpu:a100:1",
                                            "--gpus=1", "--cpus-per-task=4", "--exclusive", "--mem=32G"};
        QCOMPARE(std::vector<std::string>(argv.begin(), argv.end() - 1), head);
        const std::string wrap = argv.back();
        QVERIFY(wrap.rfind("--wrap=exec ", 0) == 0);
        // The job's script line, split by a real /bin/sh, is exactly the step's words.
        const std::vector<std::string> step{"srun", "--ntasks=1", "--nodes=1", "--quiet", "--", d.agent, "session-worker", dir};
        QProcess sh;
        sh.start("/bin/sh", {"-c", "for w in " + QString::fromStdString(wrap.substr(std::string("--wrap=exec ").size())) +
                                       "; do printf '%s\\0' \"$w\"; done"});
        QVERIFY(sh.waitForFinished(5000));
        const QList<QByteArray> got = sh.readAllStandardOutput().split('\0');
        QCOMPARE(got.size() - 1, int(step.size()));
        for (std::size_t i = 0; i < step.size(); ++i) QCOMPARE(got[int(i)].toStdString(), step[i]);
        // srun given by its path: sbatch from the same folder.
        d.srun = "/opt/slurm/bin/srun";
        QCOMPARE(sbatch_argv(d, "j", "/s/1").front(), std::string("/opt/slurm/bin/sbatch"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sbatch_argv(d, "j", "relative/1"));
    }

    // An agent older than batch sessions on the login side: one clear error, nothing submitted.
    // evaluate without a schedule describes the weights on the login side first: the refusal must
    // come before that (the stand-ins know no `describe`).
    void olderAgentRefusesBatch_data() {
        QTest::addColumn<QString>("agent");
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("says");
        const QStringList profile = {"profile", "--model", "deit_tiny", "--tokens", "2", "-o", "p.json"};
        const QStringList evaluate = {"evaluate", "--weights", "/shared/m.safetensors", "--limit", "10"};
        const QString v4 = "batch sessions (--sbatch) need protocol 5";
        QTest::newRow("profile, protocol 3 (no sessions)") << "v3_agent.py" << profile << "need protocol 4";
        QTest::newRow("profile, protocol 4 (no batch)") << "v4_agent.py" << profile << v4;
        QTest::newRow("evaluate, protocol 3 (no sessions)") << "v3_agent.py" << evaluate << "need protocol 4";
        QTest::newRow("evaluate, protocol 4 (no batch)") << "v4_agent.py" << evaluate << v4;
    }
    void olderAgentRefusesBatch() {
        QFETCH(QString, agent);
        QFETCH(QStringList, command);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString list = dir.filePath("devices.json");
        remote::DeviceEntry d;
        d.name = "oldcluster";
        d.transport = "slurm";
        d.agent = (QString(TAILPRUNE_SOURCE_DIR) + "/tests/remote/" + agent).toStdString();
        remote::save_device_list(remote::DeviceList{{d}}, list.toStdString());
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TAILPRUNE_DEVICES", list);
        cli.setProcessEnvironment(env);
        cli.setWorkingDirectory(dir.path());
        cli.start(qEnvironmentVariable("TAILPRUNE_CLI"),
                  command + QStringList{"--on", "oldcluster", "--sbatch"});
        QVERIFY(cli.waitForFinished(60000));
        const QString err = QString::fromUtf8(cli.readAllStandardError());
        QCOMPARE(cli.exitCode(), 3);
        QVERIFY2(err.contains(says), qPrintable(err));
        QVERIFY2(!err.contains("describe"), qPrintable(err));  // refused before anything was asked
        QVERIFY(!QFile::exists(dir.filePath("p.json")));
    }

    void sbatchJobId_data() {
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("id");
        QTest::newRow("parsable") << "12\n" << "12";
        QTest::newRow("with a cluster") << "4711;gpu-cluster\n" << "4711";
        QTest::newRow("a warning line first") << "sbatch: warning: something\n13\n" << "13";
        QTest::newRow("not parsable") << "Submitted batch job 12\n" << "";
        QTest::newRow("nothing") << "" << "";
    }
    void sbatchJobId() {
        QFETCH(QString, output);
        QFETCH(QString, id);
        QCOMPARE(QString::fromStdString(parse_sbatch_job_id(output.toStdString())), id);
    }

    // A batch session whose worker never ran is "queued" (its job waits); one whose worker ran and
    // is gone is "died"; the job's id noted beside state.json is read with it.
    void batchSessionStatus() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string d = dir.path().toStdString();
        agent::SessionState s;
        s.id = "x";
        s.cmd = "profile";
        s.slurm_job_name = "tailprune-cluster-x";
        agent::write_session_state(d, s);
        QCOMPARE(agent::effective_status(d, agent::read_session_state(d)), std::string("queued"));
        QFile note(dir.filePath("slurm_job"));
        QVERIFY(note.open(QIODevice::WriteOnly));
        note.write("42\n");
        note.close();
        QCOMPARE(agent::read_session_state(d).slurm_job, std::string("42"));
        s.pid = 1234;
        s.status = "running";
        s.slurm_job = "43";  // the worker's own SLURM_JOB_ID wins
        agent::write_session_state(d, s);
        QCOMPARE(agent::effective_status(d, agent::read_session_state(d)), std::string("died"));
        QCOMPARE(agent::read_session_state(d).slurm_job, std::string("43"));
        s.slurm_job_name.clear();
        s.pid = 0;
        s.status = "starting";
        agent::write_session_state(d, s);
        QCOMPARE(agent::effective_status(d, agent::read_session_state(d)), std::string("died"));  // not a batch session
    }

    void jobNamesAreUnique() {
        DeviceEntry d = device_list_from_json(listWith(slurmEntry())).devices[0];
        std::set<std::string> names;
        for (int i = 0; i < 100; ++i) names.insert(new_slurm_job_name(d));
        QCOMPARE(names.size(), std::size_t(100));
        QVERIFY(names.begin()->rfind("tailprune-cluster-", 0) == 0);
    }

    void jobDescription() {
        SlurmJob j{"12", "PENDING", "Resources", "", "gpu"};
        QCOMPARE(QString::fromStdString(j.describe()), QString("job 12 PENDING (Resources) in partition gpu"));
        SlurmJob r{"12", "RUNNING", "None", "node7", "gpu"};
        QCOMPARE(QString::fromStdString(r.describe()), QString("job 12 RUNNING on node7 in partition gpu"));
    }

    void fanoutRunsEveryEvaluationOnce_data() {
        QTest::addColumn<int>("agents");
        QTest::addColumn<int>("dieOnCall");  // 0: none dies
        QTest::newRow("one agent") << 1 << 0;
        QTest::newRow("three agents") << 3 << 0;
        QTest::newRow("an agent dies mid-run") << 2 << 4;
        QTest::newRow("the only agent dies and restarts") << 1 << 2;
    }
    void fanoutRunsEveryEvaluationOnce() {
        QFETCH(int, agents);
        QFETCH(int, dieOnCall);
        std::vector<PlannedEvaluation> todo;
        for (int i = 0; i < 20; ++i) todo.push_back(planned(i));
        std::atomic<int> calls{0};
        std::vector<FanoutSlot> slots;
        std::atomic<int> starts{0};
        for (int s = 0; s < agents; ++s)
            slots.push_back({"a" + std::to_string(s), [&, s](int attempt) -> std::unique_ptr<FanoutAgent> {
                                 ++starts;
                                 return std::make_unique<InProcessAgent>(calls, s == 0 && attempt == 0 ? dieOnCall : 0);
                             }});
        std::vector<std::size_t> arrivals;
        std::vector<std::string> notices;
        const FanoutSummary summary = run_calibration_fanout(
            todo, slots, {}, [&](const FanoutArrival& a) { arrivals.push_back(a.index); },
            [&](const FanoutNotice& n) { notices.push_back(n.slot + ": " + n.text); });
        QCOMPARE(summary.done, todo.size());
        QCOMPARE(summary.remaining, std::size_t(0));
        std::set<std::size_t> unique(arrivals.begin(), arrivals.end());
        QCOMPARE(unique.size(), todo.size());  // every one, none twice
        QCOMPARE(arrivals.size(), todo.size());
        QCOMPARE(summary.handed_out_again, std::size_t(dieOnCall ? 1 : 0));
        QCOMPARE(calls.load(), int(todo.size()) + (dieOnCall ? 1 : 0));  // only the lost one ran twice
        if (dieOnCall) {
            bool told = false;
            for (const auto& n : notices) told |= n.find("goes back to the queue") != std::string::npos;
            QVERIFY(told);
            QCOMPARE(starts.load(), agents + 1);  // the lost agent was started again
        }
    }

    void fanoutOrder_data() {
        // A plan as token lists (the unpruned baseline: 50 50) and the expected hand-out order.
        QTest::addColumn<int>("agents");
        QTest::addColumn<QString>("plan");
        QTest::addColumn<QString>("order");
        QTest::newRow("one agent keeps plan order") << 1 << "50 45|50 50|50 20|30 30|50 45" << "0 1 2 3 4";
        QTest::newRow("two agents: baseline, then longest first, ties in plan order")
            << 2 << "50 45|50 50|50 20|30 30|50 45" << "1 0 4 2 3";
        QTest::newRow("already longest first") << 3 << "50 50|50 40|50 20" << "0 1 2";
    }
    void fanoutOrder() {
        QFETCH(int, agents);
        QFETCH(QString, plan);
        QFETCH(QString, order);
        std::vector<PlannedEvaluation> todo;
        for (const QString& item : plan.split('|')) {
            std::vector<int> tokens;
            for (const QString& n : item.split(' ')) tokens.push_back(n.toInt());
            todo.push_back({"pomt", tokens, "single"});
        }
        std::vector<std::size_t> expected;
        for (const QString& i : order.split(' ')) expected.push_back(std::size_t(i.toInt()));
        QCOMPARE(fanout_order(todo, std::size_t(agents)), expected);

        // The queue hands them out in that order: the one agent that starts runs them one by one.
        std::atomic<int> calls{0};
        std::vector<FanoutSlot> slots{{"works", [&](int) -> std::unique_ptr<FanoutAgent> {
                                           return std::make_unique<InProcessAgent>(calls, 0);
                                       }}};
        for (int s = 1; s < agents; ++s)
            slots.push_back({"never starts", [](int) -> std::unique_ptr<FanoutAgent> {
                                 throw FanoutAgentLost("no allocation");
                             }});
        FanoutSettings settings;
        settings.max_restarts = 0;
        std::vector<std::size_t> handed;
        run_calibration_fanout(todo, slots, settings, [&](const FanoutArrival& a) { handed.push_back(a.index); });
        QCOMPARE(handed, expected);
    }

    void fanoutStopsWhenEveryAgentIsGone() {
        std::vector<PlannedEvaluation> todo;
        for (int i = 0; i < 5; ++i) todo.push_back(planned(i));
        std::vector<FanoutSlot> slots{{"dead", [](int) -> std::unique_ptr<FanoutAgent> {
                                           throw FanoutAgentLost("no allocation");
                                       }}};
        FanoutSettings s;
        s.max_restarts = 1;
        const FanoutSummary summary = run_calibration_fanout(todo, slots, s, [](const FanoutArrival&) {});
        QCOMPARE(summary.done, std::size_t(0));
        QCOMPARE(summary.remaining, todo.size());
        QVERIFY(summary.slots[0].retired);
    }

    void fanoutCancelKeepsWhatFinished() {
        std::vector<PlannedEvaluation> todo;
        for (int i = 0; i < 10; ++i) todo.push_back(planned(i));
        std::atomic<int> calls{0};
        std::atomic<bool> cancel{false};
        std::vector<FanoutSlot> slots{{"a", [&](int) -> std::unique_ptr<FanoutAgent> {
                                           return std::make_unique<InProcessAgent>(calls, 0, &cancel);
                                       }}};
        FanoutSettings s;
        s.cancel = &cancel;
        std::size_t arrived = 0;
        const FanoutSummary summary = run_calibration_fanout(todo, slots, s, [&](const FanoutArrival&) { ++arrived; });
        QVERIFY(summary.cancelled);
        QCOMPARE(summary.done, std::size_t(2));
        QCOMPARE(arrived, std::size_t(2));
        QCOMPARE(summary.remaining, std::size_t(8));
    }

    void anExceptionFromTheCallerEndsTheRun() {
        std::vector<PlannedEvaluation> todo;
        for (int i = 0; i < 10; ++i) todo.push_back(planned(i));
        std::atomic<int> calls{0};
        std::vector<FanoutSlot> slots{{"a", [&](int) -> std::unique_ptr<FanoutAgent> {
                                           return std::make_unique<InProcessAgent>(calls, 0);
                                       }}};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 run_calibration_fanout(todo, slots, {}, [](const FanoutArrival&) {
                                     throw std::runtime_error("disk full");
                                 }));
    }

    void mergeKeepsPlanOrder() {
        std::vector<AccuracyEvaluation> kept{{"none", {50, 50}, 0.9, 1, 100, 1, "baseline"}};
        std::vector<std::pair<std::size_t, AccuracyEvaluation>> arrived;
        for (std::size_t i : {3u, 0u, 2u, 1u}) arrived.push_back({i, {"pomt", {50, int(40 - i)}, 0.8, 1, 100, 1, "single"}});
        const auto merged = merge_in_plan_order(kept, arrived);
        QCOMPARE(merged.size(), std::size_t(5));
        QCOMPARE(merged[0].kind, std::string("baseline"));
        for (int i = 0; i < 4; ++i) QCOMPARE(merged[std::size_t(i + 1)].tokens_after_block[1], 40 - i);
    }
};

QTEST_GUILESS_MAIN(SlurmUnits)
#include "tst_slurm_units.moc"
