// bench_latency_prediction: predicted vs measured end-to-end latency of many varied schedules on
// this machine (methods.md §7, issue 10). Every schedule is measured with the real
// `tailprune measure` in two separate rounds (all schedules, then all again), so the
// round-to-round disagreement of the measurement itself is known.
//
//   bench_latency_prediction --profile profiles/cpu.json --cli build/app/tailprune
//       [--weights W] [--device cuda] [--schedules 60] [--seed 1] [--measure-rounds 3] [--out DIR]
//       [--save-measurements FILE] [--save-calibration FILE]   (every measurement as a calibration
//       record for `tailprune predict`, e.g. <profile stem>.calibration.json)
//   bench_latency_prediction --profile P --replay FILE   (predict again against saved measurements:
//       how a predictor or profile change fares, without measuring again)
//
// Prints: share within ±5% / ±10% (vs the mean of both rounds), median and worst |error|, share
// within the round-to-round disagreement (|pred − mean| ≤ |A − B| per schedule; and the error's quantiles
// against the disagreement's, with the share within its p95), the band's coverage when it is
// calibrated on round A of half the schedules and checked on round B of the other half, and the
// edge-pair sign test (pairs one token apart across a detected edge of the deployed curve of the
// cut block), and the same across a fast residue of a deployed curve's periodic pattern (the CPU's
// "one more token").
#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/predict/latency_calibration.h"
#include "core/predict/latency_predictor.h"
#include "core/steps/step_detector.h"

using namespace tp;

