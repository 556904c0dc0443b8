#include "core/runtime/profiler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "core/agent/point_builder.h"
#include "core/agent/statistics.h"
#include "core/agent/stopping_rule.h"
#include "core/agent/sweep_plan.h"
#include "core/agent/token_spec.h"
#include "core/util/format_error.h"
#include "core/jetson/board_clocks.h"
#include "core/model/clock_flags.h"
#include "core/model/profile_json.h"
#include "core/runtime/profiler_bench.h"
#include "core/platform/timing_environment.h"
#include "core/steps/step_detector.h"
#include "core/util/utc_time.h"

namespace tp::runtime {

using nlohmann::json;
using agent::RoundResult;
using agent::StopReason;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string format_load(std::optional<double> load) {
    if (!load) return "unknown";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *load);
    return buf;
}

agent::StoppingConfig stopping_config(const agent::TimingSpec& t) {
    agent::StoppingConfig c;
    c.rule = t.stopping;
    return c;
}

// Fills device, settings and environment from the bench and the request.
void describe(Profile& p, const ForwardBench& bench, const agent::TimingSpec& t, const std::string& who) {
    p.device = bench.device();
    p.model = bench.model();
    MeasurementSettings& s = p.settings;
    s.mode = agent::effective_mode(t);
    s.l2 = t.l2;
    s.warmup = t.warmup;
    s.rounds = t.rounds;
    s.stopping = t.stopping;
    s.torch_threads = bench.torch_threads();
    s.blas_threads = std::max(bench.blas_threads(), 0);
    s.date = iso8601_utc_now();
    s.tool_version = TAILPRUNE_VERSION;
    s.who = who;
    s.environment = platform::timing_environment_variables();
    if (!s.environment.count("OPENBLAS_CORETYPE")) s.environment["OPENBLAS_CORETYPE"] = "(unset)";
    if (bench.blas_threads() < 0) s.environment["blas_threads"] = "unknown (BLAS is not OpenBLAS)";
    if (bench.interop_threads() > 0) s.environment["torch_interop_threads"] = std::to_string(bench.interop_threads());
    if (p.device.kind == "cpu") s.environment["malloc"] = platform::allocator_settings();
    s.environment["load_average_start"] = format_load(platform::load_average());
    s.environment["weights"] = bench.weights_note();
}

// Boards without NVML (Jetsons, issue 22): when the sysfs root has a GPU devfreq node, the power
// mode, the GPU's governor and lock state and the thermal zone the points' temperature comes from
// are recorded at the start, and a sampler reads the clocks once per visit.
std::optional<jetson::ClockSampler> open_board(Profile& p) {
    const std::string root = jetson::sysfs_root();
    auto sampler = jetson::ClockSampler::open(root, p.device.kind);
    if (!sampler) return std::nullopt;
    const jetson::BoardState b = jetson::read_board_state(root);
    auto& env = p.settings.environment;
    env[clock_env::kDevfreq] = sampler->gpu().node;
    if (!sampler->gpu().governor.empty()) env[clock_env::kGovernor] = sampler->gpu().governor;
    env[clock_env::kClocks] = b.clocks_text();
    env[clock_env::kPowerMode] = b.power_mode_text();
    env[clock_env::kTemperatureZone] = sampler->temperature_zone().empty() ? "none readable" : sampler->temperature_zone();
    if (root != "/") env["sysfs_root"] = root;
    p.device.extra["jetson_gpu"] = sampler->gpu().gpu;
    return sampler;
}

void record_board_end(Profile& p) {
    const jetson::BoardState b = jetson::read_board_state(jetson::sysfs_root());
    if (!b.is_jetson()) return;
    p.settings.environment[clock_env::kClocksEnd] = b.clocks_text();
    p.settings.environment[clock_env::kPowerModeEnd] = b.power_mode_text();
}

