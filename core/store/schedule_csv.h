#pragma once
#include <string>

#include "core/model/schedule.h"

namespace tp::store {

// The CSV export of a schedule (docs/schedule-format.md): one row per block with the schedule's
// identity repeated on every row, so each row stands alone in a spreadsheet or a deployment script.
std::string schedule_to_csv(const Schedule& schedule);

}  // namespace tp::store
