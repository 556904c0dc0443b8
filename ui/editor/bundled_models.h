#pragma once
#include <QString>
#include <optional>
#include <vector>

namespace tp::ui {

// A trained model shipped with the studio (resources/models/<folder>/, or $TAILPRUNE_MODELS): its
// card names the weights; its accuracy calibration lives next to them, where `tailprune calibrate`
// writes it by default.
struct BundledModel {
    QString name;         // the card's name, matched against a profile's model name
    QString weights;      // the .safetensors file
    QString calibration;  // <weights stem>.accuracy-calibration.json (may not exist yet)
};

QString bundled_models_dir();
std::vector<BundledModel> bundled_models();
std::optional<BundledModel> bundled_model(const QString& name);

}  // namespace tp::ui
