// Process-wide stop request, set by SIGINT/SIGTERM. Long-running stages poll StopRequested() and
// finish cleanly (flush, commit, summarise). Thread-safe: reads and writes are atomic.
#pragma once

namespace ticklake {

// Installs SIGINT/SIGTERM handlers that set the stop flag. A second signal exits at once.
void InstallStopHandlers();
bool StopRequested();
void RequestStop();
// Clears the flag (used by `demo`, which stops stages one after another, and by tests).
void ResetStop();

}  // namespace ticklake
