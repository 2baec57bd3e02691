// Results <-> model runs (pipeline/results_annotations.h): the analysed ranges of a sparse
// analysis survive the round trip (empty analysed frames come back, frames never analysed do not),
// times come from the media's clock ((pts - start pts) * time base, as the player shows them),
// track ids are kept, and storeModelRun puts a run under the media it already has.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "pipeline/results_annotations.h"
#include "store/project_store.h"

using namespace sl;
using namespace sl::pipeline;

namespace {

// 25 fps, time base 1/12800, frame f at pts 512 * f + 1024 (an MP4 with an edit list's offset).
annotate::MediaInfo clip() {
    annotate::MediaInfo m;
    m.path = "/v/clip.mp4";
    m.width = 320, m.height = 240, m.frameCount = 60;
    m.timeBaseNum = 1, m.timeBaseDen = 12800;
    m.startPts = 1024;
    m.fps = 25;
    return m;
}

FrameDetections frame(int64_t f, int boxes) {
    FrameDetections d;
    d.frameIndex = f;
    d.pts = 1024 + 512 * f;
    d.seconds = f / 25.0;
    d.width = 320, d.height = 240;
    for (int i = 0; i < boxes; ++i) {
        const float x = 10.0f + 3 * float(f) + 100.0f * float(i);
        d.detections.push_back({i % 2, 0.9f - 0.1f * float(i), {x, 20, x + 40, 80}});
        d.trackIds.push_back(i + 1);
    }
    return d;
}

// Frames 0..9 with two boxes, 10..14 analysed and empty, 15..29 never analysed, 30..34 with one.
std::unique_ptr<ResultsStore> sparseStore() {
    auto s = std::make_unique<ResultsStore>(std::vector<std::string>{"person", "car"});
    for (int64_t f = 0; f < 10; ++f) s->put(frame(f, 2));
    for (int64_t f = 10; f < 15; ++f) s->put(frame(f, 0));
    for (int64_t f = 30; f < 35; ++f) s->put(frame(f, 1));
    return s;
}

}  // namespace

TEST(PipelineResultsAnnotations, RangesOfASparseAnalysisSurvive) {
    const annotate::AnnotationSet set = modelRunFromResults(*sparseStore(), "run", "m", "{}", 1);
    EXPECT_EQ(set.objects.size(), 10u * 2 + 5u);
    const auto params = nlohmann::json::parse(set.parameters);
    EXPECT_EQ(params["ranges"], nlohmann::json::parse("[[0,14],[30,34]]"));
    EXPECT_EQ(params["analysed"], 20);

    ResultsStore back;
    resultsFromAnnotationSet(set, clip(), back);
    EXPECT_EQ(back.size(), 20u);
    for (int64_t f = 10; f < 15; ++f) {
        ASSERT_TRUE(back.at(f)) << f;   // analysed, nothing found: present and empty
        EXPECT_TRUE(back.at(f)->detections.empty());
        EXPECT_NEAR(back.at(f)->seconds, f / 25.0, 1e-9);
        EXPECT_EQ(back.at(f)->pts, 1024 + 512 * f);   // estimated from the nominal rate
    }
    for (int64_t f = 15; f < 30; ++f) EXPECT_FALSE(back.at(f)) << f;   // never analysed
    for (int64_t f : {0, 9, 30, 34}) {
        const auto got = back.at(f);
        const FrameDetections want = frame(f, f < 10 ? 2 : 1);
        ASSERT_TRUE(got) << f;
        EXPECT_EQ(got->pts, want.pts);
        EXPECT_NEAR(got->seconds, f / 25.0, 1e-9);   // (pts - 1024) / 12800
        ASSERT_EQ(got->detections.size(), want.detections.size());
        for (size_t i = 0; i < want.detections.size(); ++i) {
            EXPECT_EQ(got->detections[i].classId, want.detections[i].classId);
            EXPECT_FLOAT_EQ(got->detections[i].score, want.detections[i].score);
            EXPECT_FLOAT_EQ(got->detections[i].box.x1, want.detections[i].box.x1);
            EXPECT_EQ(got->trackIds[i], want.trackIds[i]);
        }
    }
}

TEST(PipelineResultsAnnotations, OlderRunsWithOnlyTheFrameSpanStillReadBack) {
    annotate::AnnotationSet set = modelRunFromResults(*sparseStore(), "run", "m", "{}", 1);
    auto params = nlohmann::json::parse(set.parameters);
    params.erase("ranges");   // what an older Sightline wrote
    set.parameters = params.dump();
    ResultsStore back;
    resultsFromAnnotationSet(set, clip(), back);
    EXPECT_EQ(back.size(), 35u);   // the span [0, 34], all of it taken as analysed
}

