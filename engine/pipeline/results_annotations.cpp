#include "pipeline/results_annotations.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace sl::pipeline {

annotate::AnnotationSet modelRunFromResults(const ResultsStore& store, const std::string& name,
                                            const std::string& model,
                                            const std::string& parametersJson,
                                            int64_t createdAtMs) {
    annotate::AnnotationSet set;
    set.name = name;
    set.kind = annotate::SetKind::ModelRun;
    set.labels = store.labels();
    set.model = model;
    set.createdAtMs = createdAtMs;
    const std::vector<FrameDetections> frames = store.snapshot();
    nlohmann::json params = nlohmann::json::object();
    if (!parametersJson.empty()) {
        params = nlohmann::json::parse(parametersJson, nullptr, false);
        if (!params.is_object()) params = nlohmann::json{{"parameters", parametersJson}};
    }
    if (!frames.empty()) {
        params["frames"] = {frames.front().frameIndex, frames.back().frameIndex};
        params["analysed"] = frames.size();
    }
    set.parameters = params.dump();
    for (const FrameDetections& f : frames) {
        for (size_t i = 0; i < f.detections.size(); ++i) {
            const vision::Detection& d = f.detections[i];
            annotate::Object o;
            o.label = store.label(d.classId);
            o.box = d.box;
            o.frame = f.frameIndex;
            o.pts = f.pts;
            o.source = annotate::ObjectSource::Model;
            o.score = d.score;
            o.keyframe = false;
            if (i < f.trackIds.size() && f.trackIds[i] > 0) o.trackId = f.trackIds[i];
            set.objects.push_back(std::move(o));
        }
    }
    return set;
}

void resultsFromAnnotationSet(const annotate::AnnotationSet& set, const annotate::MediaInfo& media,
                              ResultsStore& store) {
    std::vector<std::string> labels = set.labels;
    auto classOf = [&](const std::string& label) {
        auto it = std::find(labels.begin(), labels.end(), label);
        if (it != labels.end()) return int(it - labels.begin());
        labels.push_back(label);
        return int(labels.size() - 1);
    };
    std::map<int64_t, FrameDetections> frames;
    bool tracked = false;
    for (const annotate::Object& o : set.objects) {
        if (o.outside) continue;
        FrameDetections& f = frames[o.frame];
        f.frameIndex = o.frame;
        if (o.pts != annotate::kNoPts) f.pts = o.pts;
        f.detections.push_back({classOf(o.label), o.score, o.box});
        f.trackIds.push_back(o.trackId == annotate::kNoTrack ? 0 : o.trackId);
        tracked = tracked || o.trackId != annotate::kNoTrack;
    }
    const nlohmann::json params = nlohmann::json::parse(set.parameters, nullptr, false);
    if (params.is_object() && params.contains("frames") && params["frames"].is_array() &&
        params["frames"].size() == 2 && params["frames"][0].is_number_integer() &&
        params["frames"][1].is_number_integer()) {
        const int64_t first = params["frames"][0], last = params["frames"][1];
        // Bounded by what the media holds, so a corrupt range cannot allocate without limit.
        const int64_t end = media.frameCount > 0 ? std::min(last, media.frameCount - 1) : last;
        if (first >= 0 && end - first < 100'000'000)
            for (int64_t i = first; i <= end; ++i) frames[i].frameIndex = i;
    }
    const double tb = media.timeBaseDen > 0 ? double(media.timeBaseNum) / media.timeBaseDen : 0;
    store.setLabels(labels);
    for (auto& [index, f] : frames) {
        f.width = media.width;
        f.height = media.height;
        f.seconds = tb > 0 ? f.pts * tb : (media.fps > 0 ? index / media.fps : 0);
        // Detections by score, descending, as the detector delivers them; trackIds follow.
        std::vector<size_t> order(f.detections.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            return f.detections[a].score > f.detections[b].score;
        });
        FrameDetections sorted = f;
        for (size_t i = 0; i < order.size(); ++i) {
            sorted.detections[i] = f.detections[order[i]];
            sorted.trackIds[i] = f.trackIds[order[i]];
        }
        if (!tracked) sorted.trackIds.clear();
        store.put(std::move(sorted));
    }
}

}  // namespace sl::pipeline
