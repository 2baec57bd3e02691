#pragma once
// Monitor: many live sources on one device. It owns the Scheduler (over the inference streams
// it is given: a Detector and its siblings on one CL context) and one SourcePipeline per source,
// added and removed by name while the others run (`sightline monitor`; the monitoring wall).
//
//   Monitor mon(detectorStreams(all), {.maxBatch = 1}, labels, {.onResult = ..., .onState = ...});
//   mon.add(config, config.sources[0]);   // returns at once: a camera that is down reconnects
//   ... mon.status() ...
//   mon.remove("door");                   // frees that source's frames, queues and threads
//
// Thread safety: every method from any thread except the callbacks (which run on source and
// scheduler threads and must not add or remove sources).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/monitor_config.h"
#include "pipeline/scheduler.h"
#include "pipeline/source_pipeline.h"

namespace sl::pipeline {

class Monitor {
public:
    Monitor(std::vector<std::unique_ptr<InferenceStream>> streams, SchedulerOptions scheduling,
            std::vector<std::string> labels, SourcePipelineCallbacks callbacks);
    ~Monitor();   // stops every source, then the scheduler
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    // Starts a source under `source.name` (AlreadyExists when taken). `config` gives the
    // timeouts and reconnect policy.
    Status add(const MonitorConfig& config, const MonitorSourceConfig& source);
    // Stops and frees it; false when there is no such source.
    bool remove(const std::string& name);
    // Takes it off the list at once (the name is free again) without waiting for it; the caller
    // stops it (SourcePipeline::stop or its destructor, which join its thread), e.g. on a worker
    // thread so that a GUI never waits. Null when there is no such source.
    std::unique_ptr<SourcePipeline> detach(const std::string& name);
    void stopAll();
    // A running source's zones, lines and rules, replaced without restarting it
    // (SourcePipeline::setScene). False when there is no such source.
    bool setScene(const std::string& name, std::optional<analytics::Scene> scene);
    // Sources added from now on hand their frames with the results (SourcePipelineOptions::
    // keepFrames): the monitoring wall shows each frame with its own boxes.
    void setKeepFrames(bool keep) { keepFrames_ = keep; }

    std::vector<std::string> names() const;
    std::vector<SourceStatus> status() const;    // running sources, in the order added
    std::vector<SourceStatus> finalStatus() const;   // of the sources the last stopAll() stopped
    SchedulerStats schedulerStats() const { return scheduler_.stats(); }

private:
    Scheduler scheduler_;
    std::vector<std::string> labels_;
    SourcePipelineCallbacks callbacks_;
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, std::unique_ptr<SourcePipeline>>> sources_;
    std::vector<SourceStatus> stopped_;
    bool keepFrames_ = false;
};

}  // namespace sl::pipeline
