#include "controller/project_controller.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QUrl>

#include <filesystem>
#include <utility>

#include "app/ui_task_hook.h"
#include "controller/engine_controller.h"
#include "pipeline/results_annotations.h"
#include "pipeline/track_analysis.h"
#include "store/project_annotations.h"
#include "store/project_relink.h"
#include "store/project_store.h"

namespace sl::gui {

namespace {

// What a job hands back to the GUI thread: a continuation, or the failure to announce.
using Continuation = std::function<void()>;

}  // namespace

ProjectController::ProjectController(QObject* parent) : QObject(parent) {}

ProjectController::~ProjectController() {
    ++generation_;
    *cancel_ = true;
    datasetTask_.cancel();
    datasetTask_.wait();
    // Not cancelled: a queued job (a scene save) still runs, on its own connection; the jobs
    // post to this object, so they end before it does.
    for (const auto& job : jobs_) job.wait();
}

annotate::MediaInfo ProjectController::mediaInfoOf(const QString& url, const MediaSummary& s) {
    annotate::MediaInfo m;
    // A local file by its absolute, normalised path (as `sightline project add` stores it); a
    // stream or a camera by its URL as typed.
    QString local = url;
    const QUrl asUrl(url);
    if (asUrl.isLocalFile()) local = asUrl.toLocalFile();
    if (QFileInfo(local).isFile())
        m.path = std::filesystem::absolute(std::filesystem::path(local.toStdString()))
                     .lexically_normal()
                     .string();
    else
        m.path = url.toStdString();
    m.width = s.width;
    m.height = s.height;
    m.frameCount = s.frameCount > 0 ? s.frameCount : 0;
    m.timeBaseNum = s.timeBaseNum;
    m.timeBaseDen = s.timeBaseDen;
    m.startPts = s.startPts;
    m.fps = s.nominalFps > 0 ? s.nominalFps : s.fps;
    return m;
}

template <typename F>
void ProjectController::onGui(int generation, F&& f) {
    QMetaObject::invokeMethod(
        this,
        [this, generation, f = std::forward<F>(f)]() mutable {
            if (generation == generation_) f();
        },
        Qt::QueuedConnection);
}

void ProjectController::startJob(std::function<void()> job) {
    std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    jobs_.push_back(uiTaskRunner().start(pipeline::TaskSpec("project", "project"),
                                         [job = std::move(job)](pipeline::TaskContext&) {
                                             job();
                                             return Status::ok();
                                         }));
}

void ProjectController::post(std::function<void()> job) {
    ++pending_;
    std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    // The job posts its continuation to this object first; the completion comes after it (one
    // thread's queued calls run in the order posted), so jobsFinished() follows every answer.
    // A job that threw is reported like a failed one.
    jobs_.push_back(startUiTask(
        this, pipeline::TaskSpec("project", "project"),
        [job = std::move(job)](pipeline::TaskContext&) {
            job();
            return Status::ok();
        },
        [this](const Status& st) {
            if (!st) emit failed(QString::fromStdString(st.message()));
            if (--pending_ == 0) emit jobsFinished();
        }));
}

// Every job: open the project (its own connection), run WORK on it, hand WORK's continuation
// or its failure back to the GUI thread. WORK: (ProjectStore&) -> Expected<Continuation>.
template <typename Work>
void ProjectController::postJob(Work work) {
    post([this, generation = generation_, path = path_.toStdString(),
          work = std::move(work)]() mutable {
        auto project = store::ProjectStore::open(path);
        Expected<Continuation> result =
            project ? work(**project) : Expected<Continuation>(project.status());
        if (result) {
            onGui(generation, std::move(*result));
        } else {
            const QString message = QString::fromStdString(result.status().message());
            onGui(generation, [this, message] { emit failed(message); });
        }
    });
}

void ProjectController::open(const QString& path, bool create) {
    close();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const int generation = ++generation_;
    ++pending_;
    startJob([this, generation, create, absolute] {
        const std::string p = absolute.toStdString();
        const bool exists = std::filesystem::exists(p);
        auto project = create && !exists ? store::ProjectStore::create(p)
                                         : store::ProjectStore::open(p);
        QString message, backup;
        QStringList missing;
        if (project) {
            backup = QString::fromStdString((*project)->backupPath());
            for (const annotate::MediaInfo& m : store::missingMedia(**project))
                missing << QString::fromStdString(m.path);
        } else {
            message = QString::fromStdString(project.status().message());
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, absolute, message, backup, missing] {
                if (generation == generation_) {
                    if (message.isEmpty()) {
                        path_ = absolute;
                        emit opened(absolute);
                        if (!backup.isEmpty())
                            emit failed(tr("Project %1 was upgraded to this version of "
                                           "Sightline; the old file is kept as %2")
                                            .arg(absolute, backup));
                        if (!missing.isEmpty()) emit mediaMissing(missing);
                        // The media shown before the project was opened.
                        if (!media_.path.empty()) findMedia();
                    } else {
                        emit failed(message);
                    }
                }
                if (--pending_ == 0) emit jobsFinished();
            },
            Qt::QueuedConnection);
    });
}

