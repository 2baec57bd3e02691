#include "pipeline/track_export.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "pipeline/results_store.h"

namespace sl::pipeline {

namespace {

std::string labelOf(const std::vector<std::string>& labels, int classId) {
    return classId >= 0 && classId < static_cast<int>(labels.size())
               ? labels[static_cast<size_t>(classId)]
               : std::to_string(classId);
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

nlohmann::json eventObject(const analytics::Event& e) {
    nlohmann::json j = {{"time", e.seconds},       {"frame", e.frameIndex},
                        {"pts", e.pts},            {"event", analytics::eventKindName(e.kind)},
                        {"target", e.target},      {"track_id", e.trackId},
                        {"class_id", e.classId},   {"label", e.label}};
    if (e.kind == analytics::EventKind::LineCross)
        j["direction"] = e.direction > 0 ? "A->B" : "B->A";
    if (e.kind == analytics::EventKind::ZoneExit || e.kind == analytics::EventKind::Loiter)
        j["dwell"] = e.dwellSeconds;
    return j;
}

std::string extensionOf(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

}  // namespace

std::string motTracksText(const TrackAnalysis& analysis) {
    std::string out;
    char line[160];
    for (const auto& f : analysis.trackedFrames())
        for (const auto& o : f.objects) {
            std::snprintf(line, sizeof line, "%lld,%lld,%.2f,%.2f,%.2f,%.2f,%.6f,-1,-1,-1\n",
                          static_cast<long long>(f.frameIndex + 1),
                          static_cast<long long>(o.trackId), o.box.x1, o.box.y1,
                          o.box.x2 - o.box.x1, o.box.y2 - o.box.y1, o.score);
            out += line;
        }
    return out;
}

std::string tracksJson(const TrackAnalysis& analysis, const std::vector<std::string>& labels) {
    const track::TrackerParams& p = analysis.params();
    nlohmann::json j;
    j["tracker"] = {{"name", "bytetrack"},
                    {"preset", track::presetName(p.preset)},
                    {"track_thresh", p.trackThresh},
                    {"high_thresh", p.highThresh},
                    {"match_thresh", p.matchThresh},
                    {"track_buffer", p.trackBuffer},
                    {"fps", p.fps},
                    {"class_agnostic", p.classAgnostic}};
    j["labels"] = labels;
    nlohmann::json tracks = nlohmann::json::array();
    for (const auto& t : analysis.tracks())
        tracks.push_back({{"id", t.trackId},
                          {"class_id", t.classId},
                          {"label", labelOf(labels, t.classId)},
                          {"first_frame", t.firstFrame},
                          {"last_frame", t.lastFrame},
                          {"first_time", t.firstSeconds},
                          {"last_time", t.lastSeconds},
                          {"frames", t.frames},
                          {"zones", t.zonesVisited}});
    j["tracks"] = std::move(tracks);
    nlohmann::json frames = nlohmann::json::array();
    for (const auto& f : analysis.trackedFrames()) {
        nlohmann::json objects = nlohmann::json::array();
        for (const auto& o : f.objects)
            objects.push_back({{"track_id", o.trackId},
                               {"class_id", o.classId},
                               {"label", labelOf(labels, o.classId)},
                               {"score", o.score},
                               {"box", {o.box.x1, o.box.y1, o.box.x2, o.box.y2}}});
        frames.push_back(
            {{"frame", f.frameIndex}, {"pts", f.pts}, {"time", f.seconds}, {"objects", objects}});
    }
    j["frames"] = std::move(frames);
    return j.dump(1) + "\n";
}

std::string eventsCsv(const std::vector<analytics::Event>& events) {
    std::string out = "time,frame,pts,event,target,track_id,class_id,label,direction,dwell\n";
    for (const auto& e : events) {
        const bool dwell = e.kind == analytics::EventKind::ZoneExit ||
                           e.kind == analytics::EventKind::Loiter;
        out += fmt(e.seconds) + "," + std::to_string(e.frameIndex) + "," + std::to_string(e.pts) +
               "," + analytics::eventKindName(e.kind) + "," + csvField(e.target) + "," +
               std::to_string(e.trackId) + "," + std::to_string(e.classId) + "," +
               csvField(e.label) + "," +
               (e.kind == analytics::EventKind::LineCross ? (e.direction > 0 ? "A->B" : "B->A")
                                                          : "") +
               "," + (dwell ? fmt(e.dwellSeconds) : "") + "\n";
    }
    return out;
}

std::string eventJsonLine(const analytics::Event& event) { return eventObject(event).dump(); }

std::string eventsJsonLines(const std::vector<analytics::Event>& events) {
    std::string out;
    for (const auto& e : events) out += eventJsonLine(e) + "\n";
    return out;
}

std::string eventsJson(const std::vector<analytics::Event>& events) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : events) a.push_back(eventObject(e));
    return a.dump(1) + "\n";
}

Status saveTracks(const std::filesystem::path& path, const TrackAnalysis& analysis,
                  const std::vector<std::string>& labels) {
    const std::string ext = extensionOf(path);
    if (ext == ".txt") return writeFileAtomic(path, motTracksText(analysis), "pipeline");
    if (ext == ".json") return writeFileAtomic(path, tracksJson(analysis, labels), "pipeline");
    return {StatusCode::InvalidArgument,
            "pipeline: '" + path.string() + "': tracks are written as .txt (MOTChallenge) or .json"};
}

Status saveEvents(const std::filesystem::path& path, const std::vector<analytics::Event>& events) {
    const std::string ext = extensionOf(path);
    if (ext == ".csv") return writeFileAtomic(path, eventsCsv(events), "pipeline");
    if (ext == ".json") return writeFileAtomic(path, eventsJson(events), "pipeline");
    if (ext == ".jsonl") return writeFileAtomic(path, eventsJsonLines(events), "pipeline");
    return {StatusCode::InvalidArgument,
            "pipeline: '" + path.string() + "': events are written as .csv, .json or .jsonl"};
}

}  // namespace sl::pipeline
