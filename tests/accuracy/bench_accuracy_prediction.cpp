// bench_accuracy_prediction: predicted vs measured top-1 of held-out schedules (not in the
// calibration plan) evaluated for real on a whole Fashion-MNIST split, the test split by default
// (issue 13).
//
//   bench_accuracy_prediction --weights W --calibration C --cli build/app/tailprune
//       [--schedules 60] [--seed 7] [--methods pomt,topk,...] [--card W.card.json] [--split test|holdout]
//       [--save measured.json | --replay measured.json] [--variant NAME] [--transfer other-split.json]
//
// Predictions are for the split measured on: its anchor (calibration record or model card, issue 26)
// minus the predicted drop (a replay's split is the saved file's). Prints, per method and overall: the share of predictions within
// max(1 pp, 2 SE) of the measured top-1 (SE of the measurement on the test set), median, worst and
// mean signed error, and how often the band (for a measurement on that many images) covers the
// measured value. --save writes every measurement; --replay predicts the saved measurements (the
// file's schedules) again without evaluating (to try a model change; its figures say "replayed"). --variant picks
// named fit settings (accuracy_variants.h; default: the shipped model) to report what a variant
// gives; variants are chosen by bench_accuracy_cv on the calibration, never by these figures.
// --transfer F (the same schedules saved measured on another split) compares each schedule's
// measured *drop* (the split's anchor minus its top-1) on the two splits: how far drops move between
// splits bounds what any model calibrated on one split can do on the other.
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <functional>
#include <map>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "accuracy_variants.h"
#include "core/accuracy/accuracy_model.h"
#include "core/accuracy/calibration_plan.h"
#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/model/schedule_json.h"

using namespace tp;

