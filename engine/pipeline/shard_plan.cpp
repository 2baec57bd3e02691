#include "pipeline/shard_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "media/frame_index.h"
#include "media/media_source.h"

namespace sl::pipeline {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

Status bad(const std::string& what) { return {StatusCode::InvalidData, "shard: " + what}; }

// FNV-1a, 64 bit: a stable name for a plan (not a security boundary).
std::string hashHex(const std::string& text) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    return buf;
}

std::string readText(const fs::path& p, bool& ok) {
    std::ifstream in(p, std::ios::binary);
    ok = bool(in);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

Expected<ShardSpec> parseShardSpec(const std::string& text) {
    const size_t slash = text.find('/');
    const auto number = [](const std::string& s, int& v) {
        if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
            return false;
        v = std::stoi(s);
        return true;
    };
    ShardSpec s;
    if (slash == std::string::npos || !number(text.substr(0, slash), s.index) ||
        !number(text.substr(slash + 1), s.count) || s.count < 1 || s.index >= s.count)
        return Status(StatusCode::InvalidArgument,
                      "--shard needs K/N with 0 <= K < N (K counts from 0), not '" + text + "'");
    return s;
}

Expected<std::vector<std::string>> readManifest(const fs::path& manifest) {
    bool ok = false;
    const std::string text = readText(manifest, ok);
    if (!ok) return Status(StatusCode::NotFound, "shard: cannot read manifest '" +
                                                     manifest.string() + "'");
    const fs::path base = manifest.parent_path();
    std::map<std::string, int> seen;   // path -> line
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        const std::string entry = trim(line);
        if (entry.empty() || entry[0] == '#') continue;
        fs::path p(entry);
        if (p.is_relative()) p = base / p;
        const std::string path = p.lexically_normal().string();
        const std::string where = manifest.string() + ":" + std::to_string(lineNo);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            return Status(StatusCode::NotFound,
                          "shard: " + where + ": no such video file '" + path + "'");
        if (auto [it, fresh] = seen.emplace(path, lineNo); !fresh)
            return Status(StatusCode::InvalidArgument,
                          "shard: " + where + ": '" + path + "' is listed twice (also line " +
                              std::to_string(it->second) + ")");
    }
    if (seen.empty())
        return Status(StatusCode::InvalidArgument,
                      "shard: manifest '" + manifest.string() + "' lists no video");
    std::vector<std::string> videos;
    for (const auto& [path, l] : seen) videos.push_back(path);   // std::map: byte order
    return videos;
}

std::vector<ShardPlan::Unit> ShardPlan::units() const {
    std::vector<Unit> u;
    for (size_t v = 0; v < videos.size(); ++v)
        for (int s = 0; s < videos[v].segments; ++s) u.push_back({int(v), s});
    return u;
}

std::vector<ShardPlan::Unit> ShardPlan::unitsOf(const ShardSpec& shard) const {
    const std::vector<Unit> all = units();
    std::vector<Unit> mine;
    for (size_t i = 0; i < all.size(); ++i)
        if (int(i % size_t(shard.count)) == shard.index) mine.push_back(all[i]);
    return mine;
}

int ShardPlan::shardOf(const Unit& u, int count) const {
    size_t pos = 0;
    for (int v = 0; v < u.video; ++v) pos += size_t(videos[size_t(v)].segments);
    return int((pos + size_t(u.segment)) % size_t(count));
}

std::string ShardPlan::toJson() const {
    ojson j;
    j["plan"] = id;
    j["manifest"] = manifest;
    j["segment_frames"] = segmentFrames;
    j["options"] = ojson::parse(optionsJson);
    ojson vs = ojson::array();
    for (const PlannedVideo& v : videos)
        vs.push_back({{"path", v.path},
                      {"estimated_frames", v.estimatedFrames},
                      {"segments", v.segments}});
    j["videos"] = std::move(vs);
    return j.dump(1) + "\n";
}

