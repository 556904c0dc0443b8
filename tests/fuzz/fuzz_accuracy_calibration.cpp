// libFuzzer target: tp::fuzz::accuracy_calibration (tests/fuzz/fuzz_bodies.h says what it feeds and checks).
#include "tests/fuzz/fuzz_bodies.h"

TP_FUZZ_TARGET(tp::fuzz::accuracy_calibration)
