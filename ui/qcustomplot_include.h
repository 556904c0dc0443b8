#pragma once
// Debian's qcustomplot.h uses the `signals`, `slots` and `foreach` keywords, which the project
// disables (QT_NO_KEYWORDS, for LibTorch). Include QCustomPlot only through this header.
#include <QtGlobal>
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