Expected<ShardPlan> makePlan(const fs::path& manifest, const std::vector<std::string>& videos,
                             int64_t segmentFrames, const std::string& optionsJson) {
    ShardPlan plan;
    plan.manifest = manifest.string();
    plan.segmentFrames = segmentFrames;
    plan.optionsJson = json::parse(optionsJson).dump();   // canonical: sorted keys
    std::string identity = plan.optionsJson + "\n" + std::to_string(segmentFrames) + "\n";
    for (const std::string& path : videos) {
        media::OpenOptions probe;
        probe.url = path;
        probe.buildIndex = false;
        auto info = media::probeMedia(probe);
        if (!info) return info.status().withContext("shard: manifest '" + plan.manifest + "'");
        const media::StreamInfo* v = info->video();
        if (!v) return bad("'" + path + "' has no video stream");
        PlannedVideo pv;
        pv.path = path;
        pv.estimatedFrames = std::llround(info->durationSeconds * v->nominalFps);
        pv.segments = int(std::max<int64_t>(
            1, (pv.estimatedFrames + segmentFrames - 1) / std::max<int64_t>(1, segmentFrames)));
        identity += path + "\n" + std::to_string(pv.segments) + "\n";
        plan.videos.push_back(std::move(pv));
    }
    plan.id = hashHex(identity);
    return plan;
}

Expected<ShardPlan> readPlan(const fs::path& file) {
    bool ok = false;
    const std::string text = readText(file, ok);
    if (!ok) return Status(StatusCode::NotFound, "shard: cannot read '" + file.string() + "'");
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("videos"))
        return bad("'" + file.string() + "' is not a shard plan");
    ShardPlan p;
    try {
        p.id = j.at("plan");
        p.manifest = j.at("manifest");
        p.segmentFrames = j.at("segment_frames");
        p.optionsJson = j.at("options").dump();
        for (const json& v : j.at("videos"))
            p.videos.push_back({v.at("path"), v.at("estimated_frames"), v.at("segments")});
    } catch (const json::exception& e) {   // kept inside this function: a Status leaves it
        return bad("'" + file.string() + "': " + e.what());
    }
    return p;
}

fs::path planFile(const fs::path& dir, const ShardPlan& plan) {
    return dir / ("plan-" + plan.id + ".json");
}

fs::path unitFile(const fs::path& dir, const ShardPlan& plan, const ShardPlan::Unit& u) {
    char name[96];
    std::snprintf(name, sizeof name, "unit-%s-v%05d-s%04d.json", plan.id.c_str(), u.video,
                  u.segment);
    return dir / name;
}

Expected<FrameRange> segmentRange(const std::string& video, int64_t segmentFrames, int segment,
                                  int segments) {
    media::MediaSource source;
    media::OpenOptions open;
    open.url = video;
    SL_TRY(source.open(open, media::MediaSource::Mode::ProbeOnly));
    const media::FrameIndex* index = source.index();
    if (!index) return bad("'" + video + "' is not seekable: it cannot be cut into segments");
    const int64_t n = index->frameCount();
    // The first clean keyframe at or after `target`: decoding from it reaches every later frame
    // without the previous segment's pictures.
    const auto cut = [&](int s) -> int64_t {
        if (s <= 0) return 0;
        if (s >= segments) return n;
        for (int64_t k = int64_t(s) * segmentFrames; k < n; ++k)
            if (index->entry(k).keyframe && index->seekKeyframeFor(k) == k) return k;
        return n;
    };
    FrameRange r;
    r.frameCount = n;
    if (const media::StreamInfo* v = source.info().video()) r.nominalFps = v->nominalFps;
    r.first = cut(segment);
    r.last = cut(segment + 1) - 1;
    return r;
}

