// tailprune search --profile P [--profile P2 ...] [--accuracy CALIBRATION.json] [--method M|all]
//   [--max-drop PP | --max-latency MS | --max-latency-pct P | --front] [--device NAME]
//   [--rule pomt|pomt-release [--block K] [--alpha A]] [--json] [--save-top N (--out DIR | --store S)]
// The schedule search (core/search, docs/search.md): the Pareto front of predicted latency and
// predicted top-1 over schedules of 1–3 pruning points at the devices' edges and fast residues, plus
// ToMe's constant-r and Top-K's per-block-r schedules; or the POMT paper's selection rule.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/accuracy/accuracy_anchor.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/search/pomt_rule.h"
#include "core/search/schedule_search.h"
#include "core/search/search_accuracy.h"
#include "core/search/search_entry.h"
#include "core/search/search_objective.h"
#include "core/search/search_space.h"
#ifdef TAILPRUNE_HAS_STORE
#include "core/store/store.h"
#endif

namespace tp::cli {
namespace {

struct Options {
    std::vector<std::string> profiles;
    std::string accuracy, method = "all", device, rule, out, store, split = "test";
    double max_drop = -1, max_latency = -1, max_latency_pct = -1;
    bool front = false, json = false, no_families = false;
    int block = 3, max_points = 3, save_top = 0, beam = 24;
    double alpha = 0.5;
    long long exact_limit = 200000;
};

std::string fmt(const char* pattern, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, pattern, v);
    return buf;
}

// The shipped calibration of a model: <models>/<name>/<name>.accuracy-calibration.json, where
// <models> is $TAILPRUNE_MODELS or the source tree's resources/models.
std::string bundled_calibration(const std::string& model) {
    const char* env = std::getenv("TAILPRUNE_MODELS");
    const std::string dir = env && *env ? env : std::string(TAILPRUNE_SOURCE_DIR) + "/resources/models";
    const std::string path = dir + "/" + model + "/" + model + ".accuracy-calibration.json";
    return std::filesystem::exists(path) ? path : std::string();
}

nlohmann::json entry_json(const SearchEntry& e) {
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& d : e.devices)
        devices.push_back({{"device", d.device}, {"predicted_ms", d.ms}, {"predicted_ms_low", d.low_ms},
                           {"predicted_ms_high", d.high_ms}, {"predicted_pct", d.pct}, {"predicted_pct_low", d.low_pct},
                           {"predicted_pct_high", d.high_pct}, {"unpruned_ms", d.unpruned_ms}});
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : e.targets) targets.push_back({{"block", t.block}, {"tokens", t.tokens}, {"findings", t.findings}});
    return {{"schedule", to_json(e.schedule)},
            {"family", e.family},
            {"predicted_ms", e.predicted_ms},
            {"predicted_ms_band", {e.predicted_ms_low, e.predicted_ms_high}},
            {"predicted_pct", e.predicted_pct},
            {"predicted_pct_band", {e.predicted_pct_low, e.predicted_pct_high}},
            {"predicted_top1", e.predicted_top1},
            {"predicted_top1_band", {e.predicted_top1_low, e.predicted_top1_high}},
            {"predicted_drop_pp", e.predicted_drop_pp},
            {"extrapolated", e.extrapolated},
            {"device", e.devices[static_cast<std::size_t>(e.objective_device)].device},
            {"devices", devices},
            {"targets", targets}};
}

std::string cuts_text(const Schedule& s) {
    std::string text;
    for (const auto& p : s.pruning_points()) text += (text.empty() ? "" : ", ") + std::to_string(p.block) + "→" + std::to_string(p.tokens);
    return text.empty() ? "no cut" : text;
}

void print_entry_line(const SearchEntry& e, const std::string& mark) {
    std::printf("%-2s %-12s %-24s %7.1f%% [%5.1f, %5.1f] %9.4f ms  top-1 %5.2f%% [%5.2f, %5.2f]  drop %5.2f pp  %s\n",
                mark.c_str(), e.schedule.method.c_str(),
                (e.family == "cuts" ? cuts_text(e.schedule) : e.family).c_str(), e.predicted_pct,
                e.predicted_pct_low, e.predicted_pct_high, e.predicted_ms, 100 * e.predicted_top1,
                100 * e.predicted_top1_low, 100 * e.predicted_top1_high, e.predicted_drop_pp,
                e.devices[static_cast<std::size_t>(e.objective_device)].device.c_str());
}