void ProjectController::close() {
    if (path_.isEmpty()) return;
    ++generation_;
    *cancel_ = true;   // a save in flight rolls back
    path_.clear();
    mediaId_ = 0;
    if (saving_) {
        saving_ = false;
        emit saveCancelled();
    }
    emit closed();
}

void ProjectController::setMedia(const QString& url, const MediaSummary& summary) {
    media_ = mediaInfoOf(url, summary);
    mediaId_ = 0;
    if (isOpen()) findMedia();
}

void ProjectController::clearMedia() {
    media_ = {};
    mediaId_ = 0;
}

void ProjectController::findMedia() {
    const annotate::MediaInfo media = media_;
    postJob([this, media](store::ProjectStore& project) -> Expected<Continuation> {
        auto id = project.findOrAddMedia(media);
        if (!id) return id.status();
        auto scene = project.scene(*id);
        if (!scene) return scene.status();
        const QString json = QString::fromStdString(*scene);
        const qint64 mediaId = *id;
        const std::string path = media.path;
        return Continuation([this, mediaId, json, path] {
            if (path != media_.path) return;   // another media was opened meanwhile
            mediaId_ = mediaId;
            emit mediaReady(mediaId, json);
        });
    });
}

void ProjectController::saveScene(const analytics::Scene& scene) {
    if (!isOpen() || !hasMedia()) return;
    const annotate::MediaInfo media = media_;
    const std::string json = analytics::sceneToJson(scene);
    postJob([this, media, json](store::ProjectStore& project) -> Expected<Continuation> {
        auto id = project.findOrAddMedia(media);
        if (!id) return id.status();
        if (Status st = project.setScene(*id, json); !st) return st;
        return Continuation([this] { emit sceneSaved(); });
    });
}

