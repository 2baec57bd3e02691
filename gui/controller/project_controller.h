#pragma once
// ProjectController: the workstation's project (store/project_store.h), the durable form of what
// it analyses: the stored detections and tracks go into a project as a model run and come back
// from one, and the media's zones and lines live in it once a project is open.
//
// Threads: every SQLite call runs as a task on the "project" lane of the UI task runner
// (app/ui_task_hook.h: one thread, so jobs run in the order given: a scene saved after a results
// save lands after it). Each job opens its own
// connection (0.5 ms; one connection per thread, as SQLite advises) and closes it, so the GUI
// never holds the write lock between jobs and a CLI on the same project is never shut out; a
// CLI import holding the lock makes a job wait up to the busy timeout (5 s), never the GUI thread.
// Results come back as queued calls and are announced as signals on the GUI thread. Closing or
// switching projects bumps a generation: answers of jobs for the old project are dropped.
//
// Media identity is the absolute, normalised path (what `sightline project add` stores), so the
// GUI and the CLI name the same media. Jobs find or add the shown media themselves: a scene save
// queued before the media's lookup returned still lands on the right row.

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analytics/scene.h"
#include "annotate/annotation.h"
#include "annotate/formats/format.h"
#include "pipeline/dataset_export.h"
#include "pipeline/background_task.h"
#include "pipeline/results_store.h"
#include "track/byte_tracker.h"

namespace sl::gui {

struct MediaSummary;

// One row of the "Load Results from Project" list.
struct ProjectSetRow {
    int64_t id = 0;
    QString name;
    QString kind;      // annotate::setKindName
    QString model;
    int64_t objects = 0;
    int64_t createdAtMs = 0;
};

// What a results save needs from the window, taken on the GUI thread.
struct ResultsSnapshot {
    std::shared_ptr<pipeline::ResultsStore> results;   // a private copy, tracked on the worker
    track::TrackerParams tracker;
    analytics::Scene scene;
    QString name;          // empty: "MODEL YYYY-MM-DD HH:MM:SS"
    QString model;
    std::string parametersJson;
};

class ProjectController : public QObject {
    Q_OBJECT
public:
    explicit ProjectController(QObject* parent = nullptr);
    ~ProjectController() override;   // waits for the job in flight

    bool isOpen() const { return !path_.isEmpty(); }
    QString path() const { return path_; }
    bool hasMedia() const { return !media_.path.empty(); }
    int64_t mediaId() const { return mediaId_; }   // 0 until mediaReady()
    const annotate::MediaInfo& media() const { return media_; }
    bool saving() const { return saving_; }

    // Opens PATH (CREATE: made when missing), then looks up the shown media. opened() or
    // failed(); a failed open leaves the previous project closed.
    void open(const QString& path, bool create);
    void close();

    // The shown media (a local file or a URL). With a project open, it is found or added, and
    // mediaReady() carries its stored scene ('' when it has none).
    void setMedia(const QString& url, const MediaSummary& summary);
    void clearMedia();

    // Zones and lines of the shown media into the project (no-op without one).
    void saveScene(const analytics::Scene& scene);

    // SNAPSHOT as a new model run of the shown media: re-tracked on the worker with the window's
    // tracker parameters (deterministic: the same ids the window shows), then imported in one
    // transaction with saveProgress(); cancelSave() rolls it back.
    void saveResults(ResultsSnapshot snapshot);
    void cancelSave() { *cancel_ = true; }

    void listSets();            // setsListed() for the shown media
    void loadSet(int64_t setId);   // setLoaded()

    static annotate::MediaInfo mediaInfoOf(const QString& url, const MediaSummary& summary);

    // ---- The project as files (File menu) ----
    // A consistent copy of the open project at PATH (ProjectStore::saveCopy), then the copy is
    // opened in its place: savedAs() and opened(PATH), or failed() with the original still open.
    void saveAs(const QString& path);
    // Media of the open project missing at their paths are announced after opened() with
    // mediaMissing(); relink(FOLDER) rewrites every one found there by file name (one
    // transaction) and answers relinked(). The shown media is looked up meanwhile as always: a
    // video opened from its new place is then a media of its own, and its old row stays missing
    // (store::relinkMediaFromFolder never gives two media one path).
    void relink(const QString& folder);
    // FILE (FORMAT, nullopt: detected) as a new set of the shown media, on the project lane with
    // importProgress(); a malformed file fails with the importer's message (file and line) and
    // stores nothing. cancelImport() rolls it back (importCancelled()).
    void importAnnotations(const QString& file, std::optional<annotate::formats::Format> format,
                           annotate::SetKind kind, const QString& name);
    void cancelImport() { *cancel_ = true; }
    // Set SET_ID written to PATH as FORMAT (atomically, by the format's exporter).
    void exportAnnotations(int64_t setId, const QString& path, annotate::formats::Format format);
    // The annotated frames of set SET_ID as a dataset (pipeline/dataset_export.h): the set is read
    // on the project lane, the frames decoded and written on the "export" lane with
    // datasetProgress(); cancelDataset() leaves no output (datasetCancelled()).
    void exportDataset(int64_t setId, pipeline::DatasetExportOptions options);
    void cancelDataset();
    bool exportingDataset() const { return exportingDataset_; }

signals:
    void opened(const QString& path);
    void closed();
    void failed(const QString& message);
    void mediaReady(qint64 mediaId, const QString& sceneJson);
    void sceneSaved();
    void saveProgress(qint64 done, qint64 total);
    void resultsSaved(qint64 setId, qint64 objects, const QString& name);
    void saveCancelled();
    void setsListed(const std::vector<sl::gui::ProjectSetRow>& sets);
    void setLoaded(const sl::annotate::AnnotationSet& set, const sl::annotate::MediaInfo& media);
    void jobsFinished();        // the queue is empty (tests wait on it)
    void savedAs(const QString& path);
    void mediaMissing(const QStringList& paths);
    void relinked(int count, const QStringList& stillMissing);
    void importProgress(qint64 done, qint64 total);
    void annotationsImported(qint64 setId, const QString& name, qint64 objects);
    void importCancelled();
    void annotationsExported(const QString& path, qint64 objects, const QStringList& warnings);
    void datasetProgress(qint64 frames, qint64 total);
    void datasetExported(const QString& path, qint64 frames, qint64 objects, qint64 bytes);
    void datasetCancelled();
    void datasetFailed(const QString& message);

private:
    // JOB on the worker; jobsFinished() when the queue is empty again.
    void post(std::function<void()> job);
    // JOB on the worker; its own continuation counts it done (open()).
    void startJob(std::function<void()> job);
    // WORK (ProjectStore&) -> Expected<continuation> on the worker with its own connection; the
    // continuation runs on the GUI thread, a failure becomes failed().
    template <typename Work>
    void postJob(Work work);
    // F on the GUI thread, dropped when the project changed since GENERATION.
    template <typename F>
    void onGui(int generation, F&& f);
    void findMedia();   // mediaReady() for media_

    std::vector<pipeline::TaskHandle> jobs_;   // unfinished jobs (the destructor waits)
    pipeline::TaskHandle datasetTask_;          // the dataset export in flight (export lane)
    bool exportingDataset_ = false;
    bool datasetCancelRequested_ = false;
    QString path_;
    annotate::MediaInfo media_;
    int64_t mediaId_ = 0;   // 0 until mediaReady()
    int generation_ = 0;
    int pending_ = 0;
    bool saving_ = false;
    // The save in flight's flag (each save its own: a new one never revives a cancelled one).
    std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace sl::gui
