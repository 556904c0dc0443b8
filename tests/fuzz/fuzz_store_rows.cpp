// libFuzzer target: tp::fuzz::store_rows (tests/fuzz/store_rows_body.cpp says what it feeds and checks).
#include "tests/fuzz/fuzz_bodies.h"

TP_FUZZ_TARGET(tp::fuzz::store_rows)
