#include "pipeline/detector_worker.h"

namespace sl::pipeline {

DetectorWorker::DetectorWorker(std::unique_ptr<Detector> detector, DetectorWorkerOptions options)
    : detector_(std::move(detector)), options_(std::move(options)) {
    if (options_.capacity == 0) options_.capacity = 1;
    if (options_.store) options_.store->setLabels(detector_->manifest().labels);
    thread_ = std::thread([this] { run(); });
}

DetectorWorker::~DetectorWorker() {
    std::deque<Job> discarded;
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        discarded.swap(queue_);
    }
    wake_.notify_all();
    room_.notify_all();
    thread_.join();
    // Device jobs hold bridge slots: their owners must hear that the device is done with them.
    for (Job& j : discarded) finish(j, false);
}

void DetectorWorker::finish(Job& job, bool processed) {
    if (job.device && job.device->done) {
        auto done = std::move(job.device->done);
        job.device->done = nullptr;
        done(processed);
    }
}

bool DetectorWorker::submit(const media::VideoFrame& frame) {
    return enqueue(Job{frame, std::nullopt});   // a new reference; decoder buffers stay shared
}

bool DetectorWorker::submitDevice(DeviceFrameJob job) {
    Job j{media::VideoFrame(), std::move(job)};
    if (!detector_->compute()) {
        finish(j, false);
        return false;
    }
    return enqueue(std::move(j));
}

bool DetectorWorker::enqueue(Job job) {
    std::deque<Job> dropped;
    bool accepted = false;
    {
        std::unique_lock lock(mutex_);
        if (!stop_) {
            ++stats_.submitted;
            if (options_.policy == DetectorWorkerOptions::Policy::Block) {
                room_.wait(lock, [&] { return stop_ || queue_.size() < options_.capacity; });
            } else {
                while (queue_.size() >= options_.capacity) {
                    dropped.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                    ++stats_.dropped;
                }
            }
            if (!stop_) {
                queue_.push_back(std::move(job));
                accepted = true;
                wake_.notify_one();
            }
        }
    }
    // Outside the lock: a callback may post to another thread or submit again.
    for (Job& j : dropped) finish(j, false);
    if (!accepted) finish(job, false);
    return accepted;
}

void DetectorWorker::drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return stop_ || (queue_.empty() && !busy_); });
}

DetectorWorkerStats DetectorWorker::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void DetectorWorker::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            busy_ = false;
            idle_.notify_all();
            wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            job = std::move(queue_.front());
            queue_.pop_front();
            busy_ = true;
            room_.notify_one();
        }
        if (options_.skipStored && options_.store && job.index() >= 0 &&
            options_.store->at(job.index())) {
            {
                std::lock_guard lock(mutex_);
                ++stats_.skipped;
            }
            finish(job, false);
            continue;
        }
        const cl_event ready = job.device ? job.device->ready : nullptr;
        Expected<FrameDetections> r =
            job.device ? detector_->detect(job.device->frame, job.device->meta,
                                           ready ? std::span<const cl_event>(&ready, 1)
                                                 : std::span<const cl_event>())
                       : detector_->detect(job.frame);
        // detect() returned: the device has finished reading the planes, so the slot may go
        // back before the results are published.
        finish(job, r.hasValue());
        if (!r) {
            {
                std::lock_guard lock(mutex_);
                ++stats_.failed;
            }
            if (options_.onError) options_.onError(r.status());
            continue;
        }
        if (options_.store) options_.store->put(*r);
        if (options_.onResult) options_.onResult(*r);
        std::lock_guard lock(mutex_);
        ++stats_.processed;
        ++(job.device ? stats_.deviceJobs : stats_.hostJobs);
    }
}

}  // namespace sl::pipeline