Status writeUnit(const fs::path& file, const UnitResult& u) {
    // Plain json: doubles are written in their shortest exact form, so floats read back equal.
    json j;
    j["plan"] = u.planId;
    j["shard"] = std::to_string(u.shard.index) + "/" + std::to_string(u.shard.count);
    j["video"] = u.video;
    j["segment"] = u.segment;
    j["segments"] = u.segments;
    j["source"] = u.source;
    j["first"] = u.range.first;
    j["last"] = u.range.last;
    j["frame_count"] = u.range.frameCount;
    j["model"] = u.model;
    j["fps"] = u.fps;
    j["labels"] = u.labels;
    j["summary"] = {{"frames_decoded", u.summary.framesDecoded},
                    {"frames_analysed", u.summary.framesAnalysed},
                    {"frames_with_detections", u.summary.framesWithDetections},
                    {"seconds", u.summary.seconds},
                    {"counts", u.summary.countsPerClass}};
    json rows = json::array();
    for (const FrameDetections& f : u.frames) {
        json dets = json::array();
        for (const vision::Detection& d : f.detections)
            dets.push_back({d.classId, double(d.score), double(d.box.x1), double(d.box.y1),
                            double(d.box.x2), double(d.box.y2)});
        rows.push_back({{"frame", f.frameIndex},
                        {"pts", f.pts},
                        {"time", f.seconds},
                        {"width", f.width},
                        {"height", f.height},
                        {"detections", std::move(dets)}});
    }
    j["frames"] = std::move(rows);
    return writeFileAtomic(file, j.dump() + "\n", "shard");
}

Expected<UnitResult> readUnit(const fs::path& file) {
    bool ok = false;
    const std::string text = readText(file, ok);
    if (!ok) return Status(StatusCode::NotFound, "shard: cannot read '" + file.string() + "'");
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return bad("'" + file.string() + "' is not a unit result (truncated?)");
    UnitResult u;
    try {
        u.planId = j.at("plan");
        auto spec = parseShardSpec(j.at("shard").get<std::string>());
        if (spec) u.shard = *spec;
        u.video = j.at("video");
        u.segment = j.at("segment");
        u.segments = j.at("segments");
        u.source = j.at("source");
        u.range = {j.at("first"), j.at("last"), j.at("frame_count")};
        u.model = j.at("model");
        u.fps = j.at("fps");
        u.labels = j.at("labels").get<std::vector<std::string>>();
        const json& s = j.at("summary");
        u.summary.framesDecoded = s.at("frames_decoded");
        u.summary.framesAnalysed = s.at("frames_analysed");
        u.summary.framesWithDetections = s.at("frames_with_detections");
        u.summary.seconds = s.at("seconds");
        u.summary.countsPerClass = s.at("counts").get<std::map<std::string, int64_t>>();
        for (const json& r : j.at("frames")) {
            FrameDetections f;
            f.frameIndex = r.at("frame");
            f.pts = r.at("pts");
            f.seconds = r.at("time");
            f.width = r.at("width");
            f.height = r.at("height");
            for (const json& d : r.at("detections")) {
                vision::Detection det;
                det.classId = d.at(0);
                det.score = float(d.at(1).get<double>());
                det.box = {float(d.at(2).get<double>()), float(d.at(3).get<double>()),
                           float(d.at(4).get<double>()), float(d.at(5).get<double>())};
                f.detections.push_back(det);
            }
            u.frames.push_back(std::move(f));
        }
    } catch (const json::exception& e) {
        return bad("'" + file.string() + "': " + e.what());
    }
    return u;
}

