// tailprune session list|attach|cancel|fetch|resume|clean --on NAME: the detached sessions on a
// device (docs/remote-devices.md, "Sessions"). A session is a job (profile, measure, evaluate)
// running on the device with no client attached; `profile --on` and `measure --on` start one.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "app/cli/slurm_batch.h"
#include "core/model/profile_json.h"
#include "core/remote/session_client.h"
#include "core/util/file_io.h"

namespace tp::cli {
namespace {

using nlohmann::json;

std::atomic<bool> g_detach{false};
void on_attach_interrupt(int) {
    g_detach = true;
    std::signal(SIGINT, SIG_DFL);
}

struct SessionArgs {
    std::string id, on, output;
    long long from = 0;
    double older_than_days = 7;
    bool json = false, quiet = false;
};

// One quick request to the agent on the device, sessions required.
json ask(const SessionArgs& a, const std::string& cmd, const json& fields) {
    try {
        auto c = remote::AgentConnection::open(session_connect_options(a.on));
        remote::require_sessions(*c);
        json result = c->call(cmd, fields);
        c->close();
        return result;
    } catch (...) {
        rethrow_as_command_error();
    }
}

// A job's result, written where the user asked: a profile as a profile file, anything else as JSON.
void write_result(const json& result, const SessionArgs& a) {
    if (result.contains("profile") && result["profile"].is_object()) {
        if (a.output.empty()) throw CommandError("give -o FILE for the session's profile");
        Profile p = profile_from_json(result["profile"]);
        p.device.extra["tailprune_device"] = a.on;
        save_profile(p, a.output);
        std::cerr << "profile -> " << a.output << (result.value("partial", false) ? " (partial)" : "") << "\n";
        return;
    }
    if (a.output.empty()) return print_json(result);
    write_text_file_atomically(a.output, result.dump(2) + "\n");
    std::cerr << "result -> " << a.output << "\n";
}

void print_progress(const json& p) {
    if (p.contains("tokens"))
        std::fprintf(stderr, "\r%s %zu/%zu  n=%-4d  eta %.0f s   ", p.value("phase", std::string("sweep")).c_str(),
                     p.value("done", std::size_t{0}), p.value("total", std::size_t{0}), p.value("tokens", 0), p.value("eta_s", 0.0));
    else
        std::fprintf(stderr, "\r%zu/%zu   ", p.value("done", std::size_t{0}), p.value("total", std::size_t{0}));
}

// A batch session's Slurm job as squeue shows it, into the session's "slurm" field: {"job_name",
// "job", "state", "reason", "nodes"} (state "GONE" once Slurm no longer lists it). A queued session
// whose job is gone never started its worker: it is "died" (resume submits it again).
void add_slurm_state(const remote::ConnectOptions& device, json& s) {
    const std::string name = s.value("slurm_job_name", std::string());
    if (name.empty()) return;
    const std::string status = s.value("status", std::string());
    json slurm = {{"job_name", name}, {"job", s.value("slurm_job", std::string())}};
    if (status == "queued" || status == "running" || status == "starting") {
        std::string error;
        const auto job = batch_job_state(device, name, &error);
        if (job) {
            slurm["job"] = job->id;
            slurm["state"] = job->state;
            slurm["reason"] = job->reason == "None" ? std::string() : job->reason;
            slurm["nodes"] = job->nodes == "(null)" ? std::string() : job->nodes;
        } else if (error.empty()) {
            slurm["state"] = "GONE";
            if (status == "queued") {
                s["status"] = "died";
                s["message"] = "its Slurm job " + name + " ended before its worker started (see " + name +
                               "'s slurm-*.out in the session folder)";
            }
        } else {
            slurm["error"] = error;
        }
    }
    s["slurm"] = slurm;
}

void list(const SessionArgs& a) {
    json result = ask(a, "session_list", json::object());
    const remote::ConnectOptions device = connect_options(a.on);
    if (device.device.is_slurm())
        for (json& s : result["sessions"]) add_slurm_state(device, s);
    if (a.json) return print_json(result);
    const json& sessions = result["sessions"];
    if (sessions.empty()) {
        std::cout << "no sessions on " << a.on << "\n";
        return;
    }
    std::printf("%-24s %-9s %-10s %8s  %-20s %s\n", "ID", "JOB", "STATUS", "RECORDS", "STARTED", "MODEL");
    for (const json& s : sessions) {
        std::string model = s.value("model", json()).is_string() ? s["model"].get<std::string>() : std::string();
        if (model.size() > 40) model = "..." + model.substr(model.size() - 37);
        std::printf("%-24s %-9s %-10s %8lld  %-20s %s\n", s.value("id", std::string()).c_str(), s.value("cmd", std::string()).c_str(),
                    s.value("status", std::string()).c_str(), s.value("last_seq", 0LL), s.value("started", std::string()).c_str(),
                    model.c_str());
        if (s.contains("slurm")) {
            const json& j = s["slurm"];
            std::string line = "Slurm job " + (j.value("job", std::string()).empty() ? j.value("job_name", std::string()) : j.value("job", std::string()));
            if (j.contains("state")) line += " " + j.value("state", std::string());
            if (!j.value("reason", std::string()).empty()) line += " (" + j.value("reason", std::string()) + ")";
            if (!j.value("nodes", std::string()).empty()) line += " on " + j.value("nodes", std::string());
            if (j.contains("error")) line += " (squeue: " + j.value("error", std::string()) + ")";
            std::printf("%24s %s\n", "", line.c_str());
        }
        if (s.value("status", std::string()) == "died")
            std::printf("%24s the worker is gone: tailprune session resume %s --on %s\n", "", s.value("id", std::string()).c_str(),
                        a.on.c_str());
    }
}

// Before following a batch session whose Slurm job is queued: say so, or refuse when Slurm no
// longer lists the job (its worker will never start: nothing would ever arrive).
void check_batch_session(const SessionArgs& a, const remote::ConnectOptions& device) {
    if (!device.device.is_slurm()) return;
    json sessions = ask(a, "session_list", json::object())["sessions"];
    for (json& s : sessions) {
        if (s.value("id", std::string()) != a.id || s.value("status", std::string()) != "queued") continue;
        add_slurm_state(device, s);
        if (s["status"] == "died")
            throw CommandError("session " + a.id + " on " + a.on + ": " + s.value("message", std::string()) +
                               "; submit it again with: tailprune session resume " + a.id + " --on " + a.on);
        const json& j = s["slurm"];
        if (j.contains("state"))  // a state, not progress: said even with -q
            std::cerr << "session " << a.id << ": Slurm job " << j.value("job", std::string()) << " " << j.value("state", std::string())
                      << (j.value("reason", std::string()).empty() ? std::string() : " (" + j.value("reason", std::string()) + ")")
                      << " — waiting for it to start (Ctrl-C detaches; the job stays queued)" << std::endl;
    }
}

void attach(const SessionArgs& a) {
    check_batch_session(a, connect_options(a.on));
    remote::FollowOptions follow;
    follow.from = a.from;
    g_detach = false;
    std::signal(SIGINT, on_attach_interrupt);
    remote::FollowOutcome outcome;
    try {
        outcome = remote::follow_session(
            session_connect_options(a.on), a.id, follow,
            [&](const json& event) {
                const std::string name = event.value("event", std::string());
                if (name == "progress" && !a.quiet) print_progress(event);
                else if (name == "warning")
                    std::cerr << "\nwarning (" << event.value("code", "") << "): " << event.value("message", "") << "\n";
            },
            &g_detach,
            [](const std::string& what, double wait_s) {
                if (wait_s > 0) std::cerr << "\nwarning: " << what << "; reconnecting in " << wait_s << " s\n";
                else std::cerr << "\n" << what << "\n";
            });
    } catch (...) {
        std::signal(SIGINT, SIG_DFL);
        rethrow_as_command_error();
    }
    std::signal(SIGINT, SIG_DFL);
    if (!a.quiet) std::cerr << "\n";
    if (outcome.detached)
        throw CommandError("detached from session " + a.id + " after record " + std::to_string(outcome.last_seq) +
                               "; it is still running (attach again with --from " + std::to_string(outcome.last_seq) + ")",
                           130);
    write_result(outcome.result, a);
}

void fetch(const SessionArgs& a) {
    json fetched;
    try {
        auto c = remote::AgentConnection::open(session_connect_options(a.on));
        remote::require_sessions(*c);
        fetched = c->call("session_fetch", {{"session", a.id}});
        c->close();
    } catch (...) {
        rethrow_as_command_error();
    }
    if (fetched.contains("error"))
        throw CommandError("session " + a.id + " failed: " + fetched["error"].value("code", std::string()) + ": " +
                           fetched["error"].value("message", std::string()));
    if (!a.quiet && !fetched.value("final", false))
        std::cerr << "session " << a.id << " is " << fetched.value("status", std::string()) << ": what it has so far, up to record "
                  << fetched.value("last_seq", 0LL) << "\n";
    write_result(fetched.at("result"), a);
}

const CommandRegistrar reg(62, [](CLI::App& app) {
    auto a = std::make_shared<SessionArgs>();
    auto* cmd = app.add_subcommand("session", "Detached sessions on a device: list, attach, cancel, fetch, resume, clean");
    cmd->require_subcommand(1);
    auto on = [&](CLI::App* sub) { sub->add_option("--on", a->on, "the device (tailprune device list)")->required(); };
    auto id = [&](CLI::App* sub) { sub->add_option("id", a->id, "the session (tailprune session list)")->required(); };

    auto* l = cmd->add_subcommand("list", "The sessions on the device, newest first");
    on(l);
    l->add_flag("--json", a->json, "as JSON");
    l->callback([a] { list(*a); });

    auto* at = cmd->add_subcommand("attach", "Follow a session to its end (reconnects by itself; Ctrl-C detaches)");
    id(at);
    on(at);
    at->add_option("--from", a->from, "the last record already seen (0: replay everything)")->check(CLI::NonNegativeNumber);
    at->add_option("-o,--output", a->output, "write the result there (a profile session's profile)");
    at->add_flag("-q,--quiet", a->quiet, "no progress on stderr");
    at->callback([a] { attach(*a); });

    auto* c = cmd->add_subcommand("cancel", "Stop a session (a sweep keeps the points it finished)");
    id(c);
    on(c);
    c->callback([a] {
        const json r = ask(*a, "session_cancel", {{"session", a->id}});
        const std::string job_name = r.value("slurm_job_name", std::string());
        if (r.value("status", std::string()) == "cancelled" && !job_name.empty()) {
            // A batch session cancelled while its job was queued: the job leaves the queue too.
            const bool released = cancel_batch_job(connect_options(a->on), job_name);
            std::cout << "session " << a->id << ": cancelled; Slurm job " << job_name
                      << (released ? " cancelled (scancel)" : ": scancel failed, cancel it yourself") << "\n";
            if (!released) throw CommandError("scancel of " + job_name + " failed", 3);
            return;
        }
        std::cout << "session " << a->id << ": " << (r.value("cancelled", false) ? "cancelling" : r.value("status", std::string())) << "\n";
    });

    auto* f = cmd->add_subcommand("fetch", "The result of a session, or what a running or dead one has so far");
    id(f);
    on(f);
    f->add_option("-o,--output", a->output, "write it there (a profile session: a profile file)");
    f->add_flag("-q,--quiet", a->quiet, "say nothing on stderr");
    f->callback([a] { fetch(*a); });

    auto* r = cmd->add_subcommand("resume", "Start a new worker for a session whose worker died: only what is missing runs");
    id(r);
    on(r);
    r->callback([a] {
        const remote::ConnectOptions device = connect_options(a->on);
        const json out = ask(*a, "session_resume", {{"session", a->id}, {"batch", device.device.is_slurm()}});
        if (!out.value("slurm_job_name", std::string()).empty()) {
            // A batch session: a new job on the same folder; its worker measures only what is missing.
            const std::string job = resubmit_batch_session(device, out["slurm_job_name"].get<std::string>(),
                                                           out.value("dir", std::string()));
            ask(*a, "session_slurm_job", {{"session", a->id}, {"slurm_job", job}});
            std::cout << "session " << a->id << " submitted again as Slurm job " << job << " (" << out.value("kept_points", 0LL)
                      << " points kept); follow it with: tailprune session attach " << a->id << " --on " << a->on << "\n";
            return;
        }
        std::cout << "session " << a->id << " resumed (" << out.value("kept_points", 0LL)
                  << " points kept); follow it with: tailprune session attach " << a->id << " --on " << a->on << " --from "
                  << out.value("last_seq", 0LL) << "\n";
    });

    auto* cl = cmd->add_subcommand("clean", "Remove sessions that ended (never a running one)");
    on(cl);
    cl->add_option("--older-than", a->older_than_days, "only those untouched for this many days (0: all that ended)")
        ->check(CLI::NonNegativeNumber);
    cl->add_flag("--json", a->json, "as JSON");
    cl->callback([a] {
        const json out = ask(*a, "session_clean", {{"older_than_days", a->older_than_days}});
        if (a->json) return print_json(out);
        std::cout << out["removed"].size() << " session(s) removed, " << out["kept"].size() << " kept\n";
    });
});

}  // namespace
}  // namespace tp::cli
