#pragma once
#include <stdexcept>
#include <string>

namespace tp {

// One clear, user-facing error about a file or value: which file, where (JSON pointer or
// CSV line) and what is wrong. Thrown by every reader/validator in core; never a crash.
class FormatError : public std::runtime_error {
public:
    FormatError(std::string where, std::string what)
        : std::runtime_error(where.empty() ? what : where + ": " + what),
          where_(std::move(where)), what_(std::move(what)) {}
    const std::string& where() const { return where_; }
    const std::string& problem() const { return what_; }

private:
    std::string where_;
    std::string what_;
};

}  // namespace tp
