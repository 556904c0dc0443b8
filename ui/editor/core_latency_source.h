#pragma once
#include <map>
#include <memory>

#include "core/predict/latency_predictor.h"
#include "ui/editor/prediction_sources.h"

namespace tp::ui {

// The core latency predictor (core/predict) behind the editor's interface. Builds one predictor per
// profile on first use (step analysis and tables, done once) and then only reads its arrays.
class CoreLatencySource : public LatencySource {
public:
    PredictedLatency predict(const Profile& device, const Schedule& schedule) const override;

private:
    struct Entry {
        std::unique_ptr<LatencyPredictor> predictor;
        std::vector<double> unpruned_block_ms;
        QString error;
    };
    const Entry& entry(const Profile& device) const;
    mutable std::map<const Profile*, Entry> predictors_;
};

}  // namespace tp::ui
