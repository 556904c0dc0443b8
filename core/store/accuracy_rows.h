#pragma once
// Header-only conversion between the accuracy calibration and the store's calibration rows (one
// row per metric). It lives with the store (included only where the store is built,
// TAILPRUNE_HAS_STORE), so core/accuracy does not depend on SQLite.
#include <map>
#include <tuple>
#include <vector>

#include "core/accuracy/accuracy_data.h"
#include "core/store/store.h"

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
    return cal;
}

}  // namespace tp
