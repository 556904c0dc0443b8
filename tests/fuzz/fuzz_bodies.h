#pragma once
// What each libFuzzer target (#29) does with one input: feed the bytes to one parser of outside
// input, and use the result the way the program does (fuzz_bodies.cpp; each body's comment says
// what it feeds). Shared by the fuzz targets (fuzz_*.cpp, clang + libFuzzer) and the regression
// suite of the normal build (tests/hardening/tst_fuzz_regressions, which replays tests/fuzz/corpus
// and tests/fuzz/regressions).
//
// A body may throw tp::FormatError: that is how a parser refuses input. Anything else escaping — a
// crash, a sanitizer report, std::logic_error from a broken promise checked there — is a finding.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/util/format_error.h"

namespace tp::fuzz {

void profile(const std::string& input);
void schedule(const std::string& input);
void latency_calibration(const std::string& input);
void accuracy_calibration(const std::string& input);
void device_list(const std::string& input);
void model_card(const std::string& input);  // and its input pipeline
void safetensors(const std::string& input);
void idx(const std::string& input);
void csv_import(const std::string& input);
void agent_request(const std::string& input);
void json_pointer(const std::string& input);
void token_spec(const std::string& input);
void event_chunks(const std::string& input);
void gzip_data(const std::string& input);
void board_tools(const std::string& input);  // nvpmodel -q, jetson_clocks --show (Jetsons)
// Store rows (store_rows_body.cpp): built where the store is (SQLiteCpp), TAILPRUNE_FUZZ_STORE.
void store_rows(const std::string& input);

// The bodies by target name (the folder names under tests/fuzz/corpus and tests/fuzz/regressions).
const std::map<std::string, std::function<void(const std::string&)>>& bodies();

}  // namespace tp::fuzz

// The libFuzzer entry point around one body.
#define TP_FUZZ_TARGET(body)                                                              \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {            \
        try {                                                                             \
            body(std::string(reinterpret_cast<const char*>(data), size));                \
        } catch (const tp::FormatError&) {                                                \
        }                                                                                 \
        return 0;                                                                         \
    }
