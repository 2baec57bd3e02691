#include "review/propagation.h"

#include <algorithm>
#include <map>

#include "app/ui_task_hook.h"
#include "controller/review_controller.h"
#include "pipeline/propagation_task.h"
#include "store/review_edits.h"

namespace sl::gui {

using annotate::kNoTrack;

Propagation::Propagation(ReviewSession* session, ReviewController* review, QObject* parent)
    : QObject(parent), session_(session), review_(review) {
    // Another media or project: the proposals were for frames that are no longer shown.
    connect(session_, &ReviewSession::loaded, this, [this] {
        cancel();
        discard();
    });
}

Propagation::~Propagation() {
    task_.cancel();
    task_.wait();
}

void Propagation::setState(State s) {
    if (state_ == s) return;
    state_ = s;
    emit stateChanged(s);
    emit changed();
}

void Propagation::clear() {
    proposals_.clear();
    reason_.clear();
    startFrame_ = -1;
}

bool Propagation::start(const ReviewPick& pick, int64_t frame, const QString& mediaPath,
                        int frames) {
    if (state_ == State::Running) {
        emit message(tr("Propagate: a propagation is running (Esc cancels it)"));
        return false;
    }
    auto object = session_->resolve(pick, frame);
    if (!object) {
        emit message(tr("Propagate: the selected box is not on frame %1").arg(frame));
        return false;
    }
    if (mediaPath.isEmpty()) {
        emit message(tr("Propagate: no video is shown"));
        return false;
    }
    clear();
    const int64_t last = session_->lastFrame();
    const int n = int(std::min<int64_t>(frames, std::max<int64_t>(0, last - frame)));
    if (n <= 0) {
        emit message(tr("Propagate: frame %1 is the video's last").arg(frame));
        return false;
    }
    pick_ = pick;
    startObject_ = *object;
    startFrame_ = frame;
    requested_ = n;

    pipeline::PropagationRequest req;
    req.mediaPath = mediaPath.toStdString();
    req.startFrame = frame;
    req.box = object->box;
    req.label = object->label;
    req.frames = n;
    // The candidates: every model-run layer's boxes on those frames (hidden layers too: what
    // the model found does not depend on what is drawn).
    for (const ReviewLayer& l : session_->layers()) {
        if (!l.prediction()) continue;
        for (int64_t f = frame + 1; f <= frame + n; ++f)
            for (const ShownObject& s : session_->objectsAt(l.set.id, f))
                req.candidates[f].push_back({s.object.box, s.object.label, s.object.score});
    }
    const int generation = ++generation_;
    pipeline::TaskSpec spec("propagate", "propagate", [this](const pipeline::TaskProgress& p) {
        emit progress(int(p.done), int(p.total));
    });
    task_ = startUiTaskWithResult(
        this, std::move(spec),
        [req = std::move(req)](pipeline::TaskContext& ctx) {
            return pipeline::runPropagation(req, &ctx);
        },
        [this, generation](Expected<track::PropagationResult>& r) {
            if (generation != generation_) return;   // cancelled and started again meanwhile
            if (!r) {
                if (r.status().code() != StatusCode::Cancelled)
                    emit message(QString::fromStdString(r.status().message()));
                clear();
                setState(State::Idle);
                return;
            }
            proposals_ = std::move(r->proposals);
            reason_ = QString::fromStdString(r->reason);
            if (proposals_.empty()) {
                emit message(tr("Propagate: nothing proposed (%1)").arg(reason_));
                clear();
                setState(State::Idle);
                return;
            }
            setState(State::Showing);
        });
    setState(State::Running);
    return true;
}

void Propagation::cancel() {
    if (state_ != State::Running) return;
    ++generation_;   // whatever it still delivers is dropped
    task_.cancel();
    clear();
    setState(State::Idle);
}

void Propagation::discard() {
    if (state_ != State::Showing) return;
    clear();
    setState(State::Idle);
}

void Propagation::accept() {
    if (state_ != State::Showing) return;
    std::vector<annotate::Object> keyframes;
    for (const track::Proposal& p : proposals_) {
        annotate::Object o;
        o.frame = p.frame;
        o.box = p.box;
        o.label = startObject_.label;
        o.source = annotate::ObjectSource::Tracker;
        o.score = p.confidence;
        keyframes.push_back(std::move(o));
    }
    const ReviewPick pick = pick_;
    const annotate::Object start = startObject_;
    clear();
    setState(State::Idle);
    session_->ensureEditTarget([this, pick, start, keyframes](int64_t target) {
        store::review::PropagationStart from;
        if (pick.setId == target && pick.trackId != kNoTrack) {
            from.trackId = pick.trackId;
        } else if (pick.setId == target && pick.objectId > 0) {
            from.objectId = pick.objectId;
        } else {
            from.copy = start;
            from.copy->trackId = kNoTrack;
        }
        review_->edit([target, from, keyframes](store::ProjectStore& s) {
            return store::review::addPropagatedKeyframes(s, target, from, keyframes);
        });
    });
}

const track::Proposal* Propagation::proposalAt(int64_t frame) const {
    if (state_ != State::Showing) return nullptr;
    for (const track::Proposal& p : proposals_)
        if (p.frame == frame) return &p;
    return nullptr;
}

QString Propagation::summary() const {
    int detector = 0;
    for (const track::Proposal& p : proposals_)
        detector += p.source == track::ProposalSource::Detector;
    QString text = tr("Propagate: %1 proposals for frames %2-%3 (%4 detector, %5 template)")
                       .arg(proposals_.size())
                       .arg(startFrame_ + 1)
                       .arg(proposals_.empty() ? startFrame_ : proposals_.back().frame)
                       .arg(detector)
                       .arg(int(proposals_.size()) - detector);
    if (int(proposals_.size()) < requested_) text += tr("; stopped: %1").arg(reason_);
    return text + tr(". Enter accepts all, Esc discards");
}

}  // namespace sl::gui
