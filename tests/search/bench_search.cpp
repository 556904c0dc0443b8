// bench_search: the time of a whole schedule search (core/search) for a 12-block model (deit_small
// shaped, 197 tokens), all six pruning methods, on the five synthetic devices of the editor's tests
// (GPUs with 16-, 32-, 48- and 64-token tiles and a CPU with an n mod 4 pattern), worst case; the
// goal is under 1 s. Accuracy models are fitted once beforehand on exact evaluations of a known
// truth (their fit is timed apart: the studio and the CLI fit once per calibration).
//
//   bench_search [--repeats 3] [--beam 24] [--exact-limit 200000]
#include <QCoreApplication>

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/search/schedule_search.h"
#include "core/search/search_objective.h"
#include "tests/search/search_fixtures.h"

using namespace tp;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int arg_int(const QStringList& args, const QString& name, int fallback) {
    const int i = int(args.indexOf(name));
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int repeats = arg_int(args, "--repeats", 3);
    SearchSettings settings;
    settings.beam_width = arg_int(args, "--beam", settings.beam_width);
    settings.exact_limit = arg_int(args, "--exact-limit", int(settings.exact_limit));

    auto start = Clock::now();
    const auto profiles = test::five_device_profiles();
    std::vector<std::unique_ptr<ProfileAnalysis>> analyses;
    SearchInputs in;
    for (const auto& p : profiles) {
        analyses.push_back(std::make_unique<ProfileAnalysis>(p, ""));
        in.devices.push_back(analyses.back().get());
    }
    const double analyse_s = seconds_since(start);
    start = Clock::now();
    const std::vector<std::string> methods{"pomt", "pomt_nomerge", "topk", "zerotprune", "tome", "random"};
    const AccuracyCalibration calibration = test::exact_calibration(test::deit_small_model(), methods);
    std::map<std::string, std::unique_ptr<AccuracyModel>> models;
    for (const auto& method : methods) {
        models[method] = std::make_unique<AccuracyModel>(AccuracyModel::fit(calibration, method));
        in.accuracy[method] = models[method].get();
    }
    const double fit_s = seconds_since(start);
    std::printf("bench_search: deit_small shape (12 blocks, 197 tokens), 6 methods, 5 devices, worst case\n");
    std::printf("  analyses of the 5 profiles: %.3f s; accuracy fits of 6 methods: %.3f s (once per calibration)\n",
                analyse_s, fit_s);
    double best = 1e9, total = 0;
    SearchResult r;
    for (int i = 0; i < repeats; ++i) {
        start = Clock::now();
        const std::clock_t cpu = std::clock();
        r = search_schedules(in, settings);
        const double s = seconds_since(start);
        const double cpu_s = double(std::clock() - cpu) / CLOCKS_PER_SEC;
        best = std::min(best, s);
        total += s;
        std::printf("  search %d: %.3f s wall, %.3f s CPU (the difference: other processes on the cores)\n", i + 1, s, cpu_s);
    }
    std::printf("search: best %.3f s, mean %.3f s over %d runs (goal < 1 s): %s\n", best, total / repeats, repeats,
                best < 1.0 ? "met" : "NOT met");
    std::printf("  space %lld schedules, %lld evaluated, front %zu, %s\n", r.space, r.evaluated, r.front.size(),
                r.exact ? "exact" : "approximate");
    for (const auto& s : r.strategies) std::printf("  %s\n", s.c_str());
    SearchObjective o;
    const ObjectiveChoice c = apply_objective(r, o);
    if (c.best >= 0) {
        const SearchEntry& e = r.front[std::size_t(c.best)];
        std::printf("  fastest with drop ≤ 1 pp: %s, %.1f%% of unpruned (worst device %s), top-1 %.2f%%\n",
                    e.schedule.name.c_str(), e.predicted_pct, e.devices[std::size_t(e.objective_device)].device.c_str(),
                    100 * e.predicted_top1);
    }
    return 0;
}