namespace {

struct Args {
    QString profile, cli, weights, out, device, save, replay, save_calibration, relevel;
    int schedules = 60;
    int measure_rounds = 3;
    unsigned seed = 1;
};

struct Case {
    Schedule schedule;
    std::string label;   // "varied" or "edge-low"/"edge-high" with the pair id
    int pair = -1;
    double predicted = 0;
    double a = 0, b = 0; // measured medians, round A and round B
};

std::vector<Case> varied_schedules(const ModelInfo& model, int count, unsigned seed) {
    const std::vector<std::string> methods = {"pomt", "pomt_nomerge", "topk", "zerotprune", "tome", "random"};
    std::mt19937 rng(seed);
    auto uniform = [&](int lo, int hi) { return lo + static_cast<int>(rng() % unsigned(hi - lo + 1)); };
    const int depth = model.depth, n = model.tokens;
    std::vector<Case> out;
    for (int i = 0; static_cast<int>(out.size()) < count && i < count * 50; ++i) {
        const std::string method = methods[static_cast<std::size_t>(i) % methods.size()];
        std::vector<int> tokens;
        if (method == "tome" && uniform(0, 1)) {
            tokens = tome_tokens_after_block(depth, n, uniform(1, std::max(1, (n - 2) / depth)), uniform(0, 1) ? 0.0 : -0.5);
        } else if (method == "topk" && uniform(0, 1)) {
            int start = uniform(0, depth - 2), r = uniform(1, std::max(1, (n - 2) / (depth - start)));
            tokens.assign(static_cast<std::size_t>(depth), n);
            for (int b = start; b < depth; ++b) tokens[static_cast<std::size_t>(b)] = std::max(2, n - r * (b - start + 1));
        } else {
            int points = uniform(1, 3), previous = n;
            std::vector<PruningPoint> pts;
            int block = -1;
            for (int p = 0; p < points && block < depth - 1; ++p) {
                block = uniform(block + 1, std::min(depth - 1, block + 1 + depth / 2));
                int lo = std::max(min_tokens_after_pruning(method, previous), 2);
                if (lo >= previous) break;
                int t = uniform(std::max(lo, previous / 3), previous - 1);
                pts.push_back({block, t});
                previous = t;
            }
            if (pts.empty()) continue;
            tokens = tokens_from_points(depth, n, pts);
        }
        try {
            validate_method_tokens(method, n, tokens);
        } catch (const FormatError&) {
            continue;
        }
        Case c;
        c.schedule.model = model;
        c.schedule.method = method;
        c.schedule.name = "bench-" + std::to_string(out.size());
        c.schedule.tokens_after_block = tokens;
        c.label = "varied";
        out.push_back(c);
    }
    return out;
}

// Two single-cut schedules (random pruning, so only the cut's length differs) that keep `low` and
// `high` tokens after `block`: labelled KIND-low / KIND-high, numbered `pair`.
void add_pair(std::vector<Case>& out, const Profile& profile, const std::string& kind, int pair, int block, int low,
              int high) {
    for (int side = 0; side < 2; ++side) {
        Case k;
        k.schedule.model = profile.model;
        k.schedule.method = "random";
        k.label = kind + (side ? "-high" : "-low");
        k.schedule.name = kind + "-" + std::to_string(pair) + (side ? "-high" : "-low");
        k.schedule.tokens_after_block =
            tokens_from_points(profile.model.depth, profile.model.tokens, {{block, side ? high : low}});
        k.pair = pair;
        out.push_back(k);
    }
}

// Pairs of single-cut schedules one token apart across each detected edge of deployed:K curves
// (random pruning, so only the cut's length differs).
std::vector<Case> edge_pairs(const Profile& profile, int max_pairs) {
    std::vector<Case> out;
    int pair = 0;
    for (const auto& c : profile.curves) {
        if (c.scope.kind != ScopeKind::Deployed || c.scope.block < 0 || c.scope.block >= profile.model.depth) continue;
        StepAnalysis a = detect_steps(c);
        for (const auto& e : a.edges) {
            if (e.tokens - e.last_before != 1 || pair >= max_pairs) continue;
            add_pair(out, profile, "edge", pair++, c.scope.block, e.last_before, e.tokens);
        }
    }
    return out;
}

// The CPU's "one more token": pairs one token apart across a fast residue of the periodic pattern
// found on a deployed:K curve (n at a fast residue, n + 1 after it), four per curve spread over the
// upper two thirds of the counts.
std::vector<Case> periodic_pairs(const Profile& profile, int first_pair, int max_pairs) {
    std::vector<Case> out;
    int pair = first_pair;
    const int n_max = profile.model.tokens;
    for (const auto& c : profile.curves) {
        if (c.scope.kind != ScopeKind::Deployed || c.scope.block < 0 || c.scope.block >= profile.model.depth) continue;
        const PeriodicFinding f = detect_steps(c).period;
        if (!f.found) continue;
        std::vector<int> fast;
        for (int n = n_max / 3; n + 1 < n_max; ++n)
            if (std::find(f.fast_residues.begin(), f.fast_residues.end(), n % f.period) != f.fast_residues.end()) fast.push_back(n);
        const std::size_t per_curve = 4;
        for (std::size_t i = 0; i < std::min(per_curve, fast.size()) && pair - first_pair < max_pairs; ++i) {
            const int n = fast[fast.size() <= per_curve ? i : i * (fast.size() - 1) / (per_curve - 1)];
            add_pair(out, profile, "period", pair++, c.scope.block, n, n + 1);
        }
    }
    return out;
}

double measure(const Args& args, const QString& schedule_path) {
    QStringList argv{"measure", "--schedule", schedule_path, "--json", "--no-baseline", "--rounds",
                     QString::number(args.measure_rounds)};
    if (!args.weights.isEmpty()) argv << "--weights" << args.weights;
    if (!args.device.isEmpty()) argv << "--device" << args.device;
    QProcess p;
    p.start(args.cli, argv);
    if (!p.waitForFinished(600000) || p.exitCode() != 0) {
        std::cerr << "measure failed for " << schedule_path.toStdString() << ": "
                  << p.readAllStandardError().toStdString() << "\n";
        return -1;
    }
    auto doc = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
    return doc["schedule"]["median_ms"].get<double>();
}

nlohmann::json to_json(const std::vector<Case>& cases, const Profile& profile) {
    nlohmann::json out = {{"profile_device", profile.device.name}, {"model", profile.model.name}, {"cases", nlohmann::json::array()}};
    for (const auto& c : cases)
        out["cases"].push_back({{"name", c.schedule.name}, {"method", c.schedule.method}, {"label", c.label}, {"pair", c.pair},
                                {"tokens_after_block", c.schedule.tokens_after_block}, {"a_ms", c.a}, {"b_ms", c.b}});
    return out;
}

std::vector<Case> cases_from_json(const nlohmann::json& doc, const ModelInfo& model) {
    std::vector<Case> out;
    for (const auto& j : doc.at("cases")) {
        Case c;
        c.schedule.model = model;
        c.schedule.name = j.at("name").get<std::string>();
        c.schedule.method = j.at("method").get<std::string>();
        c.schedule.tokens_after_block = j.at("tokens_after_block").get<std::vector<int>>();
        c.label = j.at("label").get<std::string>();
        c.pair = j.at("pair").get<int>();
        c.a = j.at("a_ms").get<double>();
        c.b = j.at("b_ms").get<double>();
        out.push_back(c);
    }
    return out;
}

// The unpruned model, measured in every round like the others: what relative figures divide by.
Case unpruned_case(const ModelInfo& model) {
    Case c;
    c.schedule.model = model;
    c.schedule.method = "random";
    c.schedule.name = "unpruned";
    c.schedule.tokens_after_block.assign(static_cast<std::size_t>(model.depth), model.tokens);
    c.label = "unpruned";
    return c;
}

double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(std::min<double>(v.size() - 1, std::floor(q * (v.size() - 1) + 0.5)))];
}

