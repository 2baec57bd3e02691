#include "pipeline/results_store.h"

#include <algorithm>

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace sl::pipeline {

namespace {

using ojson = nlohmann::ordered_json;

// Two decimals are sub-pixel for boxes and plenty for scores; keeps files small and diffable.
double round2(double v) { return std::round(v * 100.0) / 100.0; }
double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

ResultsStore::ResultsStore(std::vector<std::string> labels) : labels_(std::move(labels)) {}

void ResultsStore::setLabels(std::vector<std::string> labels) {
    std::lock_guard lock(mutex_);
    labels_ = std::move(labels);
    ++version_;
}

std::vector<std::string> ResultsStore::labels() const {
    std::lock_guard lock(mutex_);
    return labels_;
}

std::string ResultsStore::label(int id) const {
    std::lock_guard lock(mutex_);
    if (id >= 0 && size_t(id) < labels_.size()) return labels_[size_t(id)];
    return "class " + std::to_string(id);
}

void ResultsStore::put(FrameDetections frame) {
    std::lock_guard lock(mutex_);
    auto it = frames_.find(frame.frameIndex);
    if (it != frames_.end()) byPts_.erase(it->second.pts);
    byPts_[frame.pts] = frame.frameIndex;
    frames_[frame.frameIndex] = std::move(frame);
    ++version_;
}

std::optional<FrameDetections> ResultsStore::at(int64_t frameIndex) const {
    std::lock_guard lock(mutex_);
    auto it = frames_.find(frameIndex);
    if (it == frames_.end()) return std::nullopt;
    return it->second;
}

std::optional<FrameDetections> ResultsStore::atPts(int64_t pts) const {
    std::lock_guard lock(mutex_);
    auto it = byPts_.find(pts);
    if (it == byPts_.end()) return std::nullopt;
    return frames_.at(it->second);
}

std::vector<FrameDetections> ResultsStore::range(int64_t first, int64_t last) const {
    std::lock_guard lock(mutex_);
    std::vector<FrameDetections> r;
    for (auto it = frames_.lower_bound(first); it != frames_.end() && it->first <= last; ++it)
        r.push_back(it->second);
    return r;
}

std::vector<std::pair<int64_t, int64_t>> ResultsStore::missingRanges(int64_t first,
                                                                      int64_t last) const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<int64_t, int64_t>> gaps;
    int64_t next = first;   // first index not yet accounted for
    for (auto it = frames_.lower_bound(first); it != frames_.end() && it->first <= last; ++it) {
        if (it->first > next) gaps.emplace_back(next, it->first - 1);
        next = it->first + 1;
    }
    if (next <= last) gaps.emplace_back(next, last);
    return gaps;
}

std::vector<FrameDetections> ResultsStore::snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<FrameDetections> r;
    r.reserve(frames_.size());
    for (const auto& [i, f] : frames_) r.push_back(f);
    return r;
}

size_t ResultsStore::size() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
}

void ResultsStore::clear() {
    std::lock_guard lock(mutex_);
    frames_.clear();
    byPts_.clear();
    ++version_;
}

uint64_t ResultsStore::version() const {
    std::lock_guard lock(mutex_);
    return version_;
}

std::map<std::string, int64_t> ResultsStore::countsPerClass() const {
    std::map<std::string, int64_t> counts;
    for (const FrameDetections& f : snapshot())
        for (const vision::Detection& d : f.detections) ++counts[label(d.classId)];
    return counts;
}

std::string ResultsStore::toJson(const ExportHeader& header) const {
    const std::vector<FrameDetections> frames = snapshot();
    ojson j;
    j["source"] = header.source;
    j["model"] = header.model;
    j["labels"] = labels();
    if (header.summary) {
        const RunSummary& s = *header.summary;
        ojson counts = ojson::object();
        for (const auto& [name, n] : s.countsPerClass) counts[name] = n;
        j["summary"] = {{"frames_decoded", s.framesDecoded},
                        {"frames_analysed", s.framesAnalysed},
                        {"frames_with_detections", s.framesWithDetections},
                        {"seconds", round2(s.seconds)},
                        {"fps", round2(s.fps)},
                        {"counts", counts}};
        if (s.tracking) {
            const TrackingSummary& t = *s.tracking;
            ojson lines = ojson::object();
            for (const auto& [line, byLabel] : t.lineAB) lines[line]["A->B"] = byLabel;
            for (const auto& [line, byLabel] : t.lineBA) lines[line]["B->A"] = byLabel;
            ojson zones = ojson::object();
            for (const auto& [zone, byLabel] : t.zoneEntries) zones[zone] = byLabel;
            j["summary"]["tracking"] = {
                {"tracks", t.tracks}, {"events", t.events}, {"zones", zones}, {"lines", lines}};
        }
    }
    ojson rows = ojson::array();
    for (const FrameDetections& f : frames) {
        ojson dets = ojson::array();
        for (size_t i = 0; i < f.detections.size(); ++i) {
            const vision::Detection& d = f.detections[i];
            dets.push_back({{"class_id", d.classId},
                            {"label", label(d.classId)},
                            {"score", round4(d.score)},
                            {"box",
                             {round2(d.box.x1), round2(d.box.y1), round2(d.box.x2),
                              round2(d.box.y2)}}});
            if (i < f.trackIds.size() && f.trackIds[i] > 0) dets.back()["track_id"] = f.trackIds[i];
        }
        rows.push_back({{"frame", f.frameIndex},
                        {"pts", f.pts},
                        {"time", round4(f.seconds)},
                        {"width", f.width},
                        {"height", f.height},
                        {"detections", std::move(dets)}});
    }
    j["frames"] = std::move(rows);
    return j.dump(1) + "\n";
}

std::string ResultsStore::toCsv() const {
    const std::vector<FrameDetections> frames = snapshot();
    const bool tracked = std::any_of(frames.begin(), frames.end(),
                                     [](const FrameDetections& f) { return !f.trackIds.empty(); });
    std::string s = tracked ? "frame,pts,time,class_id,label,score,x1,y1,x2,y2,track_id\n"
                            : "frame,pts,time,class_id,label,score,x1,y1,x2,y2\n";
    for (const FrameDetections& f : frames)
        for (size_t i = 0; i < f.detections.size(); ++i) {
            const vision::Detection& d = f.detections[i];
            s += std::to_string(f.frameIndex) + "," + std::to_string(f.pts) + "," +
                 fixed(f.seconds, 4) + "," + std::to_string(d.classId) + "," +
                 csvField(label(d.classId)) + "," + fixed(d.score, 4) + "," +
                 fixed(d.box.x1, 2) + "," + fixed(d.box.y1, 2) + "," + fixed(d.box.x2, 2) + "," +
                 fixed(d.box.y2, 2);
            if (tracked)
                s += "," + (i < f.trackIds.size() && f.trackIds[i] > 0
                                ? std::to_string(f.trackIds[i])
                                : std::string());
            s += "\n";
        }
    return s;
}

Status ResultsStore::save(const std::filesystem::path& path, const ExportHeader& header) const {
    const std::string ext = path.extension().string();
    if (ext == ".json") return writeFileAtomic(path, toJson(header), "pipeline");
    if (ext == ".csv") return writeFileAtomic(path, toCsv(), "pipeline");
    return Status(StatusCode::InvalidArgument,
                  "pipeline: '" + path.string() + "': unknown results format (use .json or .csv)");
}

}  // namespace sl::pipeline
