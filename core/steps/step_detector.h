#pragma once
#include <string>
#include <vector>

#include "core/model/curve.h"

namespace tp {

// Tail-effect step detection on a noisy latency-vs-tokens curve (methods.md §6).
// Token counts increase along the curve; an edge at `tokens` means the level changes between the
// last measured count below it (`last_before`) and `tokens`.
// How the periodic finding is searched for (added; see PeriodicFinding).
struct PeriodSettings {
    int min_period = 2;
    int max_period = 16;
    int min_points_per_residue = 3;
    double min_z = 4.5;               // significance of the period (ANOVA F → normal score)
    // A multiple of a significant period replaces it when it explains this much more (nested F test,
    // normal score) and its fast/slow residues are not just the period's repeated. Lower than
    // min_z: once a pattern is established, a finer description of it needs less evidence. fmnist_vit8 on a 2-core CPU: multiples of 8 run 15% fast, the other
    // multiples of 4 only 2-7%; on 50 counts period 8 beats 4 at z 2.2-2.5, and period 4 averaged
    // the two and mispredicted schedules at 24, 40 and 48 tokens by 6-8%.
    double min_z_multiple = 2.0;
    double min_residue_sigma = 3.0;   // a residue is fast/slow when |effect| ≥ this many standard errors ...
    double min_residue_agreement = 2.0 / 3.0;  // ... and at least this share of its points lie on that side
    double min_confidence = 5.0;      // the strongest residue's effect / its standard error
};

struct StepSettings {
    double sensitivity = 3.0;      // penalty constant c in beta = c * sigma^2 * ln n (higher = fewer edges)
    int min_segment = 3;           // minimum points per plateau
    // drop jumps smaller than this fraction of the level (off by default since issue #25: on a steep
    // trend 1% of the level was 20σ and more, and moderate steps of small GPUs went missing) ...
    double min_rel_height = 0.0;
    double min_jump_sigma = 3.5;   // ... or than k * sigma * sqrt(Var(jump)/sigma^2) (1/len1 + 1/len2 + slope term)
    bool allow_slope = true;       // plateaus may have a slope (attention grows with n)
    // Added fields:
    double min_confidence = 3.0;   // ... or than this many point-noise sigmas (long plateaus make tiny jumps "significant")
    double spike_sigma = 3.5;      // runs of < min_segment points this many sigma off their running median are spikes/dips, never edges
    int min_points_for_own_slope = 8;  // shorter plateaus use the local median slope around them
    int edge_fit_points = 16;      // jump and edge levels from lines through this many points a side
    bool detect_period = true;     // look for a token-count period and remove it before finding edges
    PeriodSettings period_settings;
};

struct Edge {
    int tokens = 0;                // first token count at the new level
    int last_before = 0;           // last measured token count on the previous plateau
    double level_before_ms = 0;    // previous plateau's fitted level at last_before (line through its last points)
    double level_after_ms = 0;     // new plateau's fitted level at tokens (line through its first points)
    double height_ms = 0;          // level_after - level_before (negative for a drop)
    double height_pct = 0;         // height relative to level_before, in percent
    double confidence = 0;         // |jump_ms| / noise sigma
    // Added: the level shift net of the plateau slope (height_ms less the slope's rise from
    // last_before to tokens). Its sign says rising step or drop, also on a steep trend, where a
    // drop's height_ms can still be positive.
    double jump_ms = 0;
    std::string explanation;       // filled by the explainer: "tile M 64→128", "wave 1→2", "kernel switch?"
};

struct Plateau {
    int first_tokens = 0;
    int last_tokens = 0;
    int points = 0;
    double intercept_ms = 0;       // level = intercept + slope * tokens
    double slope_ms_per_token = 0;
    double level_at(int tokens) const { return intercept_ms + slope_ms_per_token * tokens; }
    double mean_level_ms() const { return level_at((first_tokens + last_tokens) / 2); }
};

// Latency depending on the token count modulo a small period (CPU: n % 4; fp16 GPU: n % 8).
struct PeriodicFinding {
    bool found = false;
    int period = 0;
    std::vector<int> fast_residues;        // residues running under the local trend
    std::vector<int> slow_residues;        // residues running over it
    std::vector<double> residue_effect_pct;  // effect per residue 0..period-1, % of local trend
                                           // (relative to the typical, i.e. median, residue)
    double fast_pct = 0;                   // mean effect of the fast residues (negative)
    double slow_pct = 0;                   // mean effect of the slow residues (positive)
    double confidence = 0;                 // effect / its standard error
};

// Added (issue #25): the staircase, told apart from a residue pattern. A staircase is level shifts
// that persist (the level after each step is higher and stays higher); a residue pattern is some
// token counts sitting off one continuous trend, which comes back (PeriodicFinding). Both can be
// there at once (fp16 GPUs: single-point dips at multiples of 8 on top of real steps).
struct StaircaseFinding {
    bool found = false;                  // at least one rising edge
    int rising_steps = 0;                // edges with jump_ms > 0
    int drops = 0;                       // edges with jump_ms < 0 (kernel switches): never counted as steps
    double median_spacing_tokens = 0;    // between consecutive rising steps (0 with fewer than two)
    double median_spacing_points = 0;    // the same in measured points
    // A token-count period whose residues were this staircase seen through a period (a step every
    // period, falling residues that jump back up, plateaus flat or rising): reported as edges, not as
    // a residue pattern. 0 when none.
    int seen_as_period = 0;
    // Added: the token grid the rising steps sit on (a regular staircase: tile multiples of
    // M = batch·tokens, a coarse sweep's tiles): every grid count was tested as an edge. 0 when none.
    int tile_tokens = 0;
};

struct StepAnalysis {
    double noise_sigma_ms = 0;
    std::vector<Edge> edges;               // ordered by tokens
    std::vector<Plateau> plateaus;         // edges.size() + 1 plateaus, ordered by tokens (empty curve: none)
    PeriodicFinding period;
    StaircaseFinding staircase;            // added: summary of the edges, apart from the residue pattern

    // Plateau containing `tokens` (between measured counts: the plateau whose range holds it,
    // never interpolating across an edge); nullptr outside the measured range. In an unmeasured
    // gap at an edge (sparse grids): the plateau of the nearer measured count, on a tie the higher
    // one (never promise a saving that was not measured).
    const Plateau* plateau_at(int tokens) const;
    // The "one more token" point below `tokens`: the last token count of the nearest lower plateau
    // whose level is lower than the level at `tokens`; 0 if none.
    int one_more_token_below(int tokens) const;
};

StepAnalysis detect_steps(const std::vector<int>& tokens, const std::vector<double>& latency_ms,
                          const StepSettings& settings = {});
StepAnalysis detect_steps(const Curve& curve, const StepSettings& settings = {});

}  // namespace tp
