#pragma once
#include <string>
#include <vector>

namespace tp::agent {

// Token counts from text: comma-separated items, each a count ("50"), a range ("1..197") or a
// range with a stride ("1..197:4", the upper end always included). "all" means 1..max_tokens.
// Result sorted and unique. Throws tp::FormatError naming the item for bad syntax, counts below 1
// or above max_tokens, or an empty result.
std::vector<int> parse_token_spec(const std::string& text, int max_tokens);

// Every `step`-th count from lo, with hi always included (coarse pass of a coarse-then-dense sweep).
std::vector<int> coarse_token_grid(int lo, int hi, int step);

}  // namespace tp::agent
