#pragma once
// Moved to core/util/format_error.h (issue #23); kept while files under work elsewhere still include it here.
#include "core/util/format_error.h"