// Measures one visit of a group at n: warm-up, then forwards until every member's stopper ended.
// Returns nullopt when cancelled mid-visit (its samples are dropped).
std::optional<std::vector<RoundResult>> measure_visit(ForwardBench& bench, std::size_t members,
                                                      const agent::TimingSpec& timing,
                                                      const std::function<bool()>& cancelled,
                                                      const jetson::ClockSampler* board, const std::string& kind) {
    for (int i = 0; i < timing.warmup; ++i) {
        if (cancelled && cancelled()) return std::nullopt;
        bool discard = false;
        bench.sample(discard);
    }
    std::vector<agent::AdaptiveStopper> stoppers(members, agent::AdaptiveStopper(stopping_config(timing)));
    std::vector<RoundResult> results(members);
    std::vector<bool> open(members, true);
    std::size_t still_open = members;
    int discarded = 0;
    const auto start = Clock::now();
    while (still_open > 0) {
        if (cancelled && cancelled()) return std::nullopt;
        bool discard = false;
        std::vector<double> s = bench.sample(discard);
        if (discard) {
            ++discarded;
            if (seconds_since(start) > timing.stopping.timeout_s) {  // the clock never recovered
                for (std::size_t i = 0; i < members; ++i)
                    if (open[i]) results[i].reason = StopReason::Timeout;
                break;
            }
            continue;
        }
        for (std::size_t i = 0; i < members; ++i) {
            if (!open[i]) continue;
            results[i].samples_ms.push_back(s[i] * 1e3);
            if (auto reason = stoppers[i].add(s[i], bench.last_forward_s())) {
                results[i].reason = *reason;
                open[i] = false;
                --still_open;
            }
        }
    }
    SensorReading sensors = bench.sensors();
    for (auto& r : results) {
        r.discarded = discarded;
        r.sm_clock_mhz = sensors.sm_clock_mhz;
        r.temperature_c = sensors.temperature_c;
        r.power_w = sensors.power_w;
        r.cpu_mhz = sensors.cpu_mhz;
    }
    if (board) {
        const jetson::ClockSample c = board->sample();
        for (auto& r : results) {
            r.gpu_mhz = c.gpu_mhz;
            r.gpu_min_mhz = c.gpu_min_mhz;
            r.gpu_max_mhz = c.gpu_max_mhz;
            r.gpu_load = c.gpu_load;
            r.hottest_c = c.hottest_c;
            r.over_trip = c.over_trip;
            if (!r.sm_clock_mhz && kind == "cuda") r.sm_clock_mhz = c.gpu_mhz;  // no NVML on a Jetson
            if (!r.temperature_c) r.temperature_c = c.temperature_c;
        }
    }
    return results;
}

void insert_point(Curve& curve, const CurvePoint& p) {
    auto it = std::lower_bound(curve.points.begin(), curve.points.end(), p.tokens,
                               [](const CurvePoint& a, int n) { return a.tokens < n; });
    if (it != curve.points.end() && it->tokens == p.tokens) *it = p;
    else curve.points.insert(it, p);
}

void check_resume(const Profile& old, const ForwardBench& bench, const agent::TimingSpec& t) {
    const ModelInfo& m = bench.model();
    auto mismatch = [](const std::string& what, const std::string& a, const std::string& b) {
        throw FormatError("resume", "the partial profile has " + what + " '" + a + "', this run '" + b + "'");
    };
    if (old.model.name != m.name) mismatch("model", old.model.name, m.name);
    if (old.model.tokens != m.tokens || old.model.depth != m.depth)
        mismatch("model shape", std::to_string(old.model.depth) + "x" + std::to_string(old.model.tokens),
                 std::to_string(m.depth) + "x" + std::to_string(m.tokens));
    if (old.model.dtype != m.dtype) mismatch("dtype", old.model.dtype, m.dtype);
    if (old.model.batch != m.batch) mismatch("batch", std::to_string(old.model.batch), std::to_string(m.batch));
    if (old.device.kind != bench.device().kind || old.device.name != bench.device().name)
        mismatch("device", old.device.name, bench.device().name);
    if (old.settings.mode != agent::effective_mode(t)) mismatch("mode", old.settings.mode, agent::effective_mode(t));
    if (old.settings.l2 != t.l2) mismatch("L2 mode", old.settings.l2, t.l2);
}

struct Sweep {
    const agent::ProfileRequest& request;
    const ProfileCallbacks& cb;
    ForwardBench& bench;
    Profile& profile;
    std::vector<int> curve_index;              // request scope i -> profile curve
    std::vector<ForwardGroup> groups;
    std::set<std::pair<int, int>> failed;      // (curve, tokens) that cannot run
    const jetson::ClockSampler* board = nullptr;
    Clock::time_point start = Clock::now();
    Clock::time_point last_checkpoint = Clock::now();
    int points_measured = 0;
    bool cancelled = false;

    bool should_stop() const { return cb.cancelled && cb.cancelled(); }