struct Agreement {
    int n = 0, within5 = 0;
    std::vector<double> abs_err;
    std::map<std::string, std::pair<int, int>> by_method;  // within ±5%, schedules
    void add(const std::string& method, double err) {
        ++n;
        within5 += std::abs(err) <= 0.05;
        abs_err.push_back(std::abs(err));
        auto& m = by_method[method];
        m.first += std::abs(err) <= 0.05;
        ++m.second;
    }
};

void print_agreement(const char* what, const Agreement& a) {
    std::printf("| %s | %d | %.1f%% | %.2f%% | %.2f%% |", what, a.n, a.n ? 100.0 * a.within5 / a.n : 0.0,
                100 * quantile(a.abs_err, 0.5), 100 * quantile(a.abs_err, 1.0));
    for (const auto& [m, w] : a.by_method) std::printf(" %s %d/%d", m.c_str(), w.first, w.second);
    std::printf(" |\n");
}

// Issue 27: the profile from another machine (state) against this machine's measurements, before
// and after the re-level record (tailprune calibrate-latency) — absolute, and relative to the
// unpruned model measured in the same rounds.
void report_relevel(const Profile& profile, const LatencyPredictor& predictor, const std::vector<Case>& cases,
                    const std::string& record_path) {
    const LatencyCalibration record = load_latency_calibration(record_path);
    if (!record.relevel) throw FormatError(record_path, "not a re-level record (no \"relevel\")");
    LatencyPredictor relevelled = predictor;
    relevelled.set_relevel(record.relevel->fit);
    const Case* unpruned = nullptr;
    for (const auto& c : cases)
        if (c.label == "unpruned" && c.a > 0 && c.b > 0) unpruned = &c;
    Agreement before, after, before_rel, after_rel, quiet_after;  // quiet: the two rounds agree within 5%
    Agreement after_faster, after_rel_faster;                         // each schedule at its faster round
    // Each schedule at the mean of its two rounds, or at its faster round when the other ran more
    // than 15% slower (a slow spell of the shared host: the rule the calibration record uses).
    auto typical = [](const Case& c) {
        const double lo = std::min(c.a, c.b), hi = std::max(c.a, c.b);
        return hi > 1.15 * lo ? lo : (c.a + c.b) / 2;
    };
    int spells = 0;
    for (const auto& c : cases) {
        if (c.a <= 0 || c.b <= 0 || c.label == "unpruned") continue;
        const double mean = typical(c);
        spells += mean != (c.a + c.b) / 2;
        const double p0 = predictor.predict_ms(c.schedule.tokens_after_block, c.schedule.method);
        const double p1 = relevelled.predict_ms(c.schedule.tokens_after_block, c.schedule.method);
        before.add(c.schedule.method, p0 / mean - 1);
        after.add(c.schedule.method, p1 / mean - 1);
        if (std::max(c.a, c.b) <= 1.05 * std::min(c.a, c.b)) quiet_after.add(c.schedule.method, p1 / mean - 1);
        // A shared host's interference only ever adds time, so the faster of two rounds is the one
        // least touched by it (the reading timeit recommends); the re-level itself is a quiet
        // measurement (its drift check), and this is the row the goal is judged on (decided before
        // the run of session 15 that reports it; the other rows stay for comparison).
        after_faster.add(c.schedule.method, p1 / std::min(c.a, c.b) - 1);
        std::fprintf(stderr, "re-levelled %s %s: measured %.4f / %.4f, predicted %.4f (%+.1f%%)\n", c.schedule.method.c_str(),
                     c.schedule.name.c_str(), c.a, c.b, p1, 100 * (p1 / mean - 1));
        if (unpruned) {
            const double measured_rel = mean / typical(*unpruned);
            before_rel.add(c.schedule.method, (p0 / predictor.unpruned_ms()) / measured_rel - 1);
            after_rel.add(c.schedule.method, (p1 / relevelled.unpruned_ms()) / measured_rel - 1);
            const double faster_rel = std::min(c.a, c.b) / std::min(unpruned->a, unpruned->b);
            after_rel_faster.add(c.schedule.method, (p1 / relevelled.unpruned_ms()) / faster_rel - 1);
        }
    }
    // Then schedules measured on this machine recorded into its record (predict --record-measured):
    // both rounds of every other schedule of each method, the others predicted held out.
    std::vector<MeasuredSchedule> train;
    std::vector<const Case*> held;
    std::map<std::string, int> seen;
    for (const auto& c : cases) {
        if (c.a <= 0 || c.b <= 0) continue;
        if (seen[c.schedule.method]++ % 2) held.push_back(&c);
        else
            for (int round : {1, 2}) train.push_back({c.schedule.method, c.schedule.tokens_after_block, round == 1 ? c.a : c.b, round, ""});
    }
    LatencyPredictor recorded = relevelled;
    apply_latency_calibration(recorded, train, 0.9);
    Agreement held_relevel, held_recorded;
    for (const Case* c : held) {
        if (c->label == "unpruned") continue;
        held_relevel.add(c->schedule.method, relevelled.predict_ms(c->schedule.tokens_after_block, c->schedule.method) / typical(*c) - 1);
        held_recorded.add(c->schedule.method, recorded.predict_ms(c->schedule.tokens_after_block, c->schedule.method) / typical(*c) - 1);
    }
    const RelevelRecord& r = *record.relevel;
    std::printf("\nre-level %s (measured %s in %.1f s on %s): blocks x%.3f %+.4f ms;", record_path.c_str(), r.date.c_str(),
                r.seconds, machine_label(*record.machine).c_str(), r.fit.scale, r.fit.offset_ms);
    for (const auto& [m, sc] : r.fit.op_scale) std::printf(" %s op x%.3f", m.c_str(), sc);
    std::printf("\nprofile machine vs this record's: %s\n",
                describe_differences(compare_identities(identity_of(profile.device, profile.settings), *record.machine)).c_str());
    std::printf("schedules at their faster round (the other > 15%% slower): %d\n", spells);
    // The re-level describes the machine in the state it was measured in; a shared host changes
    // state for tens of seconds at a time (session 15: a 40 s re-level at x1.75, the bench right
    // after at x1.2). The unpruned model, measured by the bench too, says whether the state held.
    if (unpruned) {
        const double change = std::min(unpruned->a, unpruned->b) / relevelled.unpruned_ms() - 1;
        std::printf("the unpruned model in the bench (faster round) against the re-level's: %+.1f%% — %s\n", 100 * change,
                    std::abs(change) <= 0.05 ? "the machine held the re-level's state"
                                             : "the machine changed state between the re-level and the bench: the "
                                               "absolute rows below judge a state the re-level did not measure");
    }
    std::printf("\n| prediction | schedules | within ±5%% | median |err| | worst |err| | within ±5%% per method |\n|---|---|---|---|---|---|\n");
    print_agreement("profile only", before);
    print_agreement("re-levelled", after);
    print_agreement("re-levelled, schedules whose rounds agree within 5%", quiet_after);
    print_agreement("re-levelled, each schedule at its faster round (judged)", after_faster);
    print_agreement("held out: re-levelled", held_relevel);
    print_agreement("held out: re-levelled + the other schedules recorded on this machine", held_recorded);
    std::printf("(recorded: host level %+.2f%%, method corrections", 100 * recorded.record_scale());
    for (const auto& [m, c] : recorded.method_corrections()) std::printf(" %s %+.4f ms", m.c_str(), c.ms_per_cut);
    std::printf(")\n");
    if (unpruned) {
        print_agreement("relative to unpruned, profile only", before_rel);
        print_agreement("relative to unpruned, re-levelled", after_rel);
        print_agreement("relative to unpruned, re-levelled, faster rounds", after_rel_faster);
    } else {
        std::printf("(no unpruned case in these measurements: no relative figures)\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    Args args;
    QStringList a = app.arguments();
    for (int i = 1; i + 1 < a.size(); i += 2) {
        if (a[i] == "--profile") args.profile = a[i + 1];
        else if (a[i] == "--cli") args.cli = a[i + 1];
        else if (a[i] == "--weights") args.weights = a[i + 1];
        else if (a[i] == "--schedules") args.schedules = a[i + 1].toInt();
        else if (a[i] == "--measure-rounds") args.measure_rounds = a[i + 1].toInt();
        else if (a[i] == "--seed") args.seed = a[i + 1].toUInt();
        else if (a[i] == "--out") args.out = a[i + 1];
        else if (a[i] == "--device") args.device = a[i + 1];
        else if (a[i] == "--save-measurements") args.save = a[i + 1];
        else if (a[i] == "--replay") args.replay = a[i + 1];
        else if (a[i] == "--save-calibration") args.save_calibration = a[i + 1];
        else if (a[i] == "--relevel") args.relevel = a[i + 1];
        else { std::cerr << "unknown option " << a[i].toStdString() << "\n"; return 2; }
    }
    if (args.cli.isEmpty()) args.cli = qEnvironmentVariable("TAILPRUNE_CLI");
    if (args.profile.isEmpty() || (args.cli.isEmpty() && args.replay.isEmpty())) {
        std::cerr << "usage: bench_latency_prediction --profile P --cli TAILPRUNE [--weights W] [--schedules N]\n";
        return 2;
    }
    try {
        Profile profile = load_profile(args.profile.toStdString());
        LatencyPredictor predictor(profile, [](const Curve& c) { return detect_steps(c); });
        std::vector<Case> cases;
        if (!args.replay.isEmpty()) {
            std::ifstream in(args.replay.toStdString());
            if (!in) throw FormatError(args.replay.toStdString(), "cannot open");
            cases = cases_from_json(nlohmann::json::parse(in), profile.model);
            for (auto& c : cases) {
                c.predicted = predictor.predict(c.schedule).latency_ms;
                std::fprintf(stderr, "%s %s: measured %.4f / %.4f predicted %.4f (%+.1f%%)\n", c.schedule.method.c_str(),
                             c.schedule.name.c_str(), c.a, c.b, c.predicted, 100 * (2 * c.predicted / (c.a + c.b) - 1));
            }
            std::printf("%zu schedules replayed from %s against %s\n", cases.size(), args.replay.toUtf8().constData(),
                        args.profile.toUtf8().constData());
        } else {
            cases = {unpruned_case(profile.model)};
            std::vector<Case> varied = varied_schedules(profile.model, args.schedules, args.seed);
            cases.insert(cases.end(), varied.begin(), varied.end());
            std::vector<Case> pairs = edge_pairs(profile, 20);
            const int next_pair = pairs.empty() ? 0 : pairs.back().pair + 1;
            std::vector<Case> periodic = periodic_pairs(profile, next_pair, 12);
            pairs.insert(pairs.end(), periodic.begin(), periodic.end());
            cases.insert(cases.end(), pairs.begin(), pairs.end());

            QTemporaryDir tmp;
            QString dir = args.out.isEmpty() ? tmp.path() : args.out;
            QDir().mkpath(dir);
            std::vector<QString> files;
            for (auto& c : cases) {
                c.predicted = predictor.predict(c.schedule).latency_ms;
                files.push_back(dir + "/" + QString::fromStdString(c.schedule.name) + ".schedule.json");
                save_schedule(c.schedule, files.back().toStdString());
            }
            std::printf("%zu schedules (%zu in edge pairs) on %s, model %s; measuring in two rounds ...\n", cases.size(),
                        pairs.size(), profile.device.name.c_str(), profile.model.name.c_str());
            for (int round = 0; round < 2; ++round)
                for (std::size_t i = 0; i < cases.size(); ++i) {
                    double ms = measure(args, files[i]);
                    (round ? cases[i].b : cases[i].a) = ms;
                    std::fprintf(stderr, "round %d [%zu/%zu] %s %s: measured %.4f predicted %.4f\n", round + 1, i + 1,
                                 cases.size(), cases[i].schedule.method.c_str(), cases[i].schedule.name.c_str(), ms,
                                 cases[i].predicted);
                }
            if (!args.save.isEmpty()) std::ofstream(args.save.toStdString()) << to_json(cases, profile).dump(1) << "\n";
        }

        if (!args.save_calibration.isEmpty()) {
            LatencyCalibration record;
            record.device = profile.device.identity();
            record.model = profile.model.name;
            for (const auto& c : cases)
                for (int round : {1, 2})
                    if (double ms = round == 1 ? c.a : c.b; ms > 0)
                        record.entries.push_back({c.schedule.method, c.schedule.tokens_after_block, ms, round, ""});
            save_latency_calibration(record, args.save_calibration.toStdString());
            std::printf("calibration record (%zu entries) written to %s\n", record.entries.size(),
                        args.save_calibration.toUtf8().constData());
        }

        // Accuracy of the prediction.
        std::vector<double> abs_err;
        int within5 = 0, within10 = 0, within_rr = 0, n = 0, a5 = 0, b5 = 0;
        std::vector<double> rr;
        for (const auto& c : cases) {
            if (c.a <= 0 || c.b <= 0) continue;
            double mean = (c.a + c.b) / 2, err = c.predicted / mean - 1;
            abs_err.push_back(std::abs(err));
            within5 += std::abs(err) <= 0.05;
            within10 += std::abs(err) <= 0.10;
            a5 += std::abs(c.predicted / c.a - 1) <= 0.05;
            b5 += std::abs(c.predicted / c.b - 1) <= 0.05;
            within_rr += std::abs(c.predicted - mean) <= std::abs(c.a - c.b);
            rr.push_back(std::abs(c.a - c.b) / mean);
            ++n;
        }
        std::printf("\n| schedules | within ±5%% | within ±10%% | median |err| | worst |err| | within round-to-round disagreement | median round-to-round disagreement |\n|---|---|---|---|---|---|---|\n");
        std::printf("| %d | %.1f%% | %.1f%% | %.2f%% | %.2f%% | %.1f%% | %.2f%% |\n", n, 100.0 * within5 / n, 100.0 * within10 / n,
                    100 * quantile(abs_err, 0.5), 100 * quantile(abs_err, 1.0), 100.0 * within_rr / n, 100 * quantile(rr, 0.5));
        std::printf("\nwithin ±5%% of round A alone: %.1f%%, of round B alone: %.1f%%\n", 100.0 * a5 / n, 100.0 * b5 / n);
        // |pred − mean| ≤ |A − B| per schedule is a coin flip on a quiet host: even the true mean lies
        // that close for only ~70% of schedules (mean − μ ~ N(0, σ²/2) against |A − B| ~ |N(0, 2σ²)|).
        // Predicting is as good as measuring again when the error quantiles match the disagreement's.
        const double rr95 = quantile(rr, 0.95);
        int within_rr95 = 0;
        for (double e : abs_err) within_rr95 += e <= rr95;
        std::printf("\n| quantile | prediction |err| | round-to-round disagreement |\n|---|---|---|\n");
        for (double q : {0.5, 0.9, 0.95})
            std::printf("| p%.0f | %.2f%% | %.2f%% |\n", 100 * q, 100 * quantile(abs_err, q), 100 * quantile(rr, q));
        std::printf("\nwithin this host's round-to-round disagreement (its p95, %.2f%%): %.1f%%\n", 100 * rr95,
                    100.0 * within_rr95 / n);

        // Per method.
        std::printf("\n| method | schedules | within ±5%% | median |err| | mean signed err |\n|---|---|---|---|---|\n");
        for (const std::string m : {"pomt", "pomt_nomerge", "topk", "zerotprune", "tome", "random"}) {
            std::vector<double> e;
            double signed_sum = 0;
            int w5 = 0;
            for (const auto& c : cases)
                if (c.schedule.method == m && c.a > 0 && c.b > 0) {
                    double err = c.predicted / ((c.a + c.b) / 2) - 1;
                    e.push_back(std::abs(err));
                    signed_sum += err;
                    w5 += std::abs(err) <= 0.05;
                }
            if (!e.empty())
                std::printf("| %s | %zu | %.0f%% | %.2f%% | %+.2f%% |\n", m.c_str(), e.size(), 100.0 * w5 / e.size(),
                            100 * quantile(e, 0.5), 100 * signed_sum / e.size());
        }

        // Calibration, held out: the record is both rounds of every other schedule of each method (method
        // corrections + band, as `tailprune predict` applies a calibration record); the other
        // schedules, never seen by it, are predicted again and checked against both rounds.
        std::vector<MeasuredSchedule> train;
        std::vector<std::size_t> held;
        std::map<std::string, int> seen;  // alternate within each method, so every method is on both sides
        for (std::size_t i = 0; i < cases.size(); ++i) {
            if (seen[cases[i].schedule.method]++ % 2) held.push_back(i);
            else
                for (int round : {1, 2})
                    if (double ms = round == 1 ? cases[i].a : cases[i].b; ms > 0)
                        train.push_back({cases[i].schedule.method, cases[i].schedule.tokens_after_block, ms, round, ""});
        }
        LatencyPredictor calibrated = predictor;
        apply_latency_calibration(calibrated, train, 0.9);
        const LatencyBand& band = calibrated.band();
        int covered = 0, checked = 0, held5 = 0, held10 = 0, held_rr = 0, raw5 = 0, raw_rr = 0, held_rr95 = 0, raw_rr95 = 0;
        std::vector<double> held_err;
        for (std::size_t i : held) {
            const Case& c = cases[i];
            if (c.a <= 0 || c.b <= 0) continue;
            const double p = calibrated.predict_ms(c.schedule.tokens_after_block, c.schedule.method), mean = (c.a + c.b) / 2;
            ++checked;
            covered += c.b >= p * (1 + band.low_rel) && c.b <= p * (1 + band.high_rel);
            held_err.push_back(std::abs(p / mean - 1));
            held5 += std::abs(p / mean - 1) <= 0.05;
            held10 += std::abs(p / mean - 1) <= 0.10;
            held_rr += std::abs(p - mean) <= std::abs(c.a - c.b);
            held_rr95 += std::abs(p / mean - 1) <= rr95;
            raw_rr95 += std::abs(c.predicted / mean - 1) <= rr95;
            std::fprintf(stderr, "held out %s %s: measured %.4f / %.4f, calibrated prediction %.4f (%+.1f%%)%s\n",
                         c.schedule.method.c_str(), c.schedule.name.c_str(), c.a, c.b, p, 100 * (p / mean - 1),
                         std::abs(p - mean) <= std::abs(c.a - c.b) ? "" : "  outside the rounds' disagreement");
            raw5 += std::abs(c.predicted / mean - 1) <= 0.05;
            raw_rr += std::abs(c.predicted - mean) <= std::abs(c.a - c.b);
        }
        std::printf("\ncalibration from %zu measurements (both rounds of every other schedule of each method); method corrections per pruning point:",
                    train.size());
        for (const auto& [m, c] : calibrated.method_corrections()) std::printf(" %s %+.4f ms (%d)", m.c_str(), c.ms_per_cut, c.samples);
        std::printf("; host level %+.2f%%", 100 * calibrated.record_scale());
        std::printf("\n\n| held-out schedules | prediction | within ±5%% | within ±10%% | median |err| | within round-to-round disagreement |\n|---|---|---|---|---|---|\n");
        std::printf("| %d | profile only | %.1f%% | | | %.1f%% |\n", checked, checked ? 100.0 * raw5 / checked : 0.0,
                    checked ? 100.0 * raw_rr / checked : 0.0);
        std::printf("| %d | profile + calibration | %.1f%% | %.1f%% | %.2f%% | %.1f%% |\n", checked,
                    checked ? 100.0 * held5 / checked : 0.0, checked ? 100.0 * held10 / checked : 0.0,
                    100 * quantile(held_err, 0.5), checked ? 100.0 * held_rr / checked : 0.0);
        std::printf("\nheld out within this host's round-to-round disagreement (p95 %.2f%%): profile only %.1f%%, + calibration %.1f%%\n",
                    100 * rr95, checked ? 100.0 * raw_rr95 / checked : 0.0, checked ? 100.0 * held_rr95 / checked : 0.0);
        std::printf("\nband (90%%, calibrated on %d measurements): %+.2f%% .. %+.2f%%; covers %d/%d held-out round-B measurements (%.1f%%)\n",
                    band.samples, 100 * band.low_rel, 100 * band.high_rel, covered, checked, checked ? 100.0 * covered / checked : 0.0);

        // Pairs one token apart: the predicted difference has the measured sign (both rounds' mean).
        for (const std::string kind : {"edge", "period"}) {
            int agree = 0, total_pairs = 0;
            for (std::size_t i = 0; i + 1 < cases.size(); ++i) {
                const Case &lo = cases[i], &hi = cases[i + 1];
                if (lo.pair < 0 || hi.pair != lo.pair || lo.label != kind + "-low" || lo.a <= 0 || hi.a <= 0) continue;
                double measured = (hi.a + hi.b) / 2 - (lo.a + lo.b) / 2, predicted = hi.predicted - lo.predicted;
                ++total_pairs;
                agree += (measured > 0) == (predicted > 0);
                std::fprintf(stderr, "%s pair %d: measured %+.4f ms, predicted %+.4f ms\n", kind.c_str(), lo.pair, measured, predicted);
            }
            const char* what = kind == "edge" ? "edge pairs (across a detected edge of a deployed curve)"
                                              : "periodic pairs (a fast residue of a deployed curve's period, and one token more)";
            if (total_pairs)
                std::printf("%s: predicted difference has the measured sign for %d/%d (%.0f%%)\n", what, agree, total_pairs,
                            100.0 * agree / total_pairs);
            else
                std::printf("%s: none on this profile\n", what);
        }
        if (!args.relevel.isEmpty()) report_relevel(profile, predictor, cases, args.relevel.toStdString());
        std::printf("context correction: offset %.4f ms, scale %+.2f%% (fitted on %d whole-model/deployed points)\n",
                    predictor.context_offset_ms(), 100 * predictor.context_scale(), predictor.context_points());
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
