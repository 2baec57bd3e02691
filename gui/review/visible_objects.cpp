#include "review/visible_objects.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "annotate/interpolation.h"

namespace sl::gui {

std::vector<annotate::Object> visibleObjects(const annotate::AnnotationSet& set,
                                             int64_t lastFrame) {
    std::vector<annotate::Object> out;
    std::map<int64_t, std::vector<annotate::Object>> tracks;
    out.reserve(set.objects.size());
    for (const annotate::Object& o : set.objects) {
        if (o.trackId == annotate::kNoTrack) {
            if (!o.outside) out.push_back(o);
        } else {
            tracks[o.trackId].push_back(o);
        }
    }
    for (auto& [id, objects] : tracks) {
        const bool keyframed = std::any_of(objects.begin(), objects.end(),
                                           [](const annotate::Object& o) { return o.keyframe; });
        if (keyframed) {
            std::vector<annotate::Object> expanded = annotate::expandTrack(objects, lastFrame);
            out.insert(out.end(), std::make_move_iterator(expanded.begin()),
                       std::make_move_iterator(expanded.end()));
        } else {
            for (annotate::Object& o : objects)
                if (!o.outside) out.push_back(std::move(o));
        }
    }
    std::sort(out.begin(), out.end(), [](const annotate::Object& a, const annotate::Object& b) {
        return std::tie(a.frame, a.trackId, a.id) < std::tie(b.frame, b.trackId, b.id);
    });
    return out;
}

}  // namespace sl::gui