    // Measures every wanted point the profile lacks. `wanted[c]` is per profile curve.
    void run_phase(const std::map<int, std::vector<int>>& wanted, const std::string& phase) {
        std::vector<std::vector<int>> group_tokens;
        std::vector<std::map<int, std::vector<int>>> needed_by_group;  // group -> tokens -> member curves
        for (const ForwardGroup& g : groups) {
            std::map<int, std::vector<int>> by_n;
            for (int c : g.curves) {
                auto it = wanted.find(c);
                if (it == wanted.end()) continue;
                for (int n : agent::tokens_still_needed(it->second, &profile.curves[c]))
                    if (!failed.count({c, n})) by_n[n].push_back(c);
            }
            std::vector<int> tokens;
            for (const auto& [n, _] : by_n) tokens.push_back(n);
            group_tokens.push_back(tokens);
            needed_by_group.push_back(std::move(by_n));
        }
        agent::SweepOrder order{request.timing.rounds, request.chunk, request.seed, request.shuffle};
        const auto visits = agent::plan_sweep(group_tokens, order);
        agent::PointCollector collector(request.timing.rounds);
        const auto phase_start = Clock::now();
        for (std::size_t v = 0; v < visits.size(); ++v) {
            if (should_stop()) {
                cancelled = true;
                return;
            }
            const agent::Visit& visit = visits[v];
            std::vector<int> members;
            for (int c : needed_by_group[visit.curve][visit.tokens])
                if (!failed.count({c, visit.tokens})) members.push_back(c);
            if (members.empty()) continue;
            std::vector<Scope> scopes;
            for (int c : members) scopes.push_back(profile.curves[c].scope);
            std::optional<std::vector<RoundResult>> results;
            try {
                bench.prepare(scopes, visit.tokens);
                results = measure_visit(bench, members.size(), request.timing, cb.cancelled, board, profile.device.kind);
            } catch (const FormatError& e) {
                for (int c : members) failed.insert({c, visit.tokens});
                if (cb.warning) cb.warning("point_skipped", std::string(e.what()) + " (skipped)");
                continue;
            }
            if (!results) {
                cancelled = true;
                return;
            }
            for (std::size_t i = 0; i < members.size(); ++i) {
                auto point = collector.add(members[i], visit.tokens, std::move((*results)[i]));
                if (!point) continue;
                Curve& curve = profile.curves[members[i]];
                insert_point(curve, *point);
                ++points_measured;
                if (cb.point) cb.point(curve, *point);
            }
            if (cb.progress) {
                const double elapsed = seconds_since(phase_start);
                const double done = static_cast<double>(v + 1);
                json curves = json::array();
                for (int c : members) curves.push_back(profile.curves[c].name);
                cb.progress({{"phase", phase},
                             {"done", v + 1},
                             {"total", visits.size()},
                             {"curves", curves},
                             {"tokens", visit.tokens},
                             {"round", visit.round},
                             {"elapsed_s", seconds_since(start)},
                             {"eta_s", elapsed / done * (static_cast<double>(visits.size()) - done)}});
            }
            if (cb.checkpoint && seconds_since(last_checkpoint) >= 10) {
                cb.checkpoint(profile);
                last_checkpoint = Clock::now();
            }
        }
    }
};

// Kernel names and grid sizes on both sides of every detected edge (at most 8 edges per curve), so
// an edge can be explained from what ran rather than guessed.
void census_around_edges(Profile& profile, ForwardBench& bench, const ProfileCallbacks& cb) {
    for (const Curve& curve : profile.curves) {
        if (curve.points.size() < 8) continue;
        StepAnalysis steps = detect_steps(curve);
        int done = 0;
        for (const Edge& edge : steps.edges) {
            if (++done > 8 || (cb.cancelled && cb.cancelled())) break;
            for (int n : {edge.last_before, edge.tokens}) {
                bool known = false;
                for (const auto& k : profile.census) known = known || (k.curve == curve.name && k.tokens == n);
                if (known) continue;
                try {
                    profile.census.push_back({curve.name, n, bench.kernel_census(curve.scope, n)});
                } catch (const std::exception& e) {
                    if (cb.warning) cb.warning("census", "kernel census at " + curve.name + " n=" + std::to_string(n) +
                                                             " failed: " + e.what());
                }
            }
        }
    }
}

}  // namespace

