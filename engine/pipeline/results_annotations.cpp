#include "pipeline/results_annotations.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <set>

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
        // The analysed runs themselves: a sparse analysis (Analyse Range on two stretches) must
        // not read back as "nothing found" in between.
        nlohmann::json ranges = nlohmann::json::array();
        int64_t a = frames.front().frameIndex, b = a;
        for (size_t i = 1; i < frames.size(); ++i) {
            if (frames[i].frameIndex == b + 1) {
                b = frames[i].frameIndex;
                continue;
            }
            ranges.push_back({a, b});
            a = b = frames[i].frameIndex;
        }
        ranges.push_back({a, b});
        params["ranges"] = std::move(ranges);
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
    std::set<int64_t> withPts;   // frames whose pts an object carried
    bool tracked = false;
    for (const annotate::Object& o : set.objects) {
        if (o.outside) continue;
        FrameDetections& f = frames[o.frame];
        f.frameIndex = o.frame;
        if (o.pts != annotate::kNoPts) {
            f.pts = o.pts;
            withPts.insert(o.frame);
        }
        f.detections.push_back({classOf(o.label), o.score, o.box});
        f.trackIds.push_back(o.trackId == annotate::kNoTrack ? 0 : o.trackId);
        tracked = tracked || o.trackId != annotate::kNoTrack;
    }
    const nlohmann::json params = nlohmann::json::parse(set.parameters, nullptr, false);
    const auto isRange = [](const nlohmann::json& r) {
        return r.is_array() && r.size() == 2 && r[0].is_number_integer() &&
               r[1].is_number_integer();
    };
    std::vector<std::pair<int64_t, int64_t>> analysed;
    if (params.is_object() && params.contains("ranges") && params["ranges"].is_array()) {
        for (const nlohmann::json& r : params["ranges"])
            if (isRange(r)) analysed.emplace_back(r[0].get<int64_t>(), r[1].get<int64_t>());
    } else if (params.is_object() && params.contains("frames") && isRange(params["frames"])) {
        analysed.emplace_back(params["frames"][0].get<int64_t>(), params["frames"][1].get<int64_t>());
    }
    // Bounded by what the media holds, so a corrupt range cannot allocate without limit.
    int64_t budget = 100'000'000;
    for (auto [first, last] : analysed) {
        const int64_t end = media.frameCount > 0 ? std::min(last, media.frameCount - 1) : last;
        if (first < 0 || end < first || end - first >= budget) continue;
        budget -= end - first + 1;
        for (int64_t i = first; i <= end; ++i) frames[i].frameIndex = i;
    }
    const double tb = media.timeBaseNum > 0 && media.timeBaseDen > 0
                          ? double(media.timeBaseNum) / media.timeBaseDen
                          : 0;
    store.setLabels(labels);
    for (auto& [index, f] : frames) {
        f.width = media.width;
        f.height = media.height;
        // The player's clock: (pts - frame 0's pts) * time base. A frame no object names (an
        // empty analysed frame) gets its time, and a pts, from the nominal rate: an estimate
        // on VFR media, used only for counts over time, since no track is on that frame.
        if (withPts.count(index) > 0 && tb > 0) {
            f.seconds = double(f.pts - media.startPts) * tb;
        } else {
            f.seconds = media.fps > 0 ? double(index) / media.fps : 0;
            f.pts = tb > 0 ? media.startPts + int64_t(std::llround(f.seconds / tb)) : index;
        }
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

std::string modelRunName(const std::string& model, int64_t nowMs) {
    const std::time_t t = std::time_t(nowMs / 1000);
    std::tm local{};
    localtime_r(&t, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    return model + " " + stamp;
}

Expected<int64_t> storeModelRun(store::ProjectStore& project, const annotate::MediaInfo& media,
                                const ResultsStore& store, const std::string& name,
                                const std::string& model, const std::string& parametersJson,
                                const store::Progress& progress) {
    auto mediaId = project.findOrAddMedia(media);
    if (!mediaId) return mediaId.status();
    const int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    std::string runName = name;
    if (runName.empty()) {
        // Two runs saved within one second would share the stamp: "(2)", "(3)", ...
        const std::string base = modelRunName(model, nowMs);
        std::set<std::string> taken;
        for (const annotate::AnnotationSet& s : project.sets(*mediaId)) taken.insert(s.name);
        runName = base;
        for (int n = 2; taken.count(runName) > 0; ++n) runName = base + " (" + std::to_string(n) + ")";
    }
    const annotate::AnnotationSet set =
        modelRunFromResults(store, runName, model, parametersJson, nowMs);
    return project.importSet(*mediaId, set, progress);
}

}  // namespace sl::pipeline
