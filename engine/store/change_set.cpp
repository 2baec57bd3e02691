#include "store/change_set.h"

#include <nlohmann/json.hpp>

namespace sl::store {

using annotate::Object;
using nlohmann::json;

const char* frameReviewName(FrameReview r) {
    switch (r) {
        case FrameReview::Unreviewed: return "unreviewed";
        case FrameReview::Reviewed: return "reviewed";
        case FrameReview::Flagged: return "flagged";
    }
    return "unreviewed";
}

std::optional<FrameReview> parseFrameReview(const std::string& name) {
    for (FrameReview r : {FrameReview::Unreviewed, FrameReview::Reviewed, FrameReview::Flagged})
        if (name == frameReviewName(r)) return r;
    return std::nullopt;
}

namespace {

json objectJson(const Object& o) {
    return json{{"id", o.id},
                {"track", o.trackId},
                {"label", o.label},
                {"box", {o.box.x1, o.box.y1, o.box.x2, o.box.y2}},
                {"frame", o.frame},
                {"pts", o.pts},
                {"source", int(o.source)},
                {"score", o.score},
                {"keyframe", o.keyframe},
                {"outside", o.outside},
                {"occluded", o.occluded},
                {"crowd", o.crowd},
                {"ignored", o.ignored},
                {"visibility", o.visibility},
                {"area", o.area},
                {"attributes", o.attributes},
                {"origin", {o.origin.setId, o.origin.objectId, o.origin.trackId}},
                {"revision", o.revision}};
}

// Throws json::exception on a missing or mistyped field; changeSetFromJson reports it.
Object objectFrom(const json& j) {
    Object o;
    o.id = j.at("id").get<int64_t>();
    o.trackId = j.at("track").get<int64_t>();
    o.label = j.at("label").get<std::string>();
    const json& b = j.at("box");
    o.box = {b.at(0).get<float>(), b.at(1).get<float>(), b.at(2).get<float>(),
             b.at(3).get<float>()};
    o.frame = j.at("frame").get<int64_t>();
    o.pts = j.at("pts").get<int64_t>();
    const int source = j.at("source").get<int>();
    if (source < 0 || source > int(annotate::ObjectSource::Tracker))
        throw std::out_of_range("source " + std::to_string(source) + " is not a known source");
    o.source = annotate::ObjectSource(source);
    o.score = j.at("score").get<float>();
    o.keyframe = j.at("keyframe").get<bool>();
    o.outside = j.at("outside").get<bool>();
    o.occluded = j.at("occluded").get<bool>();
    o.crowd = j.at("crowd").get<bool>();
    o.ignored = j.at("ignored").get<bool>();
    o.visibility = j.at("visibility").get<float>();
    o.area = j.at("area").get<double>();
    o.attributes = j.at("attributes").get<std::map<std::string, std::string>>();
    const json& origin = j.at("origin");
    o.origin = {origin.at(0).get<int64_t>(), origin.at(1).get<int64_t>(),
                origin.at(2).get<int64_t>()};
    o.revision = j.at("revision").get<int64_t>();
    return o;
}

}  // namespace

std::string changeSetToJson(const ChangeSet& c) {
    json objects = json::array();
    for (const ObjectChange& oc : c.objects) {
        json j{{"set", oc.setId}};
        j["before"] = oc.before ? objectJson(*oc.before) : json(nullptr);
        j["after"] = oc.after ? objectJson(*oc.after) : json(nullptr);
        objects.push_back(std::move(j));
    }
    json frames = json::array();
    for (const FrameChange& f : c.frames)
        frames.push_back({f.setId, f.frame, int(f.before), int(f.after)});
    return json{{"label", c.label}, {"objects", objects}, {"frames", frames}}.dump();
}

Expected<ChangeSet> changeSetFromJson(const std::string& text, const std::string& where) {
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return Status(StatusCode::InvalidData, "store: " + where + ": the change is not JSON");
    try {
        ChangeSet c;
        c.label = j.at("label").get<std::string>();
        for (const json& oc : j.at("objects")) {
            ObjectChange change;
            change.setId = oc.at("set").get<int64_t>();
            if (!oc.at("before").is_null()) change.before = objectFrom(oc.at("before"));
            if (!oc.at("after").is_null()) change.after = objectFrom(oc.at("after"));
            if (!change.before && !change.after)
                throw std::out_of_range("an object change with neither row");
            c.objects.push_back(std::move(change));
        }
        for (const json& f : j.at("frames")) {
            FrameChange change{f.at(0).get<int64_t>(), f.at(1).get<int64_t>(),
                               FrameReview(f.at(2).get<int>()), FrameReview(f.at(3).get<int>())};
            for (FrameReview r : {change.before, change.after})
                if (int(r) < 0 || int(r) > int(FrameReview::Flagged))
                    throw std::out_of_range("review state " + std::to_string(int(r)));
            c.frames.push_back(change);
        }
        return c;
    } catch (const std::exception& e) {
        return Status(StatusCode::InvalidData,
                      "store: " + where + ": the change is damaged: " + e.what());
    }
}

}  // namespace sl::store