ProfileOutcome run_profile(const agent::ProfileRequest& request, const ProfileCallbacks& cb) {
    const auto start = Clock::now();
    std::unique_ptr<ForwardBench> bench = make_forward_bench(request.model, request.timing);
    const ModelInfo& m = bench->model();

    ProfileOutcome out;
    Profile& profile = out.profile;
    if (request.resume) {
        check_resume(*request.resume, *bench, request.timing);
        profile = *request.resume;
        const auto kept_date = profile.settings.date;
        describe(profile, *bench, request.timing, "tailprune profile");
        profile.settings.environment["resumed_from"] = kept_date;
    } else {
        describe(profile, *bench, request.timing, "tailprune profile");
    }

    const std::optional<jetson::ClockSampler> board = open_board(profile);
    const std::vector<int> tokens = agent::parse_token_spec(request.tokens, m.tokens);
    Sweep sweep{request, cb, *bench, profile, {}, {}, {}};
    sweep.board = board ? &*board : nullptr;
    std::map<int, std::vector<int>> wanted;
    for (const Scope& s : request.scopes) {
        const bool needs_block = s.kind != ScopeKind::Model && s.kind != ScopeKind::Fixed;
        if (needs_block && (s.block < 0 || s.block >= m.depth))
            throw FormatError("scope " + to_string(s), "block " + std::to_string(s.block) + " is outside the model's " +
                                                           std::to_string(m.depth) + " blocks");
        if (s.kind == ScopeKind::PruneOp && s.tokens_in > m.tokens)
            throw FormatError("scope " + to_string(s), "tokens in exceed the model's " + std::to_string(m.tokens));
        Curve* curve = profile.find_curve(s);
        if (!curve) {
            Curve c;
            c.scope = s;
            c.name = to_string(s);
            profile.curves.push_back(c);
            curve = &profile.curves.back();
        }
        const int c = static_cast<int>(curve - profile.curves.data());
        std::vector<int> mine;
        for (int n : tokens)
            if (s.kind != ScopeKind::PruneOp || n < s.tokens_in) mine.push_back(n);
        if (mine.size() < tokens.size() && cb.warning)
            cb.warning("tokens_clipped", "scope " + curve->name + " keeps fewer tokens than it takes in: counts >= " +
                                             std::to_string(s.tokens_in) + " left out");
        wanted[c] = mine;
        ForwardGroup::Kind kind = forward_kind(s);
        const bool alone = times_alone(s, request.timing);
        auto g = std::find_if(sweep.groups.begin(), sweep.groups.end(), [&](const ForwardGroup& x) {
            if (x.kind != kind || x.alone != alone) return false;
            return (kind == ForwardGroup::Kind::Plain && !alone) || x.key == s;
        });
        if (g == sweep.groups.end()) {
            sweep.groups.push_back({kind, s, {}, alone});
            g = sweep.groups.end() - 1;
        }
        if (std::find(g->curves.begin(), g->curves.end(), c) == g->curves.end()) g->curves.push_back(c);
    }

    // A checkpoint before the first visit: whoever keeps checkpoints (a detached session's worker)
    // then always has the profile's frame to add journaled points to, even if the sweep dies early.
    if (cb.checkpoint) {
        cb.checkpoint(profile);
        sweep.last_checkpoint = Clock::now();
    }
    if (request.coarse_step > 1) {
        std::map<int, std::vector<int>> coarse;
        for (const auto& [c, list] : wanted) {
            if (list.empty()) continue;
            std::set<int> grid;
            for (int n : agent::coarse_token_grid(list.front(), list.back(), request.coarse_step)) grid.insert(n);
            for (int n : list)
                if (grid.count(n)) coarse[c].push_back(n);
        }
        sweep.run_phase(coarse, "coarse");
        if (!sweep.cancelled) {
            std::map<int, std::vector<int>> dense;
            for (const auto& [c, list] : wanted) {
                std::set<int> allowed(list.begin(), list.end());
                for (int n : agent::dense_tokens_near_edges(profile.curves[c]))
                    if (allowed.count(n)) dense[c].push_back(n);
                // What the coarse-dense sweep wants is now its grid plus the dense counts.
                std::vector<int> now = coarse[c];
                now.insert(now.end(), dense[c].begin(), dense[c].end());
                std::sort(now.begin(), now.end());
                wanted[c] = now;
            }
            sweep.run_phase(dense, "dense");
        } else {
            wanted = coarse;
        }
    } else {
        sweep.run_phase(wanted, "sweep");
    }

    if (request.census && !sweep.cancelled && profile.device.kind == "cuda") census_around_edges(profile, *bench, cb);

    for (auto& [c, list] : wanted) {
        Curve& curve = profile.curves[c];
        std::size_t missing = 0;
        for (int n : list)
            if (!curve.find(n) && !sweep.failed.count({c, n})) ++missing;
        curve.partial = missing > 0;
    }
    profile.settings.environment["load_average_end"] = format_load(platform::load_average());
    if (sweep.cancelled) profile.settings.environment["cancelled_at"] = iso8601_utc_now();
    if (board) record_board_end(profile);
    for (auto& curve : profile.curves) normalise_and_check(curve);
    profile.clock_flags = compute_clock_flags(profile);
    validate(profile);
    out.cancelled = sweep.cancelled;
    out.points_measured = sweep.points_measured;
    out.wall_s = seconds_since(start);
    return out;
}

