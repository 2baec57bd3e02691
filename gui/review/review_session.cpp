#include "review/review_session.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "annotate/interpolation.h"
#include "app/ui_task_hook.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "store/project_store.h"

namespace sl::gui {

namespace {

using annotate::kNoTrack;
using annotate::Object;
using annotate::SetKind;

// Ground truth green, predictions warm, reviewed sets cool: the kinds tell apart at a glance;
// within a kind, sets take the next shade.
QColor defaultColor(SetKind kind, int nth) {
    static const QColor gt[] = {QColor(80, 220, 100), QColor(170, 240, 90)};
    static const QColor run[] = {QColor(255, 160, 40), QColor(255, 90, 150), QColor(240, 230, 80),
                                 QColor(200, 120, 255)};
    static const QColor reviewed[] = {QColor(60, 200, 255), QColor(120, 150, 255)};
    switch (kind) {
    case SetKind::GroundTruth: return gt[nth % 2];
    case SetKind::ModelRun: return run[nth % 4];
    case SetKind::Reviewed: return reviewed[nth % 2];
    }
    return Qt::white;
}

// Rows per read of the review load: about 30 ms of SQLite, the most an edit waits behind it.
constexpr int kPageRows = 20000;

int kindOrder(SetKind k) {
    return k == SetKind::GroundTruth ? 0 : k == SetKind::ModelRun ? 1 : 2;
}

void insertKeyframe(std::vector<Object>& keys, const Object& o) {
    auto at = std::lower_bound(keys.begin(), keys.end(), o.frame,
                               [](const Object& k, int64_t f) { return k.frame < f; });
    if (at != keys.end() && at->frame == o.frame) *at = o;   // one keyframe per frame
    else keys.insert(at, o);
}

}  // namespace

ReviewSession::ReviewSession(ProjectController* project, ReviewController* review,
                             QObject* parent)
    : QObject(parent), project_(project), review_(review) {
    connect(project_, &ProjectController::mediaReady, this, &ReviewSession::onMediaReady);
    connect(project_, &ProjectController::closed, this, [this] {
        clear();
        emit layersChanged();
    });
    // A results save or an import adds a set: read the layers again.
    connect(project_, &ProjectController::resultsSaved, this, &ReviewSession::reload);
    connect(review_, &ReviewController::changed, this, &ReviewSession::apply);
    connect(review_, &ReviewController::historyLoaded, this, [this](int) {
        // The stack was rebuilt from the file (another writer, or a refused step): the rows may
        // have changed under us.
        if (ready_) reload();
    });
}

ReviewSession::~ReviewSession() {
    for (auto& j : jobs_) j.cancel();
    for (auto& j : jobs_) j.wait();
}

int64_t ReviewSession::lastFrame() const {
    return media_.frameCount > 0 ? media_.frameCount - 1 : std::numeric_limits<int64_t>::max();
}

void ReviewSession::clear() {
    ++generation_;
    ready_ = false;
    complete_ = false;
    layers_.clear();
    index_.clear();
    editTarget_ = 0;
    creatingTarget_ = false;
    waitingForTarget_.clear();
    if (!selection_.empty()) {
        selection_.clear();
        emit selectionChanged();
    }
}

void ReviewSession::onMediaReady(qint64 mediaId) {
    media_ = project_->media();
    media_.id = mediaId;
    reload();
}

void ReviewSession::reload() {
    if (!project_->isOpen() || media_.id == 0) return;
    // Display settings survive a reload (same set id).
    std::map<int64_t, ReviewLayer> old;
    for (ReviewLayer& l : layers_) old[l.set.id] = l;
    const int64_t oldTarget = editTarget_;
    clear();
    const int generation = generation_;
    std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    struct FirstRead {
        std::vector<annotate::AnnotationSet> sets;
        std::vector<PendingSet> pending;
    };
    jobs_.push_back(startUiTaskWithResult(
        this, pipeline::TaskSpec("load review layers", "project"),
        [path = project_->path().toStdString(), mediaId = media_.id, frame = focusFrame_](
            pipeline::TaskContext& ctx) -> Expected<FirstRead> {
            auto p = store::ProjectStore::open(path, /*readOnly=*/true);
            if (!p) return p.status();
            FirstRead out;
            out.sets = (*p)->sets(mediaId);
            for (annotate::AnnotationSet& s : out.sets) {
                if (ctx.cancelled()) return ctx.cancelledStatus();
                auto page = (*p)->objectsPage(s.id, {}, kPageRows);
                if (!page) return page.status();
                s.objects = std::move(*page);
                if (s.objects.size() < size_t(kPageRows)) continue;   // the whole set
                const Object& last = s.objects.back();
                out.pending.push_back({s.id, last.frame, last.trackId, last.id});
                // What the focus frame draws, beyond the first page.
                auto shown = (*p)->objectsForFrame(s.id, frame);
                if (!shown) return shown.status();
                std::unordered_set<int64_t> have;
                for (const Object& o : s.objects) have.insert(o.id);
                for (Object& o : *shown)
                    if (have.insert(o.id).second) s.objects.push_back(std::move(o));
            }
            return out;
        },
        [this, generation, old = std::move(old), oldTarget](Expected<FirstRead>& r) mutable {
            if (generation != generation_) return;
            if (!r) {
                if (r.status().code() != StatusCode::Cancelled)
                    emit failed(tr("Review layers not loaded: %1")
                                    .arg(QString::fromStdString(r.status().message())));
                return;
            }
            std::stable_sort(r->sets.begin(), r->sets.end(), [](const auto& a, const auto& b) {
                return kindOrder(a.kind) < kindOrder(b.kind);
            });
            for (annotate::AnnotationSet& s : r->sets) {
                const int64_t id = s.id;
                addLayer(std::move(s));
                if (auto it = old.find(id); it != old.end()) {
                    ReviewLayer& l = layers_.back();
                    l.visible = it->second.visible;
                    l.color = it->second.color;
                    l.opacity = it->second.opacity;
                }
            }
            if (oldTarget != 0 && layer(oldTarget)) editTarget_ = oldTarget;
            else chooseEditTarget();
            ready_ = true;
            emit layersChanged();
            emit loaded();
            loadPage(generation, std::move(r->pending));
        }));
}

void ReviewSession::loadPage(int generation, std::vector<PendingSet> pending) {
    if (generation != generation_) return;
    if (pending.empty()) {
        complete_ = true;
        emit completed();
        return;
    }
    const PendingSet next = pending.front();
    std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    jobs_.push_back(startUiTaskWithResult(
        this, pipeline::TaskSpec("load review objects", "project"),
        [path = project_->path().toStdString(),
         next](pipeline::TaskContext& ctx) -> Expected<std::vector<Object>> {
            if (ctx.cancelled()) return ctx.cancelledStatus();
            auto p = store::ProjectStore::open(path, /*readOnly=*/true);
            if (!p) return p.status();
            return (*p)->objectsPage(next.setId, {next.frame, next.trackId, next.id}, kPageRows);
        },
        [this, generation, pending = std::move(pending)](Expected<std::vector<Object>>& r) mutable {
            if (generation != generation_) return;
            if (!r) {
                if (r.status().code() != StatusCode::Cancelled)
                    emit failed(tr("Review layers not fully loaded: %1")
                                    .arg(QString::fromStdString(r.status().message())));
                return;
            }
            PendingSet& at = pending.front();
            // Only ids not held: a held row is already as this page has it (the header says
            // why); a row the page holds and an edit removed after its read goes when that
            // edit's change lands, after this.
            if (auto found = index_.find(at.setId); found != index_.end())
                for (const Object& o : *r)
                    if (!found->second.byId.count(o.id)) insert(at.setId, o);
            if (r->size() < size_t(kPageRows)) {
                pending.erase(pending.begin());
            } else {
                const Object& last = r->back();
                at.frame = last.frame, at.trackId = last.trackId, at.id = last.id;
            }
            if (!r->empty()) emit objectsChanged();
            loadPage(generation, std::move(pending));
        }));
}

void ReviewSession::addLayer(annotate::AnnotationSet set) {
    int nth = 0;
    for (const ReviewLayer& l : layers_) nth += l.set.kind == set.kind ? 1 : 0;
    ReviewLayer layer;
    layer.color = defaultColor(set.kind, nth);
    Index& ix = index_[set.id];
    const int64_t setId = set.id;
    std::vector<Object> objects = std::move(set.objects);
    set.objects.clear();
    layer.set = std::move(set);
    layers_.push_back(std::move(layer));
    for (const Object& o : objects) insert(setId, o);
    (void)ix;
}

void ReviewSession::chooseEditTarget() {
    editTarget_ = 0;
    for (SetKind k : {SetKind::Reviewed, SetKind::GroundTruth})
        for (const ReviewLayer& l : layers_)
            if (l.set.kind == k && editTarget_ == 0) editTarget_ = l.set.id;
    // The review keys (R, N) follow the edit target; with none, the set chosen before (Load
    // Results from Project) stays under review.
    if (editTarget_ != 0) review_->setReviewSet(editTarget_);
}

const ReviewLayer* ReviewSession::layer(int64_t setId) const {
    for (const ReviewLayer& l : layers_)
        if (l.set.id == setId) return &l;
    return nullptr;
}

void ReviewSession::setLayerVisible(int64_t setId, bool visible) {
    for (ReviewLayer& l : layers_)
        if (l.set.id == setId && l.visible != visible) {
            l.visible = visible;
            emit layersChanged();
        }
}

void ReviewSession::setLayerColor(int64_t setId, QColor color) {
    for (ReviewLayer& l : layers_)
        if (l.set.id == setId && color.isValid()) {
            l.color = color;
            emit layersChanged();
        }
}

void ReviewSession::setLayerOpacity(int64_t setId, double opacity) {
    for (ReviewLayer& l : layers_)
        if (l.set.id == setId) {
            l.opacity = std::clamp(opacity, 0.0, 1.0);
            emit layersChanged();
        }
}

void ReviewSession::setEditTarget(int64_t setId) {
    const ReviewLayer* l = layer(setId);
    if (!l || !l->editable() || editTarget_ == setId) return;
    editTarget_ = setId;
    review_->setReviewSet(setId);
    emit layersChanged();
}

void ReviewSession::ensureEditTarget(std::function<void(int64_t)> done) {
    if (editTarget_ != 0) {
        done(editTarget_);
        return;
    }
    if (!project_->isOpen() || media_.id == 0) {
        emit failed(tr("No project with this video is open: Project > New Project first"));
        return;
    }
    waitingForTarget_.push_back(std::move(done));
    if (creatingTarget_) return;
    creatingTarget_ = true;
    annotate::AnnotationSet set;
    set.kind = SetKind::Reviewed;
    set.labels = labels();
    // A name the media does not use yet ("reviewed", "reviewed 2", ...).
    for (int n = 1;; ++n) {
        const std::string name = n == 1 ? "reviewed" : "reviewed " + std::to_string(n);
        if (std::none_of(layers_.begin(), layers_.end(),
                         [&](const ReviewLayer& l) { return l.set.name == name; })) {
            set.name = name;
            break;
        }
    }
    const int generation = generation_;
    jobs_.push_back(startUiTaskWithResult(
        this, pipeline::TaskSpec("create reviewed set", "project"),
        [path = project_->path().toStdString(), mediaId = media_.id,
         set](pipeline::TaskContext&) -> Expected<annotate::AnnotationSet> {
            auto p = store::ProjectStore::open(path);
            if (!p) return p.status();
            auto id = (*p)->importSet(mediaId, set);
            if (!id) return id.status();
            return (*p)->set(*id);
        },
        [this, generation](Expected<annotate::AnnotationSet>& r) {
            if (generation != generation_) return;
            creatingTarget_ = false;
            auto waiting = std::move(waitingForTarget_);
            waitingForTarget_.clear();
            if (!r) {
                emit failed(tr("Cannot make a reviewed set: %1")
                                .arg(QString::fromStdString(r.status().message())));
                return;
            }
            addLayer(std::move(*r));
            editTarget_ = layers_.back().set.id;
            review_->setReviewSet(editTarget_);
            emit layersChanged();
            for (auto& f : waiting) f(editTarget_);
        }));
}

std::vector<std::string> ReviewSession::labels() const {
    if (const ReviewLayer* t = layer(editTarget_); t && !t->set.labels.empty())
        return t->set.labels;
    for (const ReviewLayer& l : layers_)
        if (!l.set.labels.empty()) return l.set.labels;
    return {};
}

void ReviewSession::insert(int64_t setId, const Object& o) {
    Index& ix = index_[setId];
    ix.byId[o.id] = o;
    if (o.trackId == kNoTrack) {
        ix.loneByFrame[o.frame].push_back(o.id);
    } else if (o.keyframe) {
        insertKeyframe(ix.tracks[o.trackId], o);
    }
    // Derived rows of a track (keyframe false, as a dense import keeps them) are stored but
    // not drawn: the keyframes define the track, as in the engine.
}

void ReviewSession::remove(int64_t setId, const Object& o) {
    auto found = index_.find(setId);
    if (found == index_.end()) return;
    Index& ix = found->second;
    auto it = ix.byId.find(o.id);
    if (it == ix.byId.end()) return;
    const Object stored = it->second;   // the row as we hold it (its old frame / track)
    ix.byId.erase(it);
    if (stored.trackId == kNoTrack) {
        auto f = ix.loneByFrame.find(stored.frame);
        if (f != ix.loneByFrame.end()) {
            std::erase(f->second, stored.id);
            if (f->second.empty()) ix.loneByFrame.erase(f);
        }
    } else if (stored.keyframe) {
        auto t = ix.tracks.find(stored.trackId);
        if (t != ix.tracks.end()) {
            std::erase_if(t->second, [&](const Object& k) { return k.id == stored.id; });
            if (t->second.empty()) ix.tracks.erase(t);
        }
    }
}

void ReviewSession::apply(const store::HistoryEntry& entry) {
    if (!ready_) return;
    const auto& changes = entry.changes.objects;
    // Forwards (commit, redo): before -> after in order; undo: after -> before in reverse.
    const auto one = [&](const store::ObjectChange& c, bool forward) {
        const auto& from = forward ? c.before : c.after;
        const auto& to = forward ? c.after : c.before;
        if (from) remove(c.setId, *from);
        if (to) insert(c.setId, *to);
    };
    if (entry.done)
        for (const auto& c : changes) one(c, true);
    else
        for (auto it = changes.rbegin(); it != changes.rend(); ++it) one(*it, false);
    // A selected object that no longer exists is dropped from the selection.
    const size_t before = selection_.size();
    std::erase_if(selection_, [this](const ReviewPick& p) {
        if (p.objectId != 0) return !object(p.setId, p.objectId).has_value();
        auto ix = index_.find(p.setId);
        return ix == index_.end() || !ix->second.tracks.count(p.trackId);
    });
    emit objectsChanged();
    if (selection_.size() != before) emit selectionChanged();
}

std::vector<ShownObject> ReviewSession::objectsAt(int64_t setId, int64_t frame) const {
    std::vector<ShownObject> out;
    auto found = index_.find(setId);
    if (found == index_.end()) return out;
    const Index& ix = found->second;
    if (auto lone = ix.loneByFrame.find(frame); lone != ix.loneByFrame.end())
        for (int64_t id : lone->second) {
            const Object& o = ix.byId.at(id);
            if (!o.outside) out.push_back({setId, o});
        }
    const int64_t last = lastFrame();
    std::vector<ShownObject> tracked;
    for (const auto& [trackId, keys] : ix.tracks)
        if (auto o = annotate::trackObjectAt(keys, frame, last)) tracked.push_back({setId, *o});
    // Hash order is arbitrary; draw (and pick) in track order so repaints are stable.
    std::sort(tracked.begin(), tracked.end(), [](const ShownObject& a, const ShownObject& b) {
        return a.object.trackId < b.object.trackId;
    });
    out.insert(out.end(), tracked.begin(), tracked.end());
    return out;
}

std::vector<ShownObject> ReviewSession::objectsAt(int64_t frame) const {
    std::vector<ShownObject> out;
    for (const ReviewLayer& l : layers_) {
        if (!l.visible) continue;
        auto shown = objectsAt(l.set.id, frame);
        out.insert(out.end(), shown.begin(), shown.end());
    }
    return out;
}

std::optional<Object> ReviewSession::trackObjectAt(int64_t setId, int64_t trackId,
                                                   int64_t frame) const {
    auto found = index_.find(setId);
    if (found == index_.end()) return std::nullopt;
    auto t = found->second.tracks.find(trackId);
    if (t == found->second.tracks.end()) return std::nullopt;
    return annotate::trackObjectAt(t->second, frame, lastFrame());
}

std::vector<Object> ReviewSession::keyframes(int64_t setId, int64_t trackId) const {
    auto found = index_.find(setId);
    if (found == index_.end()) return {};
    auto t = found->second.tracks.find(trackId);
    return t == found->second.tracks.end() ? std::vector<Object>{} : t->second;
}

std::optional<Object> ReviewSession::object(int64_t setId, int64_t objectId) const {
    auto found = index_.find(setId);
    if (found == index_.end()) return std::nullopt;
    auto it = found->second.byId.find(objectId);
    if (it == found->second.byId.end()) return std::nullopt;
    return it->second;
}

std::optional<Object> ReviewSession::resolve(const ReviewPick& pick, int64_t frame) const {
    if (pick.trackId != kNoTrack) return trackObjectAt(pick.setId, pick.trackId, frame);
    auto o = object(pick.setId, pick.objectId);
    if (o && o->frame != frame) return std::nullopt;
    return o;
}

int64_t ReviewSession::objectCount() const {
    int64_t n = 0;
    for (const auto& [id, ix] : index_) n += int64_t(ix.byId.size());
    return n;
}

void ReviewSession::select(std::vector<ReviewPick> picks) {
    if (picks == selection_) return;
    selection_ = std::move(picks);
    emit selectionChanged();
}

}  // namespace sl::gui
