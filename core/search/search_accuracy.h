#pragma once
// The accuracy models a search reads: one per method the calibration has evaluations of, fitted
// once and anchored to a split (core/accuracy/accuracy_model.h).
#include <map>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_anchor.h"
#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/accuracy_model.h"

namespace tp {

struct SearchAccuracy {
    std::map<std::string, AccuracyModel> models;  // by method
    std::vector<std::string> notes;               // methods left out and why
    ResolvedAnchor anchor;
    // The pointers SearchInputs takes.
    std::map<std::string, const AccuracyModel*> pointers() const;
};

// `methods` empty: every method the calibration evaluated (a method whose fit fails is left out
// with a note); named methods must fit (FormatError naming the method otherwise).
SearchAccuracy fit_search_accuracy(const AccuracyCalibration& calibration, const std::vector<std::string>& methods,
                                   const std::string& split, const std::vector<AccuracyAnchor>& card_anchors);

// The methods with evaluations in a calibration (without "none"), in known_methods() order.
std::vector<std::string> calibrated_methods(const AccuracyCalibration& calibration);

}  // namespace tp
