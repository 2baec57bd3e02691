#pragma once
// TimelineStrip: the zoomable strip under the video (issue 14, "Timeline"). Rows, top to bottom:
// a frame ruler with the legend; the detections per frame of the active layer (a density bar);
// the spans and keyframes of the selected tracks, in their class's colour (pipeline::classColor,
// the overlay's palette, so a track looks the same in both); the review state of each frame of
// the set under review (reviewed / flagged / unreviewed); and the evaluation's error markers, one
// band per kind (false positive, miss, ID switch, fragmentation). The played frame is the cursor.
//
// Navigation: Ctrl+wheel or +/- (with the strip focused) zoom around the mouse; the wheel and a
// right- or middle-button drag scroll; the played frame is kept in view (a page at a time).
// A left click or drag seeks to exactly the frame under the mouse (TimelineScale: no rounding to
// pixels, so scrubbing stays frame-exact at 16x and beyond). A click on a marker seeks to its
// frame and announces the objects involved (markerActivated); a click on the detections row also
// lists the tracks shown on that frame and selects them here.
//
// Data: read from the project on the "project" lane (review/project_jobs.h) into flat per-frame
// arrays (review/timeline_data.h), refreshed when the project, media or layers change and after
// each review edit (refresh(); coalesced: at most one read in flight and one waiting). Painting
// walks the visible columns only.

#include <QList>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "review/project_jobs.h"
#include "review/timeline_data.h"
#include "review/timeline_scale.h"
#include "store/change_set.h"

namespace sl::gui {

class TimelineStrip : public QWidget {
    Q_OBJECT
public:
    enum class Row { Ruler, Detections, Tracks, Review, Errors };

    explicit TimelineStrip(QWidget* parent = nullptr);
    ~TimelineStrip() override;

    // The project ('' = none: the rows empty) and the shown media's frame count (<= 0: unknown,
    // the layers' extent is used; a live source has no timeline).
    void setProject(const QString& path);
    void setFrameCount(int64_t frames);
    void setLayer(int64_t setId);       // the detections row's set (0: none)
    void setReviewSet(int64_t setId);   // the review-state row's set (0: none)
    // The tracks whose spans and keyframes are drawn (the video view's box selection).
    void setSelectedTracks(int64_t setId, const QList<qint64>& trackIds);
    QList<qint64> selectedTracks() const { return selected_; }
    int64_t selectedTrackSet() const { return trackSet_; }
    // The evaluation's errors (review/evaluation_run.h); GT_SET and PRED_SET are the sets their
    // object ids belong to.
    void setMarkers(std::vector<TimelineMarker> markers, int64_t gtSet, int64_t predSet);
    void clearMarkers();
    // Only the markers of LABEL ('' = every class).
    void setMarkerLabel(const QString& label);
    QString markerLabel() const { return markerLabel_; }
    // The markers drawn (the filter applied), by frame.
    const std::vector<TimelineMarker>& markers() const { return shown_; }
    int64_t gtSet() const { return gtSet_; }
    int64_t predSet() const { return predSet_; }

    void setCursorFrame(int64_t frame);   // the played frame
    int64_t cursorFrame() const { return cursor_; }
    void refresh();   // re-read the rows from the project
    // A committed edit, undo or redo (ReviewController::changed): review states are applied in
    // place (a million-object layer is not re-read for a frame marked reviewed); a change of the
    // layer's or the tracks' objects re-reads them.
    void applyChange(const store::HistoryEntry& entry);
    bool busy() const { return loading_ || reloadQueued_ || jobs_.pending() > 0; }
    const TimelineData& data() const { return data_; }

    // Zoom and scroll (the actions and the tests use them).
    const TimelineScale& scale() const { return scale_; }
    void zoomBy(double factor);   // around the mouse when over the strip, else the cursor
    void setZoom(double zoom, int64_t keepFrame);   // KEEP_FRAME stays where it is drawn
    void fit();
    QRect rowRect(Row row) const;
    // The vertical middle of KIND's band in the errors row.
    int markerBandY(eval::FrameError::Kind kind) const;
    // The x of FRAME's middle.
    double frameCenterX(int64_t frame) const;

    // Seeks to the next (FORWARD) or previous marker from the cursor and activates it; false
    // when there is none.
    bool activateNextMarker(bool forward);
    void activateMarker(const TimelineMarker& m);

    static QColor reviewColor(store::FrameReview state);
    static QColor markerColor(eval::FrameError::Kind kind);
    // A selected track's row colour: its class's in pipeline::classColor (as the overlay).
    QColor trackColor(int64_t track) const;

signals:
    void seekRequested(qint64 frame);
    // A marker was clicked or jumped to: once per set involved (the prediction's ids for a false
    // positive, the ground truth's for a miss, both for an ID switch or fragmentation). Ids of
    // boxes interpolated between keyframes are 0 and left out; the marker keeps their track ids.
    void markerActivated(qint64 frame, qint64 setId, const QList<qint64>& objectIds);
    // A click on the detections row: the tracks the layer shows on FRAME.
    void tracksListed(qint64 frame, const QList<qint64>& trackIds);
    void dataChanged();   // a read landed (and was drawn)
    void failed(const QString& message);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    void reload();   // a new read (invalidating the one in flight)
    void updateHeight();
    void applyFilter();
    void scrubTo(double x);
    const TimelineMarker* markerAt(const QPoint& pos) const;
    QString toolTipAt(const QPoint& pos) const;
    void paintColumns(class QPainter& p, const QRect& row, int64_t firstFrame, int64_t lastFrame,
                      const std::function<void(QPainter&, const QRectF&, int64_t, int64_t)>& draw);

    ProjectJobs jobs_;
    QString path_;
    int64_t frames_ = 0;
    int64_t layer_ = 0, reviewSet_ = 0, trackSet_ = 0;
    QList<qint64> selected_;
    TimelineData data_;
    bool loading_ = false, dirty_ = false, reloadQueued_ = false;
    std::vector<TimelineMarker> all_, shown_;
    int64_t gtSet_ = 0, predSet_ = 0;
    QString markerLabel_;
    int64_t cursor_ = -1;
    TimelineScale scale_;
    enum class Drag { None, Scrub, Pan } drag_ = Drag::None;
    double panX_ = 0;
    int64_t lastScrub_ = -1;
};

}  // namespace sl::gui
