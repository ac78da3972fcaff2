#include "lake/sink_metrics.h"

namespace ticklake::lake {

SinkMetrics& GetSinkMetrics() {
  static SinkMetrics metrics{
      CounterMetric("ticklake_sink_records_consumed_total", "Records read from Kafka by the sink."),
      CounterMetric("ticklake_sink_records_written_total", "Records landed in the lake."),
      CounterMetric("ticklake_sink_error_records_total",
                    "Bad records (to _errors/, skipped or fatal)."),
      CounterMetric("ticklake_sink_records_missing_total",
                    "Offsets gone from the broker before they were read."),
      CounterMetric("ticklake_sink_files_total", "Files landed in the lake."),
      CounterMetric("ticklake_sink_bytes_total", "Bytes landed in the lake."),
      CounterMetric("ticklake_sink_batches_committed_total", "Batches committed (per partition)."),
      HistogramMetric("ticklake_sink_flush_seconds",
                      "Duration of a flush: encode, upload, commit, publish."),
      GaugeMetric("ticklake_sink_lag_records", "Records behind the assigned partitions' ends."),
  };
  return metrics;
}

}  // namespace ticklake::lake
