#include "pipeline/detector_worker.h"

namespace sl::pipeline {

DetectorWorker::DetectorWorker(std::unique_ptr<Detector> detector, DetectorWorkerOptions options)
    : detector_(std::move(detector)), options_(std::move(options)) {
    if (options_.capacity == 0) options_.capacity = 1;
    if (options_.store) options_.store->setLabels(detector_->manifest().labels);
    thread_ = std::thread([this] { run(); });
}

DetectorWorker::~DetectorWorker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    room_.notify_all();
    thread_.join();
}

bool DetectorWorker::submit(const media::VideoFrame& frame) {
    std::unique_lock lock(mutex_);
    if (stop_) return false;
    ++stats_.submitted;
    if (options_.policy == DetectorWorkerOptions::Policy::Block) {
        room_.wait(lock, [&] { return stop_ || queue_.size() < options_.capacity; });
        if (stop_) return false;
    } else {
        while (queue_.size() >= options_.capacity) {
            queue_.pop_front();
            ++stats_.dropped;
        }
    }
    queue_.push_back(frame);   // a new reference; the decoder's buffers stay shared
    wake_.notify_one();
    return true;
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
        media::VideoFrame frame;
        {
            std::unique_lock lock(mutex_);
            busy_ = false;
            idle_.notify_all();
            wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            frame = std::move(queue_.front());
            queue_.pop_front();
            busy_ = true;
            room_.notify_one();
        }
        if (options_.skipStored && options_.store && frame.index() >= 0 &&
            options_.store->at(frame.index())) {
            std::lock_guard lock(mutex_);
            ++stats_.skipped;
            continue;
        }
        auto r = detector_->detect(frame);
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
    }
}

}  // namespace sl::pipeline
