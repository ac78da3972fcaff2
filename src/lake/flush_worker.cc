#include "lake/flush_worker.h"

namespace ticklake::lake {

FlushWorker::FlushWorker() : thread_([this] { Run(); }) {}

FlushWorker::~FlushWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

void FlushWorker::Submit(std::function<void()> job, size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
    jobs_.push_back({std::move(job), bytes});
    inflight_bytes_ += bytes;
  }
  changed_.notify_all();
}

void FlushWorker::Check() {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

void FlushWorker::WaitIdle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || (jobs_.empty() && !running_); });
  if (error_) std::rethrow_exception(error_);
}

void FlushWorker::WaitBelow(size_t bytes) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || inflight_bytes_ <= bytes; });
  if (error_) std::rethrow_exception(error_);
}

size_t FlushWorker::inflight_bytes() {
  std::lock_guard lock(mutex_);
  return inflight_bytes_;
}

void FlushWorker::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    running_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      job.run();
    } catch (...) {
      error = std::current_exception();
    }
    job.run = nullptr;  // frees what the job held before it stops counting
    lock.lock();
    running_ = false;
    inflight_bytes_ -= job.bytes;
    if (error && !error_) {
      error_ = error;
      for (const Job& dropped : jobs_) inflight_bytes_ -= dropped.bytes;
      jobs_.clear();
    }
    changed_.notify_all();
  }
}

}  // namespace ticklake::lake