void ProjectController::saveResults(ResultsSnapshot snapshot) {
    if (!isOpen() || !hasMedia() || !snapshot.results) {
        emit failed(tr("Save Results to Project needs an open project and an open video: use "
                       "Project > New Project or Open Project first"));
        return;
    }
    saving_ = true;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto snap = std::make_shared<ResultsSnapshot>(std::move(snapshot));
    post([this, generation = generation_, path = path_.toStdString(), media = media_, snap,
          cancel = cancel_] {
        // Every way out ends the save on the GUI thread: saved, cancelled or failed.
        const auto finish = [this, generation](Continuation then) {
            onGui(generation, [this, then = std::move(then)] {
                saving_ = false;
                then();
            });
        };
        const auto fail = [&](const Status& st) {
            finish([this, message = QString::fromStdString(st.message())] {
                emit failed(message);
            });
        };
        auto project = store::ProjectStore::open(path);
        if (!project) return fail(project.status());
        // The window's tracks, recomputed from the same detections and parameters (ByteTrack is
        // deterministic), so the stored ids are the ones on screen.
        pipeline::TrackAnalysis analysis(snap->tracker, snap->scene, snap->results->labels());
        pipeline::trackResults(*snap->results, analysis);
        auto id = pipeline::storeModelRun(
            **project, media, *snap->results, snap->name.toStdString(),
            snap->model.toStdString(), snap->parametersJson,
            [this, generation, cancel](int64_t done, int64_t total) {
                onGui(generation, [this, done, total] { emit saveProgress(done, total); });
                return !cancel->load();
            });
        if (!id && cancel->load()) return finish([this] { emit saveCancelled(); });
        if (!id) return fail(id.status());
        auto set = (*project)->set(*id);
        if (!set) return fail(set.status());
        auto count = (*project)->objectCount(*id);
        if (!count) return fail(count.status());
        finish([this, setId = *id, objects = *count, name = QString::fromStdString(set->name)] {
            emit resultsSaved(setId, objects, name);
        });
    });
}

void ProjectController::listSets() {
    if (!isOpen() || !hasMedia()) return;
    const annotate::MediaInfo media = media_;
    postJob([this, media](store::ProjectStore& project) -> Expected<Continuation> {
        auto id = project.findOrAddMedia(media);
        if (!id) return id.status();
        std::vector<ProjectSetRow> rows;
        for (const annotate::AnnotationSet& s : project.sets(*id)) {
            ProjectSetRow r;
            r.id = s.id;
            r.name = QString::fromStdString(s.name);
            r.kind = QString::fromLatin1(annotate::setKindName(s.kind));
            r.model = QString::fromStdString(s.model);
            auto n = project.objectCount(s.id);
            r.objects = n ? *n : 0;
            r.createdAtMs = s.createdAtMs;
            rows.push_back(std::move(r));
        }
        return Continuation([this, rows = std::move(rows)] { emit setsListed(rows); });
    });
}

void ProjectController::loadSet(int64_t setId) {
    if (!isOpen()) return;
    postJob([this, setId](store::ProjectStore& project) -> Expected<Continuation> {
        auto set = project.set(setId);
        if (!set) return set.status();
        auto objects = project.objects(setId);
        if (!objects) return objects.status();
        set->objects = std::move(*objects);
        auto mediaId = project.mediaOfSet(setId);
        if (!mediaId) return mediaId.status();
        auto media = project.mediaById(*mediaId);
        if (!media) return media.status();
        auto shared = std::make_shared<annotate::AnnotationSet>(std::move(*set));
        return Continuation([this, shared, media = *media] { emit setLoaded(*shared, media); });
    });
}

// ---- The project as files -----------------------------------------------------------------

void ProjectController::saveAs(const QString& path) {
    if (!isOpen()) return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    postJob([this, absolute](store::ProjectStore& project) -> Expected<Continuation> {
        if (Status st = project.saveCopy(absolute.toStdString()); !st) return st;
        return Continuation([this, absolute] {
            emit savedAs(absolute);
            open(absolute, false);
        });
    });
}

void ProjectController::relink(const QString& folder) {
    if (!isOpen()) return;
    postJob([this, folder](store::ProjectStore& project) -> Expected<Continuation> {
        auto r = store::relinkMediaFromFolder(project, folder.toStdString());
        if (!r) return r.status();
        QStringList missing;
        for (const annotate::MediaInfo& m : r->missing) missing << QString::fromStdString(m.path);
        const int count = int(r->relinked.size());
        return Continuation([this, count, missing] { emit relinked(count, missing); });
    });
}

