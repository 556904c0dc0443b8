#pragma once
// Small weighted least squares with non-negativity on chosen coefficients, for the accuracy model
// (tens of unknowns, tens to hundreds of rows). Lawson–Hanson active-set NNLS on the normal
// equations (unconstrained coefficients always in the passive set), solved exactly with Gaussian
// elimination: a few dozen lines, where no linear-algebra package is available to the core (Eigen
// is not a dependency).
#include <vector>

namespace tp {

struct LeastSquaresProblem {
    std::vector<std::vector<double>> rows;  // design matrix, one row per observation
    std::vector<double> targets;
    std::vector<double> weights;            // per observation (1/variance); empty: all 1
    std::vector<bool> nonnegative;          // per coefficient; empty: all unconstrained
    double ridge = 0;                       // + ridge·Σ c_j² over the constrained coefficients
};

struct LeastSquaresResult {
    std::vector<double> coefficients;
    double weighted_sse = 0;
    int iterations = 0;
};

LeastSquaresResult solve_least_squares(const LeastSquaresProblem& problem);

}  // namespace tp
