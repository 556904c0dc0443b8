// libFuzzer target: tp::fuzz::board_tools (tests/fuzz/fuzz_bodies.h says what it feeds and checks).
#include "tests/fuzz/fuzz_bodies.h"

TP_FUZZ_TARGET(tp::fuzz::board_tools)