TEST(PipelineResultsAnnotations, CorruptRangesAreBoundedNotAllocated) {
    annotate::AnnotationSet set = modelRunFromResults(*sparseStore(), "run", "m", "{}", 1);
    auto params = nlohmann::json::parse(set.parameters);
    params["ranges"] = nlohmann::json::parse(
        "[[0, 9223372036854775807], [-5, 3], [40, 20], \"x\", [50, 52]]");
    set.parameters = params.dump();
    annotate::MediaInfo m = clip();
    m.frameCount = 0;   // unknown length: only the budget bounds it
    ResultsStore back;
    resultsFromAnnotationSet(set, m, back);
    // The huge and the negative and the reversed ranges are skipped, [50, 52] is kept.
    EXPECT_EQ(back.size(), 10u + 5u + 3u);
    EXPECT_TRUE(back.at(51));
    EXPECT_FALSE(back.at(12));
}

TEST(PipelineResultsAnnotations, StoreModelRunUsesTheKnownMedia) {
    const auto path = (std::filesystem::temp_directory_path() /
                       ("sl_runs_" + std::to_string(::getpid()) + ".slproj"))
                          .string();
    std::filesystem::remove(path);
    auto p = store::ProjectStore::create(path);
    ASSERT_TRUE(p) << p.status().message();
    auto mediaId = (*p)->addMedia(clip());
    ASSERT_TRUE(mediaId);
    auto id = storeModelRun(**p, clip(), *sparseStore(), "", "yolox-nano", "{\"confidence\":0.3}");
    ASSERT_TRUE(id) << id.status().message();
    auto second = storeModelRun(**p, clip(), *sparseStore(), "mine", "yolox-nano", "{}");
    ASSERT_TRUE(second) << second.status().message();
    EXPECT_EQ((*p)->media().size(), 1u);
    auto set = (*p)->set(*id);
    ASSERT_TRUE(set);
    EXPECT_EQ(*(*p)->mediaOfSet(*id), *mediaId);
    EXPECT_EQ(set->kind, annotate::SetKind::ModelRun);
    EXPECT_EQ(set->model, "yolox-nano");
    EXPECT_EQ(set->name.rfind("yolox-nano 20", 0), 0u) << set->name;   // "MODEL YYYY-..."
    EXPECT_EQ(*(*p)->objectCount(*id), 25);
    EXPECT_EQ((*p)->set(*second)->name, "mine");
    // Cancelled: nothing of it stays.
    auto cancelled = storeModelRun(**p, clip(), *sparseStore(), "cancelled", "m", "{}",
                                   [](int64_t, int64_t) { return false; });
    EXPECT_FALSE(cancelled);
    EXPECT_EQ((*p)->sets(*mediaId).size(), 2u);
    p->reset();
    std::filesystem::remove(path);
}

TEST(PipelineResultsAnnotations, RunNamesCarryTheLocalTime) {
    const std::string name = modelRunName("yolox-nano", 0);
    // "yolox-nano YYYY-MM-DD HH:MM:SS" whatever the zone.
    ASSERT_EQ(name.size(), std::string("yolox-nano 1970-01-01 00:00:00").size()) << name;
    EXPECT_EQ(name.substr(0, 11), "yolox-nano ");
    EXPECT_EQ(name[15], '-');
    EXPECT_EQ(name[24], ':');
}

TEST(PipelineResultsAnnotations, RunsSavedInOneSecondGetDistinctNames) {
    const auto path = (std::filesystem::temp_directory_path() /
                       ("sl_names_" + std::to_string(::getpid()) + ".slproj"))
                          .string();
    std::filesystem::remove(path);
    auto p = store::ProjectStore::create(path);
    ASSERT_TRUE(p);
    auto a = storeModelRun(**p, clip(), *sparseStore(), "", "m", "{}");
    auto b = storeModelRun(**p, clip(), *sparseStore(), "", "m", "{}");
    auto c = storeModelRun(**p, clip(), *sparseStore(), "", "m", "{}");
    ASSERT_TRUE(a && b && c) << (a ? b ? c.status() : b.status() : a.status()).message();
    const std::string na = (*p)->set(*a)->name, nb = (*p)->set(*b)->name, nc = (*p)->set(*c)->name;
    EXPECT_NE(na, nb);
    EXPECT_NE(nb, nc);
    EXPECT_NE(na, nc);
    p->reset();
    std::filesystem::remove(path);
}
