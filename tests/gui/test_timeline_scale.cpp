// TimelineScale, the timeline strip's x <-> frame mapping, without a widget: frames are hit
// exactly at every zoom (no rounding to pixels), zooming keeps the frame under the mouse in
// place, scrolling and zooming stay within the media, and the played frame is brought into view.

#include <QTest>

#include <cmath>

#include "review/timeline_scale.h"

using sl::gui::TimelineScale;

class TestTimelineScale : public QObject {
    Q_OBJECT

private slots:
    void zoomOneFitsTheMedia();
    void everyFrameIsHitExactlyWhenZoomed();
    void zoomKeepsTheFrameUnderTheMouse();
    void staysWithinTheMedia();
    void bringsTheCursorIntoView();
};

void TestTimelineScale::zoomOneFitsTheMedia() {
    TimelineScale s;
    s.setFrames(100);
    s.setWidth(1000);
    QCOMPARE(s.pxPerFrame(), 10.0);
    for (int x = 0; x < 1000; ++x) QCOMPARE(s.frameAt(x), int64_t(x / 10));
    QCOMPARE(s.frameAt(-5), int64_t(0));   // clamped
    QCOMPARE(s.frameAt(5000), int64_t(99));
    QCOMPARE(s.firstVisible(), int64_t(0));
    QCOMPARE(s.lastVisible(), int64_t(99));
    TimelineScale none;
    QCOMPARE(none.frameAt(10), int64_t(-1));
}

void TestTimelineScale::everyFrameIsHitExactlyWhenZoomed() {
    // A long media (1,000,003 frames, a prime: no pixel lines up with a frame edge by luck) at
    // 16x, 64x and 1000x, scrolled to an odd place.
    for (double zoom : {16.0, 64.0, 1000.0}) {
        TimelineScale s;
        s.setFrames(1'000'003);
        s.setWidth(1237);
        s.setZoom(zoom, 0);
        s.scrollFrames(333'333.3);
        const double ppf = 1237.0 * zoom / 1'000'003.0;
        QVERIFY(std::abs(s.pxPerFrame() - ppf) < 1e-12);
        for (int64_t k = s.firstVisible() + 1; k < s.lastVisible() && k < s.firstVisible() + 200;
             ++k) {
            const double left = (double(k) - s.first) * ppf;
            QCOMPARE(s.frameAt(left + ppf * 0.5), k);         // the middle of k
            QCOMPARE(s.frameAt(left + ppf * 0.999), k);       // its right end
            QCOMPARE(s.frameAt(left - ppf * 0.001), k - 1);   // just before it
            QVERIFY(std::abs(s.xOf(double(k)) - left) < 1e-6);
        }
    }
    // Zoomed in far enough that a frame is wider than a pixel: every pixel maps to one frame,
    // consecutive pixels to the same or the next frame.
    TimelineScale s;
    s.setFrames(120);
    s.setWidth(1280);
    s.setZoom(16, 640);
    int64_t last = s.frameAt(0);
    for (int x = 1; x < 1280; ++x) {
        const int64_t f = s.frameAt(x);
        QVERIFY(f == last || f == last + 1);
        QCOMPARE(f, int64_t(std::floor(s.first + x / s.pxPerFrame())));
        last = f;
    }
}

void TestTimelineScale::zoomKeepsTheFrameUnderTheMouse() {
    TimelineScale s;
    s.setFrames(10'000);
    s.setWidth(800);
    const double x = 317;
    const double under = s.first + x / s.pxPerFrame();
    for (int i = 0; i < 10; ++i) {
        s.zoomAround(x, 1.25);
        QVERIFY(std::abs((s.first + x / s.pxPerFrame()) - under) < 1e-6);
    }
    QVERIFY(s.zoom > 9.3 && s.zoom < 9.32);   // 1.25^10
    s.zoomAround(x, 1 / 1.25);
    QVERIFY(std::abs((s.first + x / s.pxPerFrame()) - under) < 1e-6);
}

void TestTimelineScale::staysWithinTheMedia() {
    TimelineScale s;
    s.setFrames(100);
    s.setWidth(1000);
    s.zoomAround(0, 0.5);   // below 1: stays at 1
    QCOMPARE(s.zoom, 1.0);
    s.zoomAround(500, 1e9);   // at most kMinVisibleFrames visible
    QCOMPARE(s.zoom, 100 / TimelineScale::kMinVisibleFrames);
    QCOMPARE(s.visibleFrames(), TimelineScale::kMinVisibleFrames);
    s.scrollFrames(1e9);
    QCOMPARE(s.first, 100 - TimelineScale::kMinVisibleFrames);
    QCOMPARE(s.lastVisible(), int64_t(99));
    s.scrollFrames(-1e9);
    QCOMPARE(s.first, 0.0);
    s.scrollPixels(250);   // 250 px at 250 px per frame: one frame
    QCOMPARE(s.first, 1.0);
}

void TestTimelineScale::bringsTheCursorIntoView() {
    TimelineScale s;
    s.setFrames(1000);
    s.setWidth(1000);
    s.setZoom(10, 0);   // frames 0..99 visible
    QVERIFY(!s.ensureVisible(50));
    QVERIFY(s.ensureVisible(100));   // the next page: 100 a tenth into the view
    QCOMPARE(s.first, 90.0);
    QVERIFY(s.ensureVisible(5));
    QCOMPARE(s.first, 0.0);   // clamped at the start
    QVERIFY(s.ensureVisible(999));
    QCOMPARE(s.lastVisible(), int64_t(999));
}

QTEST_MAIN(TestTimelineScale)
#include "test_timeline_scale.moc"
