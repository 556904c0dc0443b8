#include "core/util/json_lines.h"

#include <vector>

namespace tp {
namespace {

// A minimal scanner over valid JSON that tracks the pointer of the value being read.
class PointerScanner {
public:
    PointerScanner(const std::string& text, const std::string& target) : s_(text), target_(target) {}

    int run() {
        skip_ws();
        value("");
        return found_;
    }

private:
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
            if (s_[i_] == '\n') ++line_;
            ++i_;
        }
    }
    std::string string_token() {  // at '"'
        std::string out;
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
            if (s_[i_] == '\\' && i_ + 1 < s_.size()) { out += s_[i_ + 1]; i_ += 2; continue; }
            out += s_[i_++];
        }
        ++i_;
        return out;
    }
    static std::string escape(const std::string& key) {
        std::string out;
        for (char c : key) {
            if (c == '~') out += "~0";
            else if (c == '/') out += "~1";
            else out += c;
        }
        return out;
    }
    void value(const std::string& pointer) {
        if (found_) return;
        if (pointer == target_) { found_ = line_; return; }
        if (i_ >= s_.size()) return;
        char c = s_[i_];
        if (c == '{') {
            ++i_;
            skip_ws();
            while (i_ < s_.size() && s_[i_] != '}' && !found_) {
                std::string key = string_token();
                skip_ws();
                ++i_;  // ':'
                skip_ws();
                value(pointer + "/" + escape(key));
                skip_ws();
                if (i_ < s_.size() && s_[i_] == ',') { ++i_; skip_ws(); }
            }
            ++i_;
        } else if (c == '[') {
            ++i_;
            skip_ws();
            int index = 0;
            while (i_ < s_.size() && s_[i_] != ']' && !found_) {
                value(pointer + "/" + std::to_string(index++));
                skip_ws();
                if (i_ < s_.size() && s_[i_] == ',') { ++i_; skip_ws(); }
            }
            ++i_;
        } else if (c == '"') {
            string_token();
        } else {
            while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' &&
                   s_[i_] != ' ' && s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
                ++i_;
        }
    }

    const std::string& s_;
    const std::string& target_;
    std::size_t i_ = 0;
    int line_ = 1;
    int found_ = 0;
};

}  // namespace

int json_pointer_line(const std::string& text, const std::string& pointer) {
    return PointerScanner(text, pointer).run();
}

}  // namespace tp
