// bench_accuracy_cv: leave-one-out cross-validation of accuracy-model variants on the calibration
// evaluations only (never the held-out test measurements): each multi-point evaluation is left
// out in turn, the model is fitted again on the rest (every choice inside the fit made again) and
// the left-out evaluation predicted. Multi-point evaluations are where the variants differ.
//
//   bench_accuracy_cv --calibration C [--methods pomt,topk] [--variants default,additive]
//                     [--kinds multi|all] [--nested use|drop|skip]
//
// Prints per method and variant: evaluations left out, RMS and median |error| (pp, on the
// calibration subset: each carries its own sampling error), share within 1 pp, mean signed error.
#include <QCoreApplication>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

#include "accuracy_variants.h"
#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/calibration_plan.h"

using namespace tp;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QString calibration, kinds = "multi";
    bool verbose = false;
    QString nested = "use";  // use | drop: fit without the plan's nested pairs | skip: keep them, never leave them out
    std::vector<std::string> methods, variants;
    QStringList a = app.arguments();
    for (int i = 1; i + 1 < a.size(); i += 2) {
        if (a[i] == "--calibration") calibration = a[i + 1];
        else if (a[i] == "--methods") for (const auto& m : a[i + 1].split(',')) methods.push_back(m.toStdString());
        else if (a[i] == "--variants") for (const auto& m : a[i + 1].split(',')) variants.push_back(m.toStdString());
        else if (a[i] == "--kinds") kinds = a[i + 1];
        else if (a[i] == "--verbose") verbose = a[i + 1] == "1";
        else if (a[i] == "--nested") nested = a[i + 1];
        else { std::cerr << "unknown option " << a[i].toStdString() << "\n"; return 2; }
    }
    if (calibration.isEmpty()) {
        std::cerr << "usage: bench_accuracy_cv --calibration C [--methods M,...] [--variants V,...] [--kinds multi|all]\n";
        return 2;
    }
    const auto all_variants = test::accuracy_variants();
    if (variants.empty()) for (const auto& [name, s] : all_variants) variants.push_back(name);
    try {
        AccuracyCalibration cal = load_accuracy_calibration(calibration.toStdString());
        // The plan's nested pairs (calibration_plan.h): --nested drop fits without them, --nested
        // skip keeps them in every fit but leaves out only the other evaluations, so the two
        // compare what the pairs add on the same left-out evaluations.
        std::set<std::pair<std::string, std::vector<int>>> pairs;
        {
            CalibrationPlanSettings with, without;
            without.nested_pairs = false;
            for (const auto& m : methods.empty() ? std::vector<std::string>{"pomt", "pomt_nomerge", "topk", "zerotprune", "random"} : methods) {
                if (m == "tome") continue;
                std::set<std::vector<int>> base;
                for (const auto& p : calibration_plan(cal.model, m, without)) base.insert(p.tokens_after_block);
                for (const auto& p : calibration_plan(cal.model, m, with))
                    if (!base.count(p.tokens_after_block)) pairs.insert({m, p.tokens_after_block});
            }
        }
        if (nested == "drop")
            cal.evaluations.erase(std::remove_if(cal.evaluations.begin(), cal.evaluations.end(),
                                                 [&](const AccuracyEvaluation& e) { return pairs.count({e.method, e.tokens_after_block}) > 0; }),
                                  cal.evaluations.end());
        if (methods.empty())
            for (const auto& e : cal.evaluations)
                if (e.method != "none" && std::find(methods.begin(), methods.end(), e.method) == methods.end()) methods.push_back(e.method);
        std::printf("leave-one-out over the %s evaluations of %s (%s)\n", kinds == "all" ? "pruned" : "multi-point",
                    calibration.toStdString().c_str(), cal.subset.label().c_str());
        std::printf("| method | variant | left out | RMS pp | median |err| pp | within 1 pp | mean signed pp | beta (all data) | rho (all data) |\n|---|---|---|---|---|---|---|---|---|\n");
        std::map<std::string, std::vector<double>> pooled;
        for (const auto& m : methods) {
            for (const auto& v : variants) {
                const AccuracyFitSettings& s = all_variants.at(v);
                std::vector<double> errs;
                for (std::size_t i = 0; i < cal.evaluations.size(); ++i) {
                    const auto& e = cal.evaluations[i];
                    if (e.method != m) continue;
                    int cuts = 0, previous = cal.model.tokens;
                    for (int t : e.tokens_after_block) cuts += t < previous, previous = t;
                    if (cuts == 0 || (kinds != "all" && cuts < 2)) continue;
                    if (nested == "skip" && pairs.count({m, e.tokens_after_block})) continue;
                    AccuracyCalibration rest = cal;
                    rest.evaluations.erase(rest.evaluations.begin() + static_cast<std::ptrdiff_t>(i));
                    const AccuracyModel model = AccuracyModel::fit(rest, m, s);
                    errs.push_back(100 * (model.predict_top1(e.tokens_after_block) - e.top1));
                    if (verbose) {
                        std::fprintf(stderr, "%s %s [", m.c_str(), v.c_str());
                        for (int t : e.tokens_after_block) std::fprintf(stderr, " %d", t);
                        std::fprintf(stderr, " ] measured %.2f error %+.2f pp\n", 100 * e.top1, errs.back());
                    }
                }
                if (errs.empty()) continue;
                const AccuracyModel full = AccuracyModel::fit(cal, m, s);
                double sq = 0, sum = 0;
                int within = 0;
                std::vector<double> abs;
                for (double x : errs) sq += x * x, sum += x, within += std::abs(x) <= 1.0, abs.push_back(std::abs(x));
                std::sort(abs.begin(), abs.end());
                auto& p = pooled[v];
                p.insert(p.end(), errs.begin(), errs.end());
                std::printf("| %s | %s | %zu | %.2f | %.2f | %.0f%% | %+.2f | %.1f | %.2f |\n", m.c_str(), v.c_str(), errs.size(),
                            std::sqrt(sq / errs.size()), abs[abs.size() / 2], 100.0 * within / errs.size(), sum / errs.size(),
                            full.report().beta, full.report().absorb);
                std::fflush(stdout);
            }
        }
        for (const auto& [v, errs] : pooled) {
            double sq = 0, sum = 0;
            int within = 0;
            for (double x : errs) sq += x * x, sum += x, within += std::abs(x) <= 1.0;
            std::printf("| all | %s | %zu | %.2f | | %.0f%% | %+.2f | |\n", v.c_str(), errs.size(), std::sqrt(sq / errs.size()),
                        100.0 * within / errs.size(), sum / errs.size());
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
