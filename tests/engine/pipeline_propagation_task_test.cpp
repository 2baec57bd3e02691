// runPropagation (pipeline/propagation_task.h) over a generated video: the frames after the
// start are decoded in order and handed to the propagator with their candidates (so a detection
// on every frame gives exactly those boxes back, frame by frame), the end of the media stops it
// with that reason, and a media that cannot be opened is named in the error.

#include <gtest/gtest.h>

#include "pipeline/propagation_task.h"
#include "support/video_generator.h"

using sl::pipeline::PropagationRequest;
using sl::track::ProposalSource;

namespace {

sl::vision::Box moving(int64_t f) {
    const float d = 3.0f * float(f);
    return {40 + d, 50, 100 + d, 110};
}

PropagationRequest request(const std::string& path, int64_t start, int frames) {
    PropagationRequest r;
    r.mediaPath = path;
    r.startFrame = start;
    r.box = moving(start);
    r.label = "person";
    r.frames = frames;
    for (int64_t f = 0; f < 20; ++f) r.candidates[f] = {{moving(f), "person", 0.75f}};
    return r;
}

}  // namespace

TEST(PipelinePropagationTask, DecodesTheFramesAfterTheStartInOrder) {
    sl::testing::TempDir dir("propagation-task");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("clip.mp4");
    spec.frames = 20;
    auto video = sl::testing::generateVideo(spec);
    ASSERT_TRUE(video) << video.status().message();
    auto r = sl::pipeline::runPropagation(request(video->path.string(), 3, 5));
    ASSERT_TRUE(r) << r.status().message();
    ASSERT_EQ(r->proposals.size(), size_t(5)) << r->reason;
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(r->proposals[i].frame, int64_t(4 + i));
        EXPECT_EQ(r->proposals[i].source, ProposalSource::Detector);
        EXPECT_EQ(r->proposals[i].box, moving(int64_t(4 + i)));
        EXPECT_FLOAT_EQ(r->proposals[i].confidence, 0.75f);
    }
    EXPECT_EQ(r->stop, sl::track::PropagationStop::Completed);

    // From frame 16, 10 frames asked: 17, 18, 19, then the media ends.
    auto end = sl::pipeline::runPropagation(request(video->path.string(), 16, 10));
    ASSERT_TRUE(end) << end.status().message();
    ASSERT_EQ(end->proposals.size(), size_t(3)) << end->reason;
    EXPECT_EQ(end->proposals.back().frame, 19);
    EXPECT_NE(end->reason.find("the media ends at frame 19"), std::string::npos) << end->reason;
}

TEST(PipelinePropagationTask, BadInputIsNamed) {
    auto missing = sl::pipeline::runPropagation(request("/nonexistent/clip.mp4", 0, 3));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("/nonexistent/clip.mp4"), std::string::npos);
    auto zero = sl::pipeline::runPropagation(request("/nonexistent/clip.mp4", 0, 0));
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.status().message().find("at least 1"), std::string::npos);
}