json run_measure(const agent::MeasureRequest& request, const ProfileCallbacks& cb) {
    std::unique_ptr<ForwardBench> bench = make_forward_bench(request.model, request.timing);
    Profile meta;
    describe(meta, *bench, request.timing, "tailprune measure");
    const std::optional<jetson::ClockSampler> board = open_board(meta);
    const bool baseline = request.baseline;
    std::vector<RoundResult> sched_rounds, base_rounds;
    const int total = request.timing.rounds * (baseline ? 2 : 1);
    int done = 0;
    bool cancelled = false;
    for (int r = 0; r < request.timing.rounds && !cancelled; ++r) {
        // Alternate which goes first so slow drift does not favour one side.
        std::vector<bool> order = {true};
        if (baseline) order = r % 2 == 0 ? std::vector<bool>{true, false} : std::vector<bool>{false, true};
        for (bool is_schedule : order) {
            if (is_schedule) bench->prepare_schedule(request.schedule);
            else bench->prepare_unpruned();
            auto results = measure_visit(*bench, 1, request.timing, cb.cancelled, board ? &*board : nullptr,
                                         meta.device.kind);
            if (!results) {
                cancelled = true;
                break;
            }
            (is_schedule ? sched_rounds : base_rounds).push_back((*results)[0]);
            ++done;
            if (cb.progress)
                cb.progress({{"done", done}, {"total", total}, {"what", is_schedule ? "schedule" : "baseline"}, {"round", r}});
        }
    }
    if (sched_rounds.empty()) throw std::runtime_error("cancelled before a single round finished");
    auto stats = [](const CurvePoint& p) {
        return json{{"median_ms", p.median_ms}, {"mean_ms", p.mean_ms},   {"p10_ms", p.p10_ms},
                    {"p90_ms", p.p90_ms},       {"min_ms", p.min_ms},     {"samples", p.samples},
                    {"rel_noise", p.rel_noise}, {"stop_reason", p.stop_reason}};
    };
    const int final_tokens = request.schedule.tokens_into(request.schedule.depth());
    CurvePoint s = agent::build_point(final_tokens, sched_rounds);
    if (board) record_board_end(meta);
    json result = {{"schedule", stats(s)},
                   {"cancelled", cancelled},
                   {"rounds", sched_rounds.size()},
                   {"device", to_json(meta.device)},
                   {"model", to_json(meta.model)},
                   {"measurement",
                    {{"kind", "latency"},
                     {"value", s.median_ms},
                     {"low", s.p10_ms},
                     {"high", s.p90_ms},
                     {"device", meta.device.identity()},
                     {"date", meta.settings.date},
                     {"tool_version", meta.settings.tool_version}}}};
    if (!base_rounds.empty()) {
        CurvePoint b = agent::build_point(bench->model().tokens, base_rounds);
        result["baseline"] = stats(b);
        result["speedup"] = s.median_ms > 0 ? b.median_ms / s.median_ms : 0;
    }
    json settings = {{"mode", meta.settings.mode},
                     {"warmup", meta.settings.warmup},
                     {"rounds", meta.settings.rounds},
                     {"torch_threads", meta.settings.torch_threads},
                     {"blas_threads", meta.settings.blas_threads},
                     {"environment", meta.settings.environment}};
    result["settings"] = settings;
    return result;
}

}  // namespace tp::runtime
