#include "common/stop.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace ticklake {
namespace {

std::atomic<int> stop_signals{0};

void OnSignal(int) {
  if (stop_signals.fetch_add(1) >= 1) {
    static const char kMsg[] = "\nticklake: second signal, exiting without flushing\n";
    [[maybe_unused]] auto n = write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
    _exit(130);
  }
}

}  // namespace

void InstallStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool StopRequested() { return stop_signals.load() > 0; }
void RequestStop() { stop_signals.store(1); }
void ResetStop() { stop_signals.store(0); }

}  // namespace ticklake
