#pragma once
// Measured accuracies of schedules on a calibration subset, the input of the accuracy model.
//
// A calibration file ("format": "tailprune-accuracy-calibration") holds one model, one dataset
// subset (split, size, seed) and evaluations of several methods; `tailprune calibrate` appends to
// it after every evaluation so a cancelled run keeps what it measured.
#include <cstdint>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_anchor.h"
#include "core/model/device.h"

namespace tp {

struct AccuracyEvaluation {
    std::string method;                 // none for the unpruned model
    std::vector<int> tokens_after_block;
    double top1 = 0;                    // fraction 0..1
    double top5 = 0;
    int images = 0;
    double seconds = 0;                 // wall time of the evaluation
    std::string kind;                   // baseline | single | multi | extra (how the plan chose it)
};

struct AccuracySubset {
    std::string dataset = "fashion-mnist";
    std::string split = "holdout";      // never "test": the test set is only reported
    int size = 0;                       // images in the subset
    std::uint64_t seed = 0;
    // "fashion-mnist/holdout/2000@seed1": the store's subset label.
    std::string label() const;
};

struct AccuracyCalibration {
    static constexpr int kFormatVersion = 1;
    ModelInfo model;                    // name, depth, tokens, classes, weights hash
    AccuracySubset subset;
    std::vector<AccuracyEvaluation> evaluations;
    // The unpruned model's top-1/top-5 on whole splits (`tailprune anchor`): predictions for a split
    // are its anchor minus the predicted drop. Optional ("anchors" field, added in issue 26).
    std::vector<AccuracyAnchor> anchors;

    // Evaluations of `method` plus the unpruned baseline(s) (method "none" or no pruning point).
    std::vector<AccuracyEvaluation> for_method(const std::string& method) const;
    const AccuracyEvaluation* find(const std::string& method, const std::vector<int>& tokens_after_block) const;
};

// Strict JSON; errors name file, line and field.
AccuracyCalibration parse_accuracy_calibration(const std::string& text, const std::string& source);
AccuracyCalibration load_accuracy_calibration(const std::string& path);
std::string accuracy_calibration_to_text(const AccuracyCalibration& calibration);
void save_accuracy_calibration(const AccuracyCalibration& calibration, const std::string& path);  // atomic

}  // namespace tp