// The entries --save-top writes, best first.
std::vector<const SearchEntry*> ranked(const SearchResult& r, const ObjectiveChoice& c, const SearchObjective& o) {
    std::vector<const SearchEntry*> out;
    for (std::size_t i : c.feasible) out.push_back(&r.front[i]);
    if (o.kind == SearchObjective::Kind::MaxAccuracy) std::reverse(out.begin(), out.end());
    return out;
}

void save_top(const std::vector<const SearchEntry*>& entries, const Options& o) {
    const std::size_t n = std::min(entries.size(), static_cast<std::size_t>(o.save_top));
    if (!o.out.empty()) {
        std::filesystem::create_directories(o.out);
        for (std::size_t i = 0; i < n; ++i) {
            char name[64];
            std::snprintf(name, sizeof name, "search-%02zu-%s.json", i + 1, entries[i]->schedule.method.c_str());
            const std::string path = (std::filesystem::path(o.out) / name).string();
            save_schedule(entries[i]->schedule, path);
            std::cerr << "saved " << path << "\n";
        }
        return;
    }
#ifdef TAILPRUNE_HAS_STORE
    auto db = store::Store::open(o.store, store::Mode::Create);
    for (std::size_t i = 0; i < n; ++i) {
        const auto saved = db.save_schedule(entries[i]->schedule);
        std::cerr << "saved '" << entries[i]->schedule.name << "' in " << o.store << " (schedule " << saved.schedule_id
                  << ", revision " << saved.revision << ")\n";
    }
#endif
}

