#pragma once
// Calibration of the latency band from measured prediction errors (not from the parts' p10/p90).
//
//   LatencyCalibration cal = load_latency_calibration(latency_calibration_path(profile_path));
//   apply_latency_calibration(predictor, cal.entries);   // method corrections, then the band
//
// A calibration record lists schedules measured end to end (`tailprune measure`) on the profile's
// device; it lives next to the profile as `<profile stem>.calibration.json` and is appended to by
// `tailprune predict --record-measured MS`. Predictions are recomputed from the current profile each
// time, so the record stays valid when the predictor improves.
// The band is the empirical [lo, hi] quantile pair of the relative errors measured/predicted − 1 at
// the requested coverage, using conservative order statistics (the ⌈(k+1)·q⌉-th of k), and never
// narrower than the measured errors' own spread allows; with fewer than kMinSamples entries the
// default band stays (LatencyPredictor::default_band()).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/machine_identity.h"
#include "core/predict/latency_predictor.h"

namespace tp {

struct MeasuredSchedule {
    std::string method;
    std::vector<int> tokens_after_block;
    double measured_ms = 0;
    int round = 0;           // measurement round (benches measure every schedule in two rounds)
    std::string date;
    double unpruned_ms = 0;  // the unpruned model in the same run (0: not measured); for the relative band
};

// One point a re-level measured on the machine: a profile scope at a token count, what the
// profile has there and what the machine measured.
struct RelevelPoint {
    std::string scope;       // scope text: "model", "prune:tome:3:50"
    int tokens = 0;
    double profile_ms = 0;
    double measured_ms = 0;
};

// What `tailprune calibrate-latency` measured and fitted (relevel.h).
struct RelevelRecord {
    std::string date;        // ISO 8601 UTC
    double seconds = 0;      // how long the measurement took
    HostRelevel fit;         // fit.machine is filled from the record's machine when read
    std::vector<RelevelPoint> points;
    // The unpruned model measured again at the end against the start: measured end / start − 1. A
    // shared host has slow spells; a re-level that spans one mixes two levels and should be rerun.
    double drift = 0;
    // calibrate-latency --passes: how many times the plan was measured (each point kept at its
    // fastest pass), and how well the passes agreed (pass_agreement; 0 for one pass).
    int passes = 1;
    double agreement = 0;
};

struct LatencyCalibration {
    static constexpr int kFormatVersion = 1;
    std::string device;      // DeviceInfo::identity() of the profile's device
    std::string model;       // model name
    std::vector<MeasuredSchedule> entries;
    // A record for another machine than the profile's (calibrate-latency): the machine it belongs
    // to and the re-level measured there. Entries of such a record were measured on that machine.
    std::optional<MachineIdentity> machine;
    std::optional<RelevelRecord> relevel;
};

constexpr int kMinCalibrationSamples = 10;

// Relative error of each entry: measured / predicted − 1.
std::vector<double> relative_errors(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries);

// Band from the entries' errors; the predictor's default band when there are too few.
LatencyBand calibrate_band(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries,
                           double coverage = 0.9);

// The band of predictions relative to unpruned, from the entries that carry their unpruned model's
// latency (`unpruned_ms`): errors (measured / measured unpruned) / (predicted / predicted unpruned) − 1.
LatencyBand calibrate_relative_band(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries,
                                    double coverage = 0.9);

// Per method with at least `min_samples` measured schedules that prune: the median over them of
// (measured − predicted without corrections) / pruning points, each schedule at the median of its
// rounds (its fastest round when another ran > 15% slower: a slow spell), and only when the median
// stands two standard errors clear of zero. Median, not a least-squares fit: on shared hosts some measurements fall in a
// slow spell of the machine, and a mean follows them.
std::map<std::string, LatencyPredictor::MethodCorrection> fit_method_corrections(
    const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries, int min_samples = 3);

// The host's level when the record was measured against the profile's: the median over the record's
// schedules (each at the median of its rounds, or its fastest in a slow spell) of measured / predicted − 1,
// before method corrections, when it stands two standard errors clear of zero;
// 0 with fewer than `min_samples` schedules. A shared host drifts by a few percent between days and
// that drift is the same for every method: learned per pruning point it would grow with the cuts.
double fit_record_scale(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries,
                        int min_samples = kMinCalibrationSamples);

// What a calibration record changes: the host's level, then the method corrections (on what the
// level leaves), then the band from the errors left.
void apply_latency_calibration(LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries,
                               double coverage = 0.9);

// Throws FormatError (naming `source` and the field) when the record belongs to another device or
// model, or an entry does not have one count per block of the profile's model.
void check_calibration_fits(const LatencyCalibration& record, const Profile& profile, const std::string& source);

// "<dir>/<stem>.calibration.json" for "<dir>/<stem>.json" or "<dir>/<stem>.json.gz"
// ("<stem>.calibration.json.gz" when only that one exists).
std::string latency_calibration_path(const std::string& profile_path);
// "<dir>/<stem>.calibration.<machine_key>.json": the record re-levelling the profile for a machine.
std::string machine_calibration_path(const std::string& profile_path, const MachineIdentity& machine);
// Every "<stem>.calibration.*.json" beside the profile (machine records), sorted.
std::vector<std::string> machine_calibration_paths(const std::string& profile_path);

// Strict JSON ("format": "tailprune-latency-calibration"); errors name file, line and field.
LatencyCalibration parse_latency_calibration(const std::string& text, const std::string& source);
LatencyCalibration load_latency_calibration(const std::string& path);
std::string latency_calibration_to_text(const LatencyCalibration& calibration);
void save_latency_calibration(const LatencyCalibration& calibration, const std::string& path);  // atomic

}  // namespace tp