namespace {

std::vector<std::vector<int>> held_out(const ModelInfo& model, const std::string& method, int count, unsigned seed,
                                       const AccuracyCalibration& cal) {
    std::mt19937 rng(seed);
    auto uniform = [&](int lo, int hi) { return lo + static_cast<int>(rng() % unsigned(hi - lo + 1)); };
    const int depth = model.depth, n = model.tokens;
    std::set<std::vector<int>> seen;
    std::vector<std::vector<int>> out;
    for (int i = 0; static_cast<int>(out.size()) < count && i < count * 100; ++i) {
        std::vector<int> tokens;
        if (method == "tome") {
            // r per block varies by block (not ToMe's own constant/decreasing schedules of the plan).
            tokens.assign(static_cast<std::size_t>(depth), n);
            int in = n;
            int start = uniform(0, depth / 2);
            for (int b = start; b < depth; ++b) {
                int r = uniform(0, std::max(0, std::min((in - 1) / 2, (n - 2) / depth + 2)));
                in = std::max(2, in - r);
                for (int k = b; k < depth; ++k) tokens[static_cast<std::size_t>(k)] = in;
            }
        } else {
            int points = uniform(1, method == "topk" ? 4 : 3), previous = n, block = -1;
            std::vector<PruningPoint> pts;
            for (int p = 0; p < points && block < depth - 2; ++p) {
                block = uniform(block + 1, std::min(depth - 2, block + 3));
                int lo = std::max(min_tokens_after_pruning(method, previous), std::max(2, n / 6));
                if (lo >= previous) break;
                int t = uniform(std::max(lo, previous / 2), previous - 1);
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
        if (seen.count(tokens) || cal.find(method, tokens)) continue;
        seen.insert(tokens);
        out.push_back(tokens);
    }
    return out;
}

struct Row {
    std::string method;
    std::vector<int> tokens;
    double predicted = 0, low = 0, high = 0, measured = 0;
    long images = 0;
};

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QString weights, calibration, card, save, replay, transfer, split, variant = "default",
                                                            cli = qEnvironmentVariable("TAILPRUNE_CLI");
    int schedules = 60;
    unsigned seed = 7;
    std::vector<std::string> methods;
    QStringList a = app.arguments();
    for (int i = 1; i + 1 < a.size(); i += 2) {
        if (a[i] == "--weights") weights = a[i + 1];
        else if (a[i] == "--calibration") calibration = a[i + 1];
        else if (a[i] == "--cli") cli = a[i + 1];
        else if (a[i] == "--card") card = a[i + 1];
        else if (a[i] == "--save") save = a[i + 1];
        else if (a[i] == "--replay") replay = a[i + 1];
        else if (a[i] == "--variant") variant = a[i + 1];
        else if (a[i] == "--split") split = a[i + 1];
        else if (a[i] == "--transfer") transfer = a[i + 1];
        else if (a[i] == "--schedules") schedules = a[i + 1].toInt();
        else if (a[i] == "--seed") seed = a[i + 1].toUInt();
        else if (a[i] == "--methods") for (const auto& m : a[i + 1].split(',')) methods.push_back(m.toStdString());
        else { std::cerr << "unknown option " << a[i].toStdString() << "\n"; return 2; }
    }
    if (card.isEmpty() && weights.endsWith(".safetensors")) card = weights.chopped(int(qstrlen(".safetensors"))) + ".card.json";
    if (calibration.isEmpty() || (replay.isEmpty() && (weights.isEmpty() || cli.isEmpty()))) {
        std::cerr << "usage: bench_accuracy_prediction --weights W --calibration C --cli TAILPRUNE [--schedules N]\n";
        return 2;
    }
    try {
        AccuracyCalibration cal = load_accuracy_calibration(calibration.toStdString());
        std::map<std::string, AccuracyModel> models;
        if (methods.empty())
            for (const auto& e : cal.evaluations)
                if (e.method != "none" && std::find(methods.begin(), methods.end(), e.method) == methods.end()) methods.push_back(e.method);
        const std::vector<AccuracyAnchor> card_anchors =
            !card.isEmpty() && QFile::exists(card) ? read_card_anchors(card.toStdString()) : std::vector<AccuracyAnchor>{};
        auto read_saved = [](const QString& path) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + path.toStdString());
            return nlohmann::json::parse(f.readAll().toStdString());
        };
        const nlohmann::json saved = replay.isEmpty() ? nlohmann::json::object() : read_saved(replay);
        if (!replay.isEmpty()) {
            const std::string saved_split = saved.value("split", "test");
            if (!split.isEmpty() && split.toStdString() != saved_split)
                throw std::runtime_error(replay.toStdString() + " was measured on the " + saved_split + " split, not " + split.toStdString());
            split = QString::fromStdString(saved_split);
        }
        if (split.isEmpty()) split = "test";
        if (split != "test" && split != "holdout") throw std::runtime_error("--split is test or holdout");
        const ResolvedAnchor anchor = resolve_anchor(split.toStdString(), cal.anchors, card_anchors);
        const auto variants = test::accuracy_variants();
        if (!variants.count(variant.toStdString())) throw std::runtime_error("unknown --variant " + variant.toStdString());
        const AccuracyFitSettings& fit_settings = variants.at(variant.toStdString());
        for (const auto& m : methods) models.emplace(m, AccuracyModel::fit(cal, m, fit_settings)).first->second.anchor_to(anchor);
        std::map<std::pair<std::string, std::vector<int>>, std::pair<double, long>> replayed;
        if (!replay.isEmpty()) {
            for (const auto& e : saved.at("measurements"))
                replayed[{e.at("method").get<std::string>(), e.at("tokens_after_block").get<std::vector<int>>()}] = {
                    e.at("top1").get<double>(), e.at("images").get<long>()};
        }
        const int per_method = (schedules + static_cast<int>(methods.size()) - 1) / static_cast<int>(methods.size());

        QTemporaryDir tmp;
        std::vector<Row> rows;
        int index = 0;
        // Measuring: seeded schedules not in the calibration. Replaying: the saved file's schedules
        // (any set measured on a split, e.g. new calibration evaluations before they join), minus
        // any the calibration holds (those are not held out).
        auto schedules_of = [&](const std::string& m) {
            if (replay.isEmpty()) return held_out(cal.model, m, per_method, seed + static_cast<unsigned>(index), cal);
            std::vector<std::vector<int>> out;
            for (const auto& e : saved.at("measurements")) {
                if (e.at("method").get<std::string>() != m) continue;
                auto tokens = e.at("tokens_after_block").get<std::vector<int>>();
                if (cal.find(m, tokens)) std::cerr << "skipped: a " << m << " schedule of " << replay.toStdString() << " is in the calibration\n";
                else out.push_back(std::move(tokens));
            }
            return out;
        };
        for (const auto& m : methods) {
            for (const auto& tokens : schedules_of(m)) {
                const int this_index = index++;
                Row r;
                r.method = m;
                r.tokens = tokens;
                if (!replay.isEmpty()) {
                    auto it = replayed.find({m, tokens});
                    if (it == replayed.end()) {
                        std::cerr << "not in " << replay.toStdString() << ": a " << m << " schedule\n";
                        continue;
                    }
                    r.measured = it->second.first;
                    r.images = it->second.second;
                } else {
                    Schedule s;
                    s.model = cal.model;
                    s.method = m;
                    s.name = "heldout-" + std::to_string(this_index);
                    s.tokens_after_block = tokens;
                    const QString path = tmp.filePath(QString::fromStdString(s.name) + ".json");
                    save_schedule(s, path.toStdString());
                    QProcess p;
                    p.start(cli, {"evaluate", "--weights", weights, "--split", split, "--schedule", path, "--method",
                                  QString::fromStdString(m), "--json", "--quiet", "--threads", "1"});
                    if (!p.waitForFinished(900000) || p.exitCode() != 0) {
                        std::cerr << "evaluate failed: " << p.readAllStandardError().toStdString() << "\n";
                        continue;
                    }
                    auto doc = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
                    r.measured = doc["top1"].get<double>();
                    r.images = doc["images"].get<long>();
                }
                AccuracyPrediction pred = models.at(m).predict(tokens, static_cast<int>(r.images));
                r.predicted = pred.top1.value;
                r.low = pred.top1.low;
                r.high = pred.top1.high;
                rows.push_back(r);
                std::fprintf(stderr, "[%zu] %s: measured %.4f predicted %.4f [%.4f, %.4f]\n", rows.size(), m.c_str(),
                             r.measured, r.predicted, r.low, r.high);
            }
        }
        if (!save.isEmpty()) {
            nlohmann::json doc = {{"split", split.toStdString()}, {"measurements", nlohmann::json::array()}};
            for (const auto& r : rows)
                doc["measurements"].push_back({{"method", r.method}, {"tokens_after_block", r.tokens}, {"top1", r.measured},
                                               {"images", r.images}});
            QFile f(save);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(QByteArray::fromStdString(doc.dump(1))) < 0)
                throw std::runtime_error("cannot write " + save.toStdString());
        }
        std::printf("%s; model variant %s; predictions for the %s split: %s\n",
                    replay.isEmpty() ? "measured in this run" : ("REPLAYED from " + replay.toStdString()).c_str(),
                    variant.toStdString().c_str(), split.toStdString().c_str(), anchor.describe().c_str());
        std::printf("| method | schedules | within max(1 pp, 2 SE) | band covers | median |err| pp | worst |err| pp | mean signed err pp |\n|---|---|---|---|---|---|---|\n");
        auto report = [&](const std::string& name, const std::function<bool(const Row&)>& take) {
            int n = 0, within = 0, covered = 0;
            double signed_sum = 0;
            std::vector<double> errs;
            for (const auto& r : rows) {
                if (!take(r)) continue;
                ++n;
                double se = std::sqrt(r.measured * (1 - r.measured) / std::max<long>(r.images, 1));
                double err = std::abs(r.predicted - r.measured);
                within += err <= std::max(0.01, 2 * se);
                covered += r.measured >= r.low && r.measured <= r.high;
                errs.push_back(100 * err);
                signed_sum += 100 * (r.predicted - r.measured);
            }
            if (!n) return;
            std::sort(errs.begin(), errs.end());
            std::printf("| %s | %d | %.1f%% | %.1f%% | %.2f | %.2f | %+.2f |\n", name.c_str(), n, 100.0 * within / n,
                        100.0 * covered / n, errs[errs.size() / 2], errs.back(), signed_sum / n);
        };
        for (const auto& m : methods) report(m, [&](const Row& r) { return r.method == m; });
        report("all", [](const Row&) { return true; });
        for (const auto& m : methods) {
            const auto& rep = models.at(m).report();
            std::printf("%s: %d calibration evaluations on %s, unpruned %.2f%% there (anchor %.2f%%), LOO RMS %.2f pp, gamma %.2f, beta %.1f (%s), rho %.2f, %s damage\n",
                        m.c_str(), rep.evaluations, cal.subset.label().c_str(), 100 * rep.baseline_top1,
                        100 * models.at(m).predict_top1(std::vector<int>(static_cast<std::size_t>(cal.model.depth), cal.model.tokens)),
                        100 * rep.loo_rmse_top1, rep.gamma, rep.beta, rep.thinning_next ? "next cut" : "final count", rep.absorb, rep.convex ? "convex" : "monotone");
        }
        if (!transfer.isEmpty()) {
            const nlohmann::json other = read_saved(transfer);
            const std::string other_split = other.value("split", "test");
            if (other_split == split.toStdString()) throw std::runtime_error(transfer.toStdString() + " is of the same split");
            const ResolvedAnchor other_anchor = resolve_anchor(other_split, cal.anchors, card_anchors);
            std::map<std::pair<std::string, std::vector<int>>, double> other_top1;
            for (const auto& e : other.at("measurements"))
                other_top1[{e.at("method").get<std::string>(), e.at("tokens_after_block").get<std::vector<int>>()}] =
                    e.at("top1").get<double>();
            std::printf("\ndrops on the %s split (anchor %.2f%%) against the same schedules' drops on the %s split (anchor %.2f%%),\n"
                        "as if a model predicted the %s drop exactly (%s):\n",
                        split.toStdString().c_str(), 100 * anchor.top1, other_split.c_str(), 100 * other_anchor.top1,
                        other_split.c_str(), transfer.toStdString().c_str());
            std::printf("| method | schedules | within max(1 pp, 2 SE) | RMS pp | worst pp | mean signed pp (%s − %s) |\n|---|---|---|---|---|---|\n",
                        other_split.c_str(), split.toStdString().c_str());
            auto drops = [&](const std::string& name, const std::function<bool(const Row&)>& take) {
                int n = 0, within = 0;
                double sq = 0, worst = 0, signed_sum = 0;
                for (const auto& r : rows) {
                    auto it = other_top1.find({r.method, r.tokens});
                    if (!take(r) || it == other_top1.end()) continue;
                    const double diff = (other_anchor.top1 - it->second) - (anchor.top1 - r.measured);
                    const double se = std::sqrt(r.measured * (1 - r.measured) / std::max<long>(r.images, 1));
                    ++n;
                    within += std::abs(diff) <= std::max(0.01, 2 * se);
                    sq += diff * diff;
                    worst = std::max(worst, std::abs(diff));
                    signed_sum += diff;
                }
                if (n)
                    std::printf("| %s | %d | %.1f%% | %.2f | %.2f | %+.2f |\n", name.c_str(), n, 100.0 * within / n,
                                100 * std::sqrt(sq / n), 100 * worst, 100 * signed_sum / n);
            };
            for (const auto& m : methods) drops(m, [&](const Row& r) { return r.method == m; });
            drops("all", [](const Row&) { return true; });
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