Expected<std::vector<MergedVideo>> mergeUnits(const fs::path& dir, ShardPlan* planOut) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Status(StatusCode::NotFound, "shard: '" + dir.string() + "' is not a folder");
    std::vector<fs::path> plans, units;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with(".json") && name.starts_with("plan-")) plans.push_back(e.path());
        if (name.ends_with(".json") && name.starts_with("unit-")) units.push_back(e.path());
    }
    if (ec) return Status(StatusCode::Io, "shard: cannot list '" + dir.string() + "': " +
                                                   ec.message());
    if (plans.empty())
        return bad("'" + dir.string() + "' holds no plan-*.json: no shard has written to it");
    if (plans.size() > 1)
        return bad("'" + dir.string() + "' holds " + std::to_string(plans.size()) +
                   " plans (runs with other manifests or options); merge one folder per run");
    auto plan = readPlan(plans.front());
    if (!plan) return plan.status();
    std::map<std::pair<int, int>, UnitResult> got;
    int shardCount = 0;
    for (const fs::path& f : units) {
        auto u = readUnit(f);
        if (!u) return u.status();
        if (u->planId != plan->id)
            return bad("'" + f.string() + "' belongs to another plan (" + u->planId + ")");
        if (u->video < 0 || size_t(u->video) >= plan->videos.size() || u->segment < 0 ||
            u->segment >= plan->videos[size_t(u->video)].segments ||
            u->source != plan->videos[size_t(u->video)].path)
            return bad("'" + f.string() + "' is not a unit of plan " + plan->id);
        shardCount = std::max(shardCount, u->shard.count);
        const std::pair<int, int> key{u->video, u->segment};
        if (got.count(key))
            return bad("unit video " + std::to_string(u->video) + " segment " +
                       std::to_string(u->segment) + " appears twice ('" + f.string() + "')");
        got.emplace(key, std::move(*u));
    }
    std::string missing;
    int missingCount = 0;
    std::set<int> missingShards;
    for (const ShardPlan::Unit& u : plan->units()) {
        if (got.count({u.video, u.segment})) continue;
        ++missingCount;
        if (missingCount <= 20)
            missing += "\n  '" + plan->videos[size_t(u.video)].path + "' segment " +
                       std::to_string(u.segment + 1) + "/" +
                       std::to_string(plan->videos[size_t(u.video)].segments);
        if (shardCount > 0) missingShards.insert(plan->shardOf(u, shardCount));
    }
    if (missingCount > 0) {
        std::string shards;
        for (int s : missingShards)
            shards += (shards.empty() ? "" : ", ") + std::to_string(s) + "/" +
                      std::to_string(shardCount);
        return Status(StatusCode::NotFound,
                      "shard: '" + dir.string() + "' misses " + std::to_string(missingCount) +
                          " of " + std::to_string(plan->units().size()) + " units" +
                          (shards.empty() ? std::string(" (no shard has finished)")
                                          : " (owed by shard " + shards + ")") +
                          ":" + missing + (missingCount > 20 ? "\n  ..." : ""));
    }
    std::vector<MergedVideo> out;
    for (size_t v = 0; v < plan->videos.size(); ++v) {
        MergedVideo m;
        m.source = plan->videos[v].path;
        int64_t next = 0;   // the first frame the segments so far have not covered
        int64_t frameCount = -1;
        for (int s = 0; s < plan->videos[v].segments; ++s) {
            UnitResult& u = got.at({int(v), s});
            const std::string what = "'" + m.source + "' segment " + std::to_string(s + 1);
            if (frameCount >= 0 && u.range.frameCount != frameCount)
                return bad(what + " saw another frame count (" +
                           std::to_string(u.range.frameCount) + " vs " +
                           std::to_string(frameCount) + "): the file changed between shards");
            frameCount = u.range.frameCount;
            const bool empty = u.range.last < u.range.first;
            if (!empty && u.range.first != next)
                return bad(what + " starts at frame " + std::to_string(u.range.first) +
                           ", expected " + std::to_string(next));
            if (!empty) next = u.range.last + 1;
            for (FrameDetections& f : u.frames) {
                if (f.frameIndex < u.range.first || f.frameIndex > u.range.last ||
                    (!m.frames.empty() && f.frameIndex <= m.frames.back().frameIndex))
                    return bad(what + ": frame " + std::to_string(f.frameIndex) +
                               " outside its range or out of order");
                m.frames.push_back(std::move(f));
            }
            if (m.model.empty()) {
                m.model = u.model;
                m.labels = u.labels;
                m.fps = u.fps;
            }
            m.summary.framesDecoded += u.summary.framesDecoded;
            m.summary.framesAnalysed += u.summary.framesAnalysed;
            m.summary.framesWithDetections += u.summary.framesWithDetections;
            m.summary.seconds += u.summary.seconds;
            for (const auto& [label, n] : u.summary.countsPerClass)
                m.summary.countsPerClass[label] += n;
        }
        if (next != frameCount)
            return bad("'" + m.source + "': segments cover frames 0.." + std::to_string(next - 1) +
                       " of " + std::to_string(frameCount));
        m.summary.fps =
            m.summary.seconds > 0 ? double(m.summary.framesAnalysed) / m.summary.seconds : 0;
        out.push_back(std::move(m));
    }
    if (planOut) *planOut = std::move(*plan);
    return out;
}

}  // namespace sl::pipeline
