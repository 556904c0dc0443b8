#pragma once
// Header-only conversion between the accuracy calibration and the store's calibration rows (one
// row per metric). It lives with the store (included only where the store is built,
// TAILPRUNE_HAS_STORE), so core/accuracy does not depend on SQLite.
#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/accuracy/accuracy_data.h"
#include "core/store/store.h"
#include "core/util/format_error.h"

namespace tp {

inline std::vector<store::Calibration> to_store_rows(const AccuracyCalibration& cal, const AccuracyEvaluation& e,
                                                     const std::string& date) {
    std::vector<store::Calibration> rows;
    for (const char* metric : {"top1", "top5"}) {
        store::Calibration row;
        row.model = cal.model;
        row.dataset = cal.subset.dataset;
        row.subset = cal.subset.label();
        row.method = e.method;
        row.metric = metric;
        row.date = date;
        row.tokens_after_block = e.tokens_after_block;
        row.value = std::string(metric) == "top1" ? e.top1 : e.top5;
        row.images = e.images;
        rows.push_back(row);
    }
    return rows;
}

// The subset a store label names ("fashion-mnist/holdout/2000@seed1", AccuracySubset::label), or
// none when the label is not one label() writes (a stored label is input from others too).
inline std::optional<AccuracySubset> subset_from_label(const std::string& label) {
    const auto a = label.find('/'), b = label.find('/', a == std::string::npos ? a : a + 1), at = label.rfind("@seed");
    if (a == std::string::npos || b == std::string::npos || at == std::string::npos || at < b) return std::nullopt;
    const std::string size = label.substr(b + 1, at - b - 1), seed = label.substr(at + 5);
    auto digits = [](const std::string& s, std::size_t most) {
        return !s.empty() && s.size() <= most && s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(size, 9) || !digits(seed, 20)) return std::nullopt;
    AccuracySubset subset;
    subset.dataset = label.substr(0, a);
    subset.split = label.substr(a + 1, b - a - 1);
    subset.size = std::atoi(size.c_str());
    errno = 0;
    subset.seed = std::strtoull(seed.c_str(), nullptr, 10);
    if (errno != 0 || subset.label() != label) return std::nullopt;
    return subset;
}

// The evaluations of `subset_label` among the store's rows for `model` (top-1 and top-5 rows paired
// by method and tokens; an unpaired top-1 row gets top5 = top1).
inline AccuracyCalibration from_store_rows(const std::vector<store::Calibration>& rows, const ModelInfo& model,
                                           const AccuracySubset& subset) {
    AccuracyCalibration cal;
    cal.model = model;
    cal.subset = subset;
    std::map<std::pair<std::string, std::vector<int>>, AccuracyEvaluation> by_key;
    std::vector<std::pair<std::string, std::vector<int>>> order;
    for (const auto& r : rows) {
        if (r.subset != subset.label() || r.model.name != model.name) continue;
        auto key = std::make_pair(r.method, r.tokens_after_block);
        auto it = by_key.find(key);
        if (it == by_key.end()) {
            AccuracyEvaluation e;
            e.method = r.method;
            e.tokens_after_block = r.tokens_after_block;
            e.images = r.images;
            e.kind = "store";
            e.top1 = e.top5 = -1;
            it = by_key.emplace(key, e).first;
            order.push_back(key);
        }
        (r.metric == "top5" ? it->second.top5 : it->second.top1) = r.value;
    }
    for (const auto& key : order) {
        AccuracyEvaluation e = by_key[key];
        if (e.top1 < 0) continue;
        if (e.top5 < e.top1) e.top5 = e.top1;
        cal.evaluations.push_back(e);
    }
    // Stored rows are input from others too: the calibration they make goes through the one reader
    // of calibrations (tokens per block of the model, fractions, images, methods), a FormatError if not.
    const std::string source = "the store's calibration rows of " + model.name + " on " + subset.label();
    std::string text;
    try {
        text = accuracy_calibration_to_text(cal);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(source, std::string("hold text that is not UTF-8 (") + e.what() + ")");
    }
    return parse_accuracy_calibration(text, source);
}

}  // namespace tp
