#pragma once
// CSV cells (RFC 4180) for files others open in a spreadsheet. A text cell starting with = + - @
// (or a tab / carriage return) would run as a formula there ("CSV injection"): it is written with
// a leading apostrophe. Only text cells are neutralised; numbers are written as numbers, so -3.5
// stays a number.
#include <string>

namespace tp {

std::string csv_text_cell(const std::string& text);
std::string csv_number_cell(double value);  // shortest text that reads back as the same double
std::string csv_number_cell(long long value);

}  // namespace tp
