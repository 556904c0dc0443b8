#pragma once
// What each token-reduction method can realise, checked without LibTorch or Qt, so the CLI, the
// studio and the predictor reject a schedule before anything runs. Token-count convention (all
// methods): tokens_after_block[b] is the length leaving block b, CLS and POMT's merged token
// included; the length entering block 0 is the model's full token count.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/schedule.h"

namespace tp {

struct MethodParameter {
    std::string name;
    double default_value = 0;
    double min = 0;
    double max = 0;
    bool integer = false;
    std::string description;
};

// The parameters `method` accepts (empty for methods without any). Unknown method: FormatError.
const std::vector<MethodParameter>& method_parameters(const std::string& method);

// `given` checked against the method's parameters (unknown name, out of range, non-integer where an
// integer is expected: FormatError at /parameters/NAME) and completed with defaults.
std::map<std::string, double> resolve_method_parameters(const std::string& method,
                                                        const std::map<std::string, double>& given);

// The smallest length `method` can leave after a block that prunes from `tokens_in` tokens, and the
// most tokens it can remove there.
int min_tokens_after_pruning(const std::string& method, int tokens_in);

// Checks that `method` can realise tokens_after_block exactly (after the generic checks of
// validate()). Throws FormatError at /tokens_after_block/B naming block B and the limit.
void validate_method_tokens(const std::string& method, int input_tokens, const std::vector<int>& tokens_after_block);

// validate(schedule) + its parameters + validate_method_tokens.
void validate_for_method(const Schedule& schedule);

// ToMe's schedule for merging r tokens per block: inflection 0 keeps r constant, -0.5 decreases it
// linearly from 1.5r to 0.5r over the depth (as ToMe's parse_r). Each block's r is capped at what
// ToMe can merge there ((tokens_in - 1) / 2), so the result always validates.
std::vector<int> tome_tokens_after_block(int depth, int input_tokens, int r, double inflection = 0.0);

// ---- Pruning points under edit ------------------------------------------------------------------
// The rules a pruning point obeys while a user (or the search) moves it: block and tokens are
// integers, points sit on distinct blocks, token counts fall strictly from one point to the next
// (each point is a drop), nothing exceeds the model's input length, and each drop is one the method
// can realise (min_tokens_after_pruning: CLS kept, POMT's merged token, ToMe merging at most half).
struct PointBounds {
    int min_block = 0, max_block = 0;
    int min_tokens = 1, max_tokens = 1;
};

// Where point `index` of `points` (sorted by block) may go without crossing its neighbours.
PointBounds bounds_for_point(const std::vector<PruningPoint>& points, int index, int depth, int input_tokens,
                             const std::string& method);

// Clamps a proposed position of point `index` into its bounds.
PruningPoint clamp_point(const std::vector<PruningPoint>& points, int index, PruningPoint proposed, int depth,
                         int input_tokens, const std::string& method);

// The schedule's tokens_after_block with point `index` replaced by `moved` (already clamped).
std::vector<int> tokens_with_point(const Schedule& schedule, int index, PruningPoint moved);

// A new point in the widest gap: at the first block without a point after the last point (or in
// front of the first), keeping halfway between its neighbours' token counts. nullopt when no free
// block can take a drop.
std::optional<PruningPoint> suggest_new_point(const Schedule& schedule);

// tokens_after_block with point `index` removed (its drop merges into the next one).
std::vector<int> tokens_without_point(const Schedule& schedule, int index);

}  // namespace tp
