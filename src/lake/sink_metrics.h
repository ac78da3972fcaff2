// SinkMetrics: the sink's Prometheus metrics (common/metrics.h): what every sink of the process
// has read, landed and rejected, its flushes' durations and its lag. SinkStats (sink.h) counts
// the same per run.
// Thread-safety: the metrics may be updated and read from any thread.
#pragma once

#include "common/metrics.h"

namespace ticklake::lake {

struct SinkMetrics {
  Counter& consumed;
  Counter& written;
  Counter& errors;
  Counter& missing;
  Counter& files;
  Counter& bytes;
  Counter& batches;
  Histogram& flush_seconds;
  Gauge& lag;
};

// The process's sink metrics, registered on first use.
SinkMetrics& GetSinkMetrics();

}  // namespace ticklake::lake
