#include "core/agent/token_spec.h"

#include <algorithm>
#include <cctype>

#include "core/util/format_error.h"
#include "core/util/input_limits.h"

namespace tp::agent {

namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

int parse_count(const std::string& text, const std::string& item) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        text.size() > 9)
        throw FormatError("tokens '" + item + "'", "'" + text + "' is not a token count");
    return std::stoi(text);
}

}  // namespace

std::vector<int> coarse_token_grid(int lo, int hi, int step) {
    std::vector<int> out;
    if (lo > hi || step < 1) return out;
    for (long long n = lo; n <= hi; n += step) out.push_back(static_cast<int>(n));
    if (out.back() != hi) out.push_back(hi);
    return out;
}

std::vector<int> parse_token_spec(const std::string& text, int max_tokens) {
    if (max_tokens < 1 || max_tokens > limits::kTokens)
        throw FormatError("tokens", "the model's token count " + std::to_string(max_tokens) + " is outside 1.." +
                                        std::to_string(limits::kTokens));
    // Counts are marked, not appended, and the expansion work is bounded: a crafted
    // "all,all,..." or "1..N,1..N,..." must not cost a list (or a pass) of N per item.
    std::vector<char> chosen(static_cast<std::size_t>(max_tokens) + 1, 0);
    bool all = false;
    std::size_t expanded = 0;
    std::string rest = text;
    std::size_t start = 0;
    while (start <= rest.size()) {
        std::size_t comma = rest.find(',', start);
        std::string item = trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        start = comma == std::string::npos ? rest.size() + 1 : comma + 1;
        if (item.empty()) throw FormatError("tokens '" + text + "'", "empty item in the token list");
        if (item == "all") {
            all = true;
            continue;
        }
        std::size_t dots = item.find("..");
        if (dots == std::string::npos) {
            int n = parse_count(item, item);
            if (n < 1 || n > max_tokens)
                throw FormatError("tokens '" + item + "'", "token count " + std::to_string(n) + " is outside 1.." +
                                                               std::to_string(max_tokens));
            chosen[static_cast<std::size_t>(n)] = 1;
            continue;
        }
        std::string lo_text = item.substr(0, dots);
        std::string hi_text = item.substr(dots + 2);
        int step = 1;
        std::size_t colon = hi_text.find(':');
        if (colon != std::string::npos) {
            step = parse_count(hi_text.substr(colon + 1), item);
            hi_text = hi_text.substr(0, colon);
            if (step < 1) throw FormatError("tokens '" + item + "'", "the stride must be at least 1");
        }
        int lo = parse_count(lo_text, item);
        int hi = parse_count(hi_text, item);
        if (lo > hi) throw FormatError("tokens '" + item + "'", "the range runs backwards");
        if (lo < 1 || hi > max_tokens)
            throw FormatError("tokens '" + item + "'", "the range leaves 1.." + std::to_string(max_tokens));
        expanded += static_cast<std::size_t>((hi - lo) / step) + 1;
        if (expanded > limits::kTokenSpecEntries)
            throw FormatError("tokens", "the list expands to more than " + std::to_string(limits::kTokenSpecEntries) +
                                            " token counts (use 'all' or a stride)");
        for (int n : coarse_token_grid(lo, hi, step)) chosen[static_cast<std::size_t>(n)] = 1;
    }
    std::vector<int> out;
    for (int n = 1; n <= max_tokens; ++n)
        if (all || chosen[static_cast<std::size_t>(n)]) out.push_back(n);
    if (out.empty()) throw FormatError("tokens", "no token counts given");
    return out;
}

}  // namespace tp::agent
