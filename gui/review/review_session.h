#pragma once
// ReviewSession: the annotation layers of the shown media, in memory, for drawing and editing in
// the video view (issue 14). Each layer is one stored set (ground truth, a model run, a reviewed
// set) with its display settings (visible, colour, opacity; predictions are drawn dashed).
//
// The project is the truth; this is a mirror of it. The sets are read when the media is ready
// (on the "project" lane, never the GUI thread) and then follow every committed edit, undo and
// redo through the change set the store returns (ReviewController::changed): a change set holds
// whole rows before and after, so applying it here gives exactly what the store holds without
// reading the project again. A refused edit changes nothing in either.
//
// Reading, first frame first: a first read takes only what the focus frame (the shown one)
// draws, by index seeks (ProjectStore::objectsForFrame: its lone boxes and the keyframes around
// it of every track), so a million-object project shows its first frame with its boxes in
// milliseconds; ready() is true from then on and edits apply. (That first read also takes each
// set's first page: a set that fits in it, as most do, is whole at once.) The rest follows in pages
// (ProjectStore::objectsPage), each a task of its own on the "project" lane, so an edit waits
// behind one page at most; complete() once all are in. Why an edit during the load is in the
// mirror exactly once: the pages and the edits run on the same lane, one at a time in start
// order, and their answers reach the GUI thread in that order. A page read after an edit holds
// its rows as the edit left them, and the edit's change was applied here before the page lands;
// a page read before it lands before the change. Either way every row the mirror already holds
// is as the page has it, so a page adds only the ids not held (never overwriting or reviving one
// an edit changed or removed), and a change applies to whatever the mirror holds then.
//
// Objects are kept as stored: lone boxes and the keyframes of tracks. "The box of track T at
// frame F" is annotate::trackObjectAt over T's sorted keyframes (the same rule as the engine's
// expandTrack, so what is drawn is what `sightline project export` writes).
//
// The edit target is the set new boxes and accepted predictions go to: the first reviewed set,
// else the first ground-truth set; the Layers panel can pick another editable (not model-run)
// set. Without one, ensureEditTarget() makes an empty reviewed set first.

#include <QColor>
#include <QObject>
#include <QString>

#include <algorithm>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "annotate/annotation.h"
#include "pipeline/background_task.h"
#include "store/change_set.h"

namespace sl::gui {

class ProjectController;
class ReviewController;

struct ReviewLayer {
    annotate::AnnotationSet set;   // name, kind, labels; objects are in the index below
    bool visible = true;
    QColor color;
    double opacity = 1.0;
    bool prediction() const { return set.kind == annotate::SetKind::ModelRun; }
    bool editable() const { return !prediction(); }
};

// One object shown at a frame: stored (object.id > 0) or derived from a track's keyframes
// (id 0, source Interpolated).
struct ShownObject {
    int64_t setId = 0;
    annotate::Object object;
};

// A selected object: a stored box, or a track at the shown frame (its keyframe or interpolated
// box there).
struct ReviewPick {
    int64_t setId = 0;
    int64_t objectId = 0;                    // the stored box; 0 for an interpolated one
    int64_t trackId = annotate::kNoTrack;
    bool operator==(const ReviewPick&) const = default;
};

class ReviewSession : public QObject {
    Q_OBJECT
public:
    ReviewSession(ProjectController* project, ReviewController* review, QObject* parent = nullptr);
    ~ReviewSession() override;

    bool ready() const { return ready_; }
    // Every object of every layer is in (ready() holds only the focus frame's until then).
    bool complete() const { return complete_; }
    // The frame a (re)load reads first: the shown one.
    void setFocusFrame(int64_t frame) { focusFrame_ = std::max<int64_t>(0, frame); }
    int64_t focusFrame() const { return focusFrame_; }
    const annotate::MediaInfo& media() const { return media_; }
    int64_t lastFrame() const;   // frame_count - 1, or "unbounded" when unknown

    // Layers in drawing order: ground truth, model runs, reviewed sets (each by creation).
    const std::vector<ReviewLayer>& layers() const { return layers_; }
    const ReviewLayer* layer(int64_t setId) const;
    void setLayerVisible(int64_t setId, bool visible);
    void setLayerColor(int64_t setId, QColor color);
    void setLayerOpacity(int64_t setId, double opacity);

    int64_t editTarget() const { return editTarget_; }
    void setEditTarget(int64_t setId);   // an editable layer's set
    // DONE(setId) once there is an edit target (made as an empty reviewed set when none is):
    // immediately when there is one, else after the set was created on the project lane.
    void ensureEditTarget(std::function<void(int64_t)> done);
    // The labels new boxes choose from (keys 1-9): the edit target's, else the first layer's.
    std::vector<std::string> labels() const;

    // What the visible layers show at FRAME, in drawing order.
    std::vector<ShownObject> objectsAt(int64_t frame) const;
    std::vector<ShownObject> objectsAt(int64_t setId, int64_t frame) const;
    std::optional<annotate::Object> trackObjectAt(int64_t setId, int64_t trackId,
                                                  int64_t frame) const;
    // The keyframes of a track, sorted by frame.
    std::vector<annotate::Object> keyframes(int64_t setId, int64_t trackId) const;
    std::optional<annotate::Object> object(int64_t setId, int64_t objectId) const;
    // The object a pick names at FRAME (the track's box there for a track pick).
    std::optional<annotate::Object> resolve(const ReviewPick& pick, int64_t frame) const;
    int64_t objectCount() const;

    const std::vector<ReviewPick>& selection() const { return selection_; }
    void select(std::vector<ReviewPick> picks);

    // Re-reads every set of the media (what a project switch or an import needs).
    void reload();

signals:
    void loaded();            // the layers and the focus frame's objects were read (ready())
    void completed();         // every object was read (complete())
    void layersChanged();     // a layer was added or removed, or its display settings changed
    void objectsChanged();    // an edit, undo or redo was applied
    void selectionChanged();
    void failed(const QString& message);

private:
    struct Index {
        std::map<int64_t, annotate::Object> byId;                    // every stored object
        std::map<int64_t, std::vector<int64_t>> loneByFrame;         // frame -> ids
        std::unordered_map<int64_t, std::vector<annotate::Object>> tracks;   // sorted keyframes
    };
    void clear();
    void onMediaReady(qint64 mediaId);
    void apply(const store::HistoryEntry& entry);
    // A set whose rows after (frame, trackId, id) are still to read.
    struct PendingSet {
        int64_t setId = 0;
        int64_t frame = 0, trackId = 0, id = 0;
    };
    // The next page of PENDING's first set, then the next set's; completed() after the last.
    void loadPage(int generation, std::vector<PendingSet> pending);
    void insert(int64_t setId, const annotate::Object& o);
    void remove(int64_t setId, const annotate::Object& o);
    void addLayer(annotate::AnnotationSet set);
    void chooseEditTarget();

    ProjectController* project_;
    ReviewController* review_;
    std::vector<pipeline::TaskHandle> jobs_;
    int generation_ = 0;
    bool ready_ = false;
    bool complete_ = false;
    int64_t focusFrame_ = 0;
    annotate::MediaInfo media_;
    std::vector<ReviewLayer> layers_;
    std::unordered_map<int64_t, Index> index_;   // by set id
    int64_t editTarget_ = 0;
    bool creatingTarget_ = false;
    std::vector<std::function<void(int64_t)>> waitingForTarget_;
    std::vector<ReviewPick> selection_;
};

}  // namespace sl::gui
