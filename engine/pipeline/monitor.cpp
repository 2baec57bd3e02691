#include "pipeline/monitor.h"

#include <algorithm>
#include <utility>

namespace sl::pipeline {

Monitor::Monitor(std::vector<std::unique_ptr<InferenceStream>> streams,
                 SchedulerOptions scheduling, std::vector<std::string> labels,
                 SourcePipelineCallbacks callbacks)
    : scheduler_(std::move(streams), scheduling),
      labels_(std::move(labels)),
      callbacks_(std::move(callbacks)) {}

Monitor::~Monitor() { stopAll(); }

Status Monitor::add(const MonitorConfig& config, const MonitorSourceConfig& source) {
    SourcePipelineOptions o;
    o.name = source.name;
    o.live = liveOptions(config, source);
    o.targetFps = source.targetFps;
    o.weight = source.priority;
    o.scene = source.scene;
    o.labels = labels_;
    o.keepFrames = keepFrames_;
    std::unique_ptr<SourcePipeline> p;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [n, s] : sources_)
            if (n == source.name)
                return Status(StatusCode::InvalidArgument,
                              "monitor: a source named '" + source.name + "' is running");
        p = std::make_unique<SourcePipeline>(scheduler_, std::move(o), callbacks_);
        sources_.emplace_back(source.name, nullptr);
        sources_.back().second = std::move(p);
        sources_.back().second->start();
    }
    return {};
}

std::unique_ptr<SourcePipeline> Monitor::detach(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(sources_.begin(), sources_.end(),
                           [&](const auto& e) { return e.first == name; });
    if (it == sources_.end()) return nullptr;
    std::unique_ptr<SourcePipeline> gone = std::move(it->second);
    sources_.erase(it);
    return gone;
}

bool Monitor::remove(const std::string& name) {
    std::unique_ptr<SourcePipeline> gone = detach(name);
    if (!gone) return false;
    gone->stop();   // outside the lock: the others' status() must not wait for it
    return true;
}

void Monitor::stopAll() {
    std::vector<std::pair<std::string, std::unique_ptr<SourcePipeline>>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(sources_);
    }
    for (auto& [n, s] : all) s->stop();
    std::vector<SourceStatus> last;
    for (auto& [n, s] : all) last.push_back(s->status());
    std::lock_guard lock(mutex_);
    if (!all.empty()) stopped_ = std::move(last);
}

bool Monitor::setScene(const std::string& name, std::optional<analytics::Scene> scene) {
    std::lock_guard lock(mutex_);
    for (auto& [n, s] : sources_)
        if (n == name) {
            s->setScene(std::move(scene));
            return true;
        }
    return false;
}

std::vector<SourceStatus> Monitor::finalStatus() const {
    std::lock_guard lock(mutex_);
    return stopped_;
}

std::vector<std::string> Monitor::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> n;
    for (const auto& [name, s] : sources_) n.push_back(name);
    return n;
}

std::vector<SourceStatus> Monitor::status() const {
    std::lock_guard lock(mutex_);
    std::vector<SourceStatus> out;
    for (const auto& [name, s] : sources_) out.push_back(s->status());
    return out;
}

}  // namespace sl::pipeline
