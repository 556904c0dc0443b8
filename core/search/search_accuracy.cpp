#include "core/search/search_accuracy.h"

#include <algorithm>

#include "core/model/schedule.h"
#include "core/util/format_error.h"

namespace tp {

std::map<std::string, const AccuracyModel*> SearchAccuracy::pointers() const {
    std::map<std::string, const AccuracyModel*> out;
    for (const auto& [method, model] : models) out[method] = &model;
    return out;
}

std::vector<std::string> calibrated_methods(const AccuracyCalibration& calibration) {
    std::vector<std::string> out;
    for (const auto& method : known_methods())
        if (method != "none" && std::any_of(calibration.evaluations.begin(), calibration.evaluations.end(),
                                            [&](const AccuracyEvaluation& e) { return e.method == method; }))
            out.push_back(method);
    return out;
}

SearchAccuracy fit_search_accuracy(const AccuracyCalibration& calibration, const std::vector<std::string>& methods,
                                   const std::string& split, const std::vector<AccuracyAnchor>& card_anchors) {
    SearchAccuracy out;
    out.anchor = resolve_anchor(split, calibration.anchors, card_anchors);
    const bool all = methods.empty();
    for (const auto& method : all ? calibrated_methods(calibration) : methods) {
        try {
            AccuracyModel model = AccuracyModel::fit(calibration, method);
            model.anchor_to(out.anchor);
            out.models.emplace(method, std::move(model));
        } catch (const FormatError& e) {
            if (!all) throw FormatError("/methods", "cannot predict the accuracy of '" + method + "': " + e.what());
            out.notes.push_back(method + " left out: " + e.what());
        }
    }
    if (out.models.empty())
        throw FormatError("/methods", "the accuracy calibration of '" + calibration.model.name +
                                          "' has no method with enough evaluations to predict from");
    return out;
}

}  // namespace tp
