#pragma once
// Anchors: the unpruned model's measured top-1/top-5 on a whole split (test, holdout). The accuracy
// model predicts the *drop* a schedule causes; the accuracy it shows for a split is that split's
// anchor minus the drop (docs/accuracy-model.md, issue 26). Anchors live with the model (the card's
// "anchors" field) and with the calibration record (its "anchors" field), both written by
// `tailprune anchor`, measured with the same evaluator as `tailprune evaluate`.
//
// JSON (both files): "anchors": {"test": {"top1": 0.8817, "top5": 0.9977, "images": 10000,
//                                          "measured": "2026-12-06T17:20:00Z"}, "holdout": {...}}
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp {

struct AccuracyAnchor {
    std::string split;        // test | holdout | train
    double top1 = 0, top5 = 0;  // fractions 0..1
    int images = 0;           // the whole split
    std::string measured;     // ISO 8601 UTC time of the evaluation (may be empty)
};

// The splits an anchor may name.
bool is_anchor_split(const std::string& split);

// Strict: `node` must be an object keyed by split; unknown splits or fields are errors naming
// `path` and the field (tp::FormatError).
std::vector<AccuracyAnchor> anchors_from_json(const nlohmann::json& node, const std::string& path);
nlohmann::json anchors_to_json(const std::vector<AccuracyAnchor>& anchors);

const AccuracyAnchor* find_anchor(const std::vector<AccuracyAnchor>& anchors, const std::string& split);
// Adds or replaces the anchor of a.split.
void set_anchor(std::vector<AccuracyAnchor>& anchors, const AccuracyAnchor& a);

// Only the "anchors" field of a model card (X.card.json), for code that must not link the runtime
// (the studio, predict-accuracy); the runtime's read_model_card checks the whole card. A card
// without the field gives an empty list; a missing file, another format or a bad field throws.
std::vector<AccuracyAnchor> read_card_anchors(const std::string& card_path);

// The anchor a prediction for `split` uses: the calibration record's, else the card's; with
// neither, the holdout split's (calibration record, then card), labelled as a fallback; with none
// at all, the calibration fit's own unpruned level (the calibration subset), labelled too.
struct ResolvedAnchor {
    std::string split;            // asked for
    std::string used_split;       // whose level is used: the split, "holdout", or the subset label
    bool measured = false;        // a measured anchor of the split asked for
    bool fallback = false;        // not the split asked for
    double top1 = 0, top5 = 0;    // only when from_fit is false
    int images = 0;
    bool from_fit = false;        // no anchor at all: the fit's unpruned level
    std::string source;           // "calibration record", "model card", "calibration fit"
    // One line for a user: "anchored to test (10000 images, calibration record)" or
    // "no measured anchor for test: using the holdout's (5000 images, model card)".
    std::string describe() const;
};
ResolvedAnchor resolve_anchor(const std::string& split, const std::vector<AccuracyAnchor>& calibration_anchors,
                              const std::vector<AccuracyAnchor>& card_anchors);

// X.accuracy-calibration.json -> X.card.json (the card next to the weights the calibration was
// written for, by `tailprune calibrate`'s default name); empty when the name does not follow it.
std::string card_path_for_calibration(const std::string& calibration_path);

}  // namespace tp
