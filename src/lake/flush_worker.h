// FlushWorker: the sink's second thread. The consuming thread hands it jobs (encode, upload and
// commit a flush; update the catalog; compact) and goes on reading Kafka while they run, so
// consumption overlaps encoding and upload.
//
// Jobs run one at a time in submission order, which keeps each Kafka partition's commits in
// offset order. The first job that throws stops the worker: later jobs are dropped, never run —
// a flush committed after a failed one would skip the failed one's records — and the error is
// rethrown to the consuming thread by Check, WaitIdle or WaitBelow. The memory a job holds
// (`bytes`) counts as in flight until the job has finished.
// Thread-safety: Submit, Check, Wait* and inflight_bytes are for one consuming thread; the jobs
// run on the worker's own thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace ticklake::lake {

class FlushWorker {
 public:
  FlushWorker();
  // Drops the jobs not started and waits for the running one.
  ~FlushWorker();
  FlushWorker(const FlushWorker&) = delete;
  FlushWorker& operator=(const FlushWorker&) = delete;

  void Submit(std::function<void()> job, size_t bytes);
  // Rethrows a job's failure, if any.
  void Check();
  // Waits until every submitted job has finished; rethrows a failure.
  void WaitIdle();
  // Waits until at most `bytes` are in flight; rethrows a failure.
  void WaitBelow(size_t bytes);
  size_t inflight_bytes();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable changed_;
  struct Job {
    std::function<void()> run;
    size_t bytes;
  };
  std::deque<Job> jobs_;
  size_t inflight_bytes_ = 0;
  bool running_ = false;  // a job is being run
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace ticklake::lake