void run(const Options& o) {
    if (o.save_top > 0 && o.out.empty() && o.store.empty()) throw CommandError("--save-top needs --out DIR or --store PATH");
    std::vector<std::shared_ptr<const Profile>> profiles;
    std::vector<std::unique_ptr<ProfileAnalysis>> analyses;
    SearchInputs in;
    for (const auto& path : o.profiles) {
        profiles.push_back(std::make_shared<const Profile>(load_profile(path)));
        analyses.push_back(std::make_unique<ProfileAnalysis>(profiles.back(), path));
        in.devices.push_back(analyses.back().get());
    }
    const ModelInfo& model = profiles.front()->model;
    for (std::size_t i = 1; i < profiles.size(); ++i)
        if (profiles[i]->model.name != model.name || profiles[i]->model.depth != model.depth || profiles[i]->model.tokens != model.tokens)
            throw CommandError("profile '" + o.profiles[i] + "' is for model '" + profiles[i]->model.name + "' but '" +
                               o.profiles[0] + "' is for '" + model.name + "': search one model at a time");
    std::string cal_path = o.accuracy;
    if (cal_path.empty()) cal_path = bundled_calibration(model.name);
    if (cal_path.empty())
        throw CommandError("no accuracy calibration for model '" + model.name +
                           "': run `tailprune calibrate --weights WEIGHTS --method all` on its weights and pass the "
                           "file with --accuracy (shipped models keep theirs in resources/models/NAME/)");
    const AccuracyCalibration cal = load_accuracy_calibration(cal_path);
    if (cal.model.name != model.name || cal.model.depth != model.depth || cal.model.tokens != model.tokens)
        throw CommandError("calibration '" + cal_path + "' is for model '" + cal.model.name + "' (" +
                           std::to_string(cal.model.depth) + " blocks, " + std::to_string(cal.model.tokens) +
                           " tokens) but the profiles are for '" + model.name + "' (" + std::to_string(model.depth) +
                           " blocks, " + std::to_string(model.tokens) + " tokens)");
    std::string card = card_path_for_calibration(cal_path);
    if (!card.empty() && !std::filesystem::exists(card)) card.clear();
    const auto card_anchors = card.empty() ? std::vector<AccuracyAnchor>{} : read_card_anchors(card);

    SearchSettings settings;
    settings.max_points = o.max_points;
    settings.families = !o.no_families;
    settings.exact_limit = o.exact_limit;
    settings.beam_width = o.beam;
    settings.latency_in_ms = o.max_latency > 0;
    if (!o.device.empty()) {
        const auto names = device_names(in.devices);
        for (std::size_t d = 0; d < names.size(); ++d)
            if (names[d] == o.device || o.profiles[d] == o.device) settings.device = static_cast<int>(d);
        if (settings.device < 0) {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
            throw CommandError("--device '" + o.device + "' is none of the profiles' devices (" + known + ")");
        }
    }
    if (settings.latency_in_ms && in.devices.size() > 1 && settings.device < 0)
        std::cerr << "note: --max-latency in ms with several devices: the budget holds on each (the slowest counts)\n";

    if (!o.rule.empty()) {
        std::vector<std::string> pomt{"pomt"};
        const SearchAccuracy acc = fit_search_accuracy(cal, pomt, o.split, card_anchors);
        PomtRuleSettings rs;
        rs.block = o.block;
        rs.alpha = o.alpha;
        rs.release_off_by_two = o.rule == "pomt-release";
        const int device = std::max(0, settings.device);
        const PomtRulePick pick = pomt_rule(*in.devices[static_cast<std::size_t>(device)], acc.models.at("pomt"), rs);
        SearchEntry e = evaluate_entry(pick.schedule, in.devices, device_names(in.devices), acc.models.at("pomt"),
                                       settings.device, settings.latency_in_ms);
        e.family = pick.label;
        if (o.save_top > 0) save_top({&e}, o);  // with --json too (scripts/search-evidence.sh measures it)
        if (o.json) {
            nlohmann::json scan = nlohmann::json::array();
            for (const auto& s : pick.scan)
                scan.push_back({{"tokens", s.tokens}, {"latency_ms", s.latency_ms}, {"measured", s.measured},
                                {"top1", s.top1}, {"utility", s.utility}});
            return print_json({{"rule", pick.label}, {"block", rs.block}, {"alpha", rs.alpha},
                               {"chosen_tokens", pick.chosen_tokens}, {"deployed_tokens", pick.deployed_tokens},
                               {"latency_source", pick.latency_source}, {"pick", entry_json(e)}, {"scan", scan}});
        }
        std::printf("%s on %s: n* = %d (deploys %d tokens after block %d); L(n) from %s\n", pick.label.c_str(),
                    e.devices[static_cast<std::size_t>(device)].device.c_str(), pick.chosen_tokens, pick.deployed_tokens,
                    rs.block, pick.latency_source.c_str());
        print_entry_line(e, "*");
        return;
    }

    std::vector<std::string> methods;
    if (o.method != "all") methods.push_back(o.method);
    const SearchAccuracy acc = fit_search_accuracy(cal, methods, o.split, card_anchors);
    in.accuracy = acc.pointers();
    SearchObjective objective;
    if (o.front) objective.kind = SearchObjective::Kind::Front;
    else if (o.max_latency > 0 || o.max_latency_pct > 0) {
        objective.kind = SearchObjective::Kind::MaxAccuracy;
        objective.max_latency_ms = std::max(0.0, o.max_latency);
        objective.max_latency_pct = std::max(0.0, o.max_latency_pct);
    } else if (o.max_drop >= 0) objective.max_drop_pp = o.max_drop;
    const SearchResult r = search_schedules(in, settings);
    const ObjectiveChoice c = apply_objective(r, objective);
    if (o.json) {
        nlohmann::json front = nlohmann::json::array();
        for (const auto& e : r.front) front.push_back(entry_json(e));
        nlohmann::json doc = {{"objective", objective.describe()},
                              {"devices", r.device_names},
                              {"latency", r.latency_in_ms ? "ms" : "pct"},
                              {"methods", r.methods},
                              {"anchor", acc.anchor.describe()},
                              {"space", r.space},
                              {"evaluated", r.evaluated},
                              {"exact", r.exact},
                              {"strategies", r.strategies},
                              {"notes", r.notes},
                              {"unpruned", entry_json(r.unpruned)},
                              {"front", front},
                              {"feasible", c.feasible},
                              {"best", c.best >= 0 ? nlohmann::json(c.best) : nlohmann::json()}};
        for (const auto& n : acc.notes) doc["notes"].push_back(n);
        if (!c.empty_reason.empty()) doc["empty_reason"] = c.empty_reason;
        print_json(doc);
    } else {
        std::printf("%s, %s; %s\n", objective.describe().c_str(),
                    r.device_names.size() == 1 ? ("on " + r.device_names.front()).c_str()
                    : settings.device >= 0     ? ("on " + r.device_names[static_cast<std::size_t>(settings.device)]).c_str()
                                               : ("worst case of " + std::to_string(r.device_names.size()) + " devices").c_str(),
                    acc.anchor.describe().c_str());
        std::printf("front: %zu schedules of %lld in the space (%lld evaluated, %s)\n", r.front.size(), r.space,
                    r.evaluated, r.exact ? "exact" : "approximate");
        std::printf("   unpruned                                 100.0%%               %9.4f ms  top-1 %5.2f%%\n",
                    r.unpruned.predicted_ms, 100 * r.unpruned.predicted_top1);
        for (std::size_t i = 0; i < r.front.size(); ++i) {
            const bool feasible = std::find(c.feasible.begin(), c.feasible.end(), i) != c.feasible.end();
            print_entry_line(r.front[i], static_cast<int>(i) == c.best ? "*" : feasible ? "+" : "");
        }
        if (c.best >= 0) {
            const SearchEntry& best = r.front[static_cast<std::size_t>(c.best)];
            std::printf("best: %s (%s)\n", best.schedule.name.c_str(), best.family.c_str());
            for (const auto& t : best.targets)
                for (const auto& f : t.findings) std::printf("  block %d → %d: %s\n", t.block, t.tokens, f.c_str());
        }
        for (const auto& s : r.strategies) std::fprintf(stderr, "%s\n", s.c_str());
        for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
        for (const auto& n : acc.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
    }
    if (!c.empty_reason.empty()) throw CommandError(c.empty_reason);
    if (o.save_top > 0) save_top(ranked(r, c, objective), o);
}

const CommandRegistrar reg(62, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("search", "Search schedules: the front of predicted latency and top-1, or the POMT rule");
    cmd->add_option("--profile", o->profiles, "profile of a device (repeat for several devices)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--accuracy", o->accuracy, "accuracy calibration (default: the shipped one of the profiles' model)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--method", o->method, "a method, or all (every method the calibration evaluated)")->capture_default_str();
    auto* drop = cmd->add_option("--max-drop", o->max_drop, "fastest schedule with a predicted top-1 drop ≤ PP (default 1)")
                     ->check(CLI::NonNegativeNumber);
    auto* ms = cmd->add_option("--max-latency", o->max_latency, "most accurate schedule at ≤ MS milliseconds")
                   ->check(CLI::PositiveNumber);
    auto* pct = cmd->add_option("--max-latency-pct", o->max_latency_pct, "most accurate schedule at ≤ P% of unpruned")
                    ->check(CLI::PositiveNumber);
    auto* front = cmd->add_flag("--front", o->front, "the whole front");
    drop->excludes(ms)->excludes(pct)->excludes(front);
    ms->excludes(pct)->excludes(front);
    pct->excludes(front);
    cmd->add_option("--device", o->device, "the device that counts (name or profile path; default: the worst case)");
    auto* rule = cmd->add_option("--rule", o->rule,
                                 "pomt: the POMT paper's rule (one cut at --block, utility with --alpha); pomt-release: "
                                 "the same with the release's off-by-two (deploys n*+2 tokens)")
                     ->check(CLI::IsMember({"pomt", "pomt-release"}));
    cmd->add_option("--block", o->block, "--rule: the cut block k, 0-based")->capture_default_str()->needs(rule);
    cmd->add_option("--alpha", o->alpha, "--rule: weight of latency in the utility")->check(CLI::Range(0.0, 1.0))->capture_default_str()->needs(rule);
    cmd->add_option("--max-points", o->max_points, "schedules of 1..N pruning points")->check(CLI::Range(1, 3))->capture_default_str();
    cmd->add_flag("--no-families", o->no_families, "leave out ToMe's constant-r and Top-K's per-block-r schedules");
    cmd->add_option("--exact-limit", o->exact_limit, "enumerate a method's space when it holds at most this many schedules")
        ->capture_default_str();
    cmd->add_option("--beam", o->beam, "dynamic programming: unbeaten partial schedules kept per state")
        ->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--split", o->split, "split whose unpruned accuracy anchors the predictions")
        ->check(CLI::IsMember({"test", "holdout"}))->capture_default_str();
    cmd->add_flag("--json", o->json, "print the front as JSON (schedule, predicted_ms, predicted_pct, predicted_top1, bands, targets)");
    auto* top = cmd->add_option("--save-top", o->save_top, "save the N best schedules meeting the objective")->check(CLI::PositiveNumber);
    auto* out = cmd->add_option("--out", o->out, "--save-top: folder for the schedule files")->needs(top);
#ifdef TAILPRUNE_HAS_STORE
    cmd->add_option("--store", o->store, "--save-top: save into this store instead")->needs(top)->excludes(out);
#else
    (void)out;
#endif
    cmd->callback([o] { run(*o); });
});

}  // namespace
}  // namespace tp::cli
