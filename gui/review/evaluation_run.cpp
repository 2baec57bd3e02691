#include "review/evaluation_run.h"

#include <algorithm>
#include <tuple>

#include "pipeline/background_task.h"
#include "annotate/visible_objects.h"
#include "store/project_store.h"

namespace sl::gui {

namespace {

// The label of the object an error names, from the visible objects (sorted by frame, track, id).
std::string labelOf(const std::vector<annotate::Object>& objects, int64_t frame, int64_t track,
                    int64_t id) {
    const auto key = [](const annotate::Object& o) { return std::tie(o.frame, o.trackId); };
    auto lo =
        std::lower_bound(objects.begin(), objects.end(), std::tie(frame, track),
                         [&](const annotate::Object& o, const auto& k) { return key(o) < k; });
    for (auto it = lo; it != objects.end() && it->frame == frame && it->trackId == track; ++it)
        if (track != annotate::kNoTrack || it->id == id) return it->label;
    return {};
}

// The visible boxes of both layers within the range (annotate/visible_objects.h, as `sightline
// eval P#GT P#PRED` compares them), on the
// evaluation's lane: copying a million objects must not hold up the project lane.
Expected<EvaluationInput> prepare(const EvaluationInput& raw) {
    const EvaluationRequest& request = raw.request;
    EvaluationInput in;
    in.request = request;
    in.gt.name = raw.gt.name;
    in.gt.labels = raw.gt.labels;
    in.pred.name = raw.pred.name;
    in.pred.labels = raw.pred.labels;
    const int64_t last = annotate::lastFrameOf(request.frames, {&raw.gt, &raw.pred});
    int64_t lo = 0, hi = last;
    if (request.first >= 0 || request.last >= 0) {
        lo = std::max<int64_t>(0, request.first);
        hi = request.last >= 0 ? std::min(request.last, last) : last;
        if (hi < lo)
            return Status(StatusCode::InvalidArgument,
                          "Evaluation: the range " + std::to_string(request.first) + ".." +
                              std::to_string(request.last) + " holds no frame of the media (0.." +
                              std::to_string(last) + ")");
    }
    in.request.first = lo;
    in.request.last = hi;
    for (auto [from, s] : {std::pair{&raw.gt, &in.gt}, std::pair{&raw.pred, &in.pred}}) {
        std::vector<annotate::Object> shown = annotate::visibleObjects(*from, last);
        std::erase_if(shown,
                      [&](const annotate::Object& o) { return o.frame < lo || o.frame > hi; });
        s->objects = std::move(shown);
    }
    const std::string range = "frames " + std::to_string(lo) + ".." + std::to_string(hi);
    if (in.gt.objects.empty())
        return Status(StatusCode::InvalidArgument, "Evaluation: the ground-truth layer '" +
                                                       in.gt.name + "' has no boxes in " + range +
                                                       ": nothing to evaluate against");
    return in;
}

}  // namespace

Expected<EvaluationInput> loadEvaluationInput(store::ProjectStore& p,
                                              const EvaluationRequest& request) {
    if (request.gtSet == 0 || request.predSet == 0)
        return Status(StatusCode::InvalidArgument,
                      "Evaluation: pick a ground-truth layer and a prediction layer");
    if (request.gtSet == request.predSet)
        return Status(StatusCode::InvalidArgument,
                      "Evaluation: the ground-truth and the prediction layer are the same set; "
                      "pick two different layers");
    EvaluationInput in;
    in.request = request;
    for (auto [id, out] :
         {std::pair{request.gtSet, &in.gt}, std::pair{request.predSet, &in.pred}}) {
        auto set = p.set(id);
        if (!set) return set.status();
        auto objects = p.objects(id);
        if (!objects) return objects.status();
        *out = std::move(*set);
        out->objects = std::move(*objects);
    }
    return in;
}

Expected<EvaluationResult> evaluate(const EvaluationInput& raw, pipeline::TaskContext& ctx) {
    ctx.progress(0, 1, "visible boxes");
    Expected<EvaluationInput> shown = prepare(raw);
    if (!shown) return shown.status();
    if (ctx.cancelled()) return ctx.cancelledStatus();
    const EvaluationInput& in = *shown;
    EvaluationResult r;
    r.request = in.request;
    r.gtName = in.gt.name;
    r.predName = in.pred.name;
    r.first = in.request.first;
    r.last = in.request.last;
    if (in.pred.objects.empty())
        r.note = "The prediction layer '" + in.pred.name + "' has no boxes in frames " +
                 std::to_string(r.first) + ".." + std::to_string(r.last) +
                 ": every ground-truth box is a miss";
    for (const annotate::Object& o : in.pred.objects)
        r.tracked = r.tracked || o.trackId != annotate::kNoTrack;
    const int steps = r.tracked ? 5 : 2;
    ctx.progress(0, steps, "COCO bbox evaluation");
    r.coco = eval::cocoEvaluate(in.gt, in.pred);
    if (ctx.cancelled()) return ctx.cancelledStatus();
    ctx.progress(1, steps, "matching for CLEAR MOT");
    eval::MotOptions mot;
    mot.iouThreshold = in.request.iou;
    const eval::MotData data = eval::buildMotData(in.gt, in.pred, mot);
    if (ctx.cancelled()) return ctx.cancelledStatus();
    // The per-frame errors come from CLEAR, so they are there for detection sets too.
    r.clear = eval::clearMetrics(data, mot.iouThreshold);
    if (r.tracked) {
        if (ctx.cancelled()) return ctx.cancelledStatus();
        ctx.progress(2, steps, "Identity");
        r.identity = eval::identityMetrics(data, mot.iouThreshold);
        if (ctx.cancelled()) return ctx.cancelledStatus();
        ctx.progress(3, steps, "HOTA");
        r.hota = eval::hotaMetrics(data);
    }
    if (ctx.cancelled()) return ctx.cancelledStatus();
    ctx.progress(steps - 1, steps, "timeline markers");
    r.markers.reserve(r.clear.errors.size());
    for (const eval::FrameError& e : r.clear.errors) {
        TimelineMarker m;
        m.kind = e.kind;
        m.frame = e.frame;
        m.gtObjectId = e.gtObjectId;
        m.gtTrackId = e.gtTrackId;
        m.predObjectId = e.predObjectId;
        m.predTrackId = e.predTrackId;
        m.label = e.kind == eval::FrameError::Kind::FalsePositive
                      ? labelOf(in.pred.objects, e.frame, e.predTrackId, e.predObjectId)
                      : labelOf(in.gt.objects, e.frame, e.gtTrackId, e.gtObjectId);
        r.markers.push_back(std::move(m));
    }
    std::stable_sort(
        r.markers.begin(), r.markers.end(),
        [](const TimelineMarker& a, const TimelineMarker& b) { return a.frame < b.frame; });
    ctx.progress(steps, steps);
    return r;
}

}  // namespace sl::gui
