#pragma once
// Torch-free facade for `tailprune run`: applies a schedule to a trained model (weights + model
// card next to them) and classifies image files with the pruned forward.
#include <string>
#include <vector>

#include "core/model/schedule.h"

namespace tp::runtime {

struct RunOptions {
    std::string weights;   // NAME.safetensors; NAME.card.json must sit next to it
    Schedule schedule;
    std::string method;    // empty: the schedule's; otherwise replaces it (its parameters are kept
                           // only when this is the schedule's own method)
    int batch = 32;
    int top = 3;           // classes reported per image
};

struct Prediction {
    std::string image;
    std::vector<int> classes;            // best first
    std::vector<double> probabilities;   // softmax, same order
    std::vector<std::string> names;      // class names from the card (index as text if it has none)
};

// The schedule as it will run (method override applied), checked against the model card
// (depth, token count) and the method's rules. Throws tp::FormatError naming the problem.
Schedule effective_schedule(const RunOptions& options);

// Classifies `images` (files) in batches. Throws tp::FormatError naming the file, schedule field or
// block on any problem, before printing anything partial.
std::vector<Prediction> run_schedule(const RunOptions& options, const std::vector<std::string>& images);

}  // namespace tp::runtime
