#include "core/accuracy/least_squares.h"

#include <algorithm>
#include <cmath>

namespace tp {

namespace {

// Solves G[S,S] x = h[S] for the index set S (Gaussian elimination, partial pivoting). Singular
// pivots (unidentified directions) give 0 for that unknown.
std::vector<double> solve_subsystem(const std::vector<double>& gram, const std::vector<double>& rhs, std::size_t p,
                                    const std::vector<std::size_t>& set) {
    const std::size_t k = set.size();
    std::vector<double> a(k * (k + 1));
    for (std::size_t r = 0; r < k; ++r) {
        for (std::size_t c = 0; c < k; ++c) a[r * (k + 1) + c] = gram[set[r] * p + set[c]];
        a[r * (k + 1) + k] = rhs[set[r]];
    }
    for (std::size_t col = 0; col < k; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < k; ++r)
            if (std::abs(a[r * (k + 1) + col]) > std::abs(a[pivot * (k + 1) + col])) pivot = r;
        if (pivot != col)
            for (std::size_t c = 0; c <= k; ++c) std::swap(a[col * (k + 1) + c], a[pivot * (k + 1) + c]);
        const double d = a[col * (k + 1) + col];
        if (std::abs(d) < 1e-14) continue;
        for (std::size_t r = 0; r < k; ++r) {
            if (r == col) continue;
            const double f = a[r * (k + 1) + col] / d;
            if (f == 0) continue;
            for (std::size_t c = col; c <= k; ++c) a[r * (k + 1) + c] -= f * a[col * (k + 1) + c];
        }
    }
    std::vector<double> x(k, 0.0);
    for (std::size_t r = 0; r < k; ++r) {
        const double d = a[r * (k + 1) + r];
        x[r] = std::abs(d) < 1e-14 ? 0.0 : a[r * (k + 1) + k] / d;
    }
    return x;
}

}  // namespace

LeastSquaresResult solve_least_squares(const LeastSquaresProblem& pb) {
    LeastSquaresResult out;
    const std::size_t m = pb.rows.size();
    const std::size_t p = m ? pb.rows.front().size() : 0;
    out.coefficients.assign(p, 0.0);
    if (m == 0 || p == 0) return out;
    auto weight = [&](std::size_t i) { return pb.weights.empty() ? 1.0 : pb.weights[i]; };
    auto constrained = [&](std::size_t j) { return !pb.nonnegative.empty() && pb.nonnegative[j]; };

    // Normal equations G c = h with G = XᵀWX (+ ridge on constrained coefficients), h = XᵀWy.
    std::vector<double> gram(p * p, 0.0), rhs(p, 0.0);
    for (std::size_t i = 0; i < m; ++i) {
        const auto& x = pb.rows[i];
        const double w = weight(i);
        for (std::size_t a = 0; a < p; ++a) {
            if (x[a] == 0) continue;
            rhs[a] += w * x[a] * pb.targets[i];
            for (std::size_t b = 0; b < p; ++b) gram[a * p + b] += w * x[a] * x[b];
        }
    }
    for (std::size_t j = 0; j < p; ++j)
        if (constrained(j)) gram[j * p + j] += pb.ridge;

    std::vector<bool> passive(p, false);
    for (std::size_t j = 0; j < p; ++j) passive[j] = !constrained(j);
    auto& c = out.coefficients;
    auto passive_set = [&] {
        std::vector<std::size_t> set;
        for (std::size_t j = 0; j < p; ++j)
            if (passive[j]) set.push_back(j);
        return set;
    };
    auto solve_passive = [&](std::vector<double>& z) {
        std::vector<std::size_t> set = passive_set();
        std::fill(z.begin(), z.end(), 0.0);
        std::vector<double> x = solve_subsystem(gram, rhs, p, set);
        for (std::size_t i = 0; i < set.size(); ++i) z[set[i]] = x[i];
    };
    std::vector<double> z(p, 0.0);
    solve_passive(z);
    c = z;  // only free coefficients are non-zero here
    double scale = 0;
    for (double v : rhs) scale = std::max(scale, std::abs(v));
    const double tolerance = 1e-12 * std::max(scale, 1.0);
    for (int outer = 0; outer < static_cast<int>(3 * p) + 10; ++outer) {
        // Gradient of −½·loss: w = h − G c. The most violated constrained coefficient enters.
        std::size_t enter = p;
        double best = tolerance;
        for (std::size_t j = 0; j < p; ++j) {
            if (passive[j]) continue;
            double w = rhs[j];
            for (std::size_t k = 0; k < p; ++k) w -= gram[j * p + k] * c[k];
            if (w > best) best = w, enter = j;
        }
        if (enter == p) break;
        passive[enter] = true;
        out.iterations = outer + 1;
        for (int inner = 0; inner < static_cast<int>(p) + 5; ++inner) {
            solve_passive(z);
            double alpha = 1.0;
            bool feasible = true;
            for (std::size_t j = 0; j < p; ++j)
                if (passive[j] && constrained(j) && z[j] <= 0) {
                    feasible = false;
                    const double denom = c[j] - z[j];
                    if (denom > 0) alpha = std::min(alpha, c[j] / denom);
                }
            if (feasible) {
                c = z;
                break;
            }
            for (std::size_t j = 0; j < p; ++j) c[j] += alpha * (z[j] - c[j]);
            for (std::size_t j = 0; j < p; ++j)
                if (passive[j] && constrained(j) && c[j] <= 1e-15) passive[j] = false, c[j] = 0;
        }
    }
    for (std::size_t i = 0; i < m; ++i) {
        double fit = 0;
        for (std::size_t j = 0; j < p; ++j) fit += pb.rows[i][j] * c[j];
        out.weighted_sse += weight(i) * (pb.targets[i] - fit) * (pb.targets[i] - fit);
    }
    return out;
}

}  // namespace tp
