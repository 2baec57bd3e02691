#include "annotate/visible_objects.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "annotate/interpolation.h"

namespace sl::annotate {

std::vector<Object> visibleObjects(const AnnotationSet& set, int64_t lastFrame) {
    std::map<int64_t, bool> keyframed;   // track -> has a keyframe
    for (const Object& o : set.objects)
        if (o.trackId != kNoTrack) keyframed[o.trackId] = keyframed[o.trackId] || o.keyframe;
    AnnotationSet expand;   // lone boxes and keyframed tracks: densify's
    std::vector<Object> out;
    for (const Object& o : set.objects) {
        if (o.trackId == kNoTrack || keyframed[o.trackId])
            expand.objects.push_back(o);
        else if (!o.outside)
            out.push_back(o);   // a dense track, as stored
    }
    std::vector<Object> dense = densify(expand, lastFrame);
    out.insert(out.end(), std::make_move_iterator(dense.begin()),
               std::make_move_iterator(dense.end()));
    std::sort(out.begin(), out.end(), [](const Object& a, const Object& b) {
        return std::tie(a.frame, a.trackId, a.id) < std::tie(b.frame, b.trackId, b.id);
    });
    return out;
}

int64_t lastFrameOf(int64_t frames, std::initializer_list<const AnnotationSet*> sets) {
    if (frames > 0) return frames - 1;
    int64_t last = 0;
    for (const AnnotationSet* s : sets)
        for (const Object& o : s->objects) last = std::max(last, o.frame);
    return last;
}

}  // namespace sl::annotate