void ProjectController::importAnnotations(const QString& file,
                                          std::optional<annotate::formats::Format> format,
                                          annotate::SetKind kind, const QString& name) {
    if (!isOpen() || !hasMedia()) {
        emit failed(tr("Import Annotations needs an open project and an open video"));
        return;
    }
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    annotate::formats::ImportOptions options;
    options.kind = kind;
    options.setName = name.toStdString();
    const annotate::MediaInfo media = media_;
    postJob([this, generation = generation_, media, file, format, options,
             cancel = cancel_](store::ProjectStore& project) -> Expected<Continuation> {
        auto id = project.findOrAddMedia(media);
        if (!id) return id.status();
        annotate::MediaInfo stored = media;
        stored.id = *id;
        auto r = store::importAnnotationFile(
            project, stored, file.toStdString(), format, options,
            [this, generation, cancel](int64_t done, int64_t total) {
                onGui(generation, [this, done, total] { emit importProgress(done, total); });
                return !cancel->load();
            });
        if (!r && cancel->load()) return Continuation([this] { emit importCancelled(); });
        if (!r) return r.status();
        return Continuation([this, setId = r->setId, name = QString::fromStdString(r->setName),
                             objects = r->objects] {
            emit annotationsImported(setId, name, objects);
        });
    });
}

void ProjectController::exportAnnotations(int64_t setId, const QString& path,
                                          annotate::formats::Format format) {
    if (!isOpen()) return;
    postJob([this, setId, path, format](store::ProjectStore& project) -> Expected<Continuation> {
        auto r = store::exportProjectSet(project, setId, path.toStdString(), format);
        if (!r) return r.status();
        auto count = project.objectCount(setId);
        QStringList warnings;
        for (const std::string& w : r->warnings) warnings << QString::fromStdString(w);
        return Continuation([this, path, objects = count ? *count : 0, warnings] {
            emit annotationsExported(path, objects, warnings);
        });
    });
}

void ProjectController::exportDataset(int64_t setId, pipeline::DatasetExportOptions options) {
    if (!isOpen() || exportingDataset_) return;
    exportingDataset_ = true;
    datasetCancelRequested_ = false;
    post([this, generation = generation_, path = path_.toStdString(), setId, options] {
        auto project = store::ProjectStore::open(path, /*readOnly=*/true);
        auto loaded = project ? store::loadSetWithMedia(**project, setId)
                              : Expected<store::SetWithMedia>(project.status());
        if (!loaded) {
            const QString message = QString::fromStdString(loaded.status().message());
            return onGui(generation, [this, message] {
                exportingDataset_ = false;
                emit datasetFailed(message);
            });
        }
        auto data = std::make_shared<store::SetWithMedia>(std::move(*loaded));
        // The decoding runs on the export lane: the project lane stays free for edits meanwhile.
        onGui(generation, [this, data, options]() mutable {
            if (datasetCancelRequested_) {   // cancelled while the set was read
                exportingDataset_ = false;
                return emit datasetCancelled();
            }
            options.video = data->media.path;
            pipeline::TaskSpec spec("export dataset", "export",
                                    [this](const pipeline::TaskProgress& p) {
                                        emit datasetProgress(p.done, p.total);
                                    });
            datasetTask_ = startUiTaskWithResult(
                this, std::move(spec),
                [data, options](pipeline::TaskContext& ctx) {
                    return pipeline::exportDataset(
                        data->set, data->media, options,
                        [&ctx](const pipeline::DatasetExportProgress& p) {
                            ctx.progress(p.frames, p.total);
                        },
                        ctx.cancelFlag());
                },
                [this, out = QString::fromStdString(options.output.string())](
                    Expected<pipeline::DatasetExportSummary>& r) {
                    exportingDataset_ = false;
                    if (r)
                        emit datasetExported(out, r->frames, r->objects, qint64(r->bytes));
                    else if (r.status().code() == StatusCode::Cancelled)
                        emit datasetCancelled();
                    else
                        emit datasetFailed(QString::fromStdString(r.status().message()));
                });
        });
    });
}

void ProjectController::cancelDataset() {
    datasetCancelRequested_ = true;
    datasetTask_.cancel();
}

}  // namespace sl::gui
