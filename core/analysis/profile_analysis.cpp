#include "core/analysis/profile_analysis.h"

#include "core/predict/latency_calibration.h"
#include "core/util/format_error.h"

namespace tp {

ProfileAnalysis::ProfileAnalysis(std::shared_ptr<const Profile> profile, std::string profile_path,
                                 AnalysisSettings settings)
    : profile_(std::move(profile)), profile_path_(std::move(profile_path)), settings_(std::move(settings)) {
    for (const Curve& c : profile_->curves) steps_.emplace(c.name, detect_steps(c, settings_.steps));
    try {
        if (profile_->model.depth <= 0 || profile_->model.tokens <= 0)
            throw FormatError("/model", "the profile names no model (depth and tokens) to predict for");
        // The predictor reads the steps found above: one detection, one set of edges.
        predictor_ = std::make_unique<LatencyPredictor>(*profile_, [this](const Curve& c) { return *steps(c); });
    } catch (const std::exception&) {
        predictor_failure_ = std::current_exception();
        return;
    }
    if (!settings_.calibration_path.empty())
        calibration_ = use_calibration_record(*predictor_, *profile_, settings_.calibration_path, settings_.band_coverage);
    else
        calibration_ = use_calibration_for_machine(*predictor_, *profile_, profile_path_, settings_.target_machine,
                                                   settings_.band_coverage);
    unpruned_block_ms_ = predictor_->breakdown(unpruned_schedule(profile_->model).tokens_after_block, "none").block_ms;
}

const StepAnalysis* ProfileAnalysis::steps(const std::string& curve_name) const {
    const auto it = steps_.find(curve_name);
    return it == steps_.end() ? nullptr : &it->second;
}

LatencyPrediction ProfileAnalysis::predict(const Schedule& schedule) const {
    if (!predictor_) std::rethrow_exception(predictor_failure_);
    return predictor_->predict(schedule);
}

std::string ProfileAnalysis::basis(const LatencyPrediction& prediction) const {
    int measured = 0;
    for (const LatencyTerm& t : prediction.terms) measured += t.measured ? 1 : 0;
    return std::to_string(measured) + " of " + std::to_string(prediction.terms.size()) +
           " terms measured, the rest inferred; " + calibration_.summary +
           (calibration_.machine_note.empty() ? std::string() : "; " + calibration_.machine_note);
}

}  // namespace tp
