// The annotation verbs end to end, in-process: a project made from a generated video, a MOT file
// imported into it (frames past the end refused, nothing half-imported), exported to Sightline
// JSON, COCO and MOT and evaluated back against the stored set; `eval --json` on the shared
// oracles; `analyze --project` storing a model run with the same boxes as its JSON output.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/project_store.h"
#include "support/video_generator.h"

namespace sl::cli {
int runProject(std::span<const std::string> args, std::ostream& out, std::ostream& err);
int runConvert(std::span<const std::string> args, std::ostream& out, std::ostream& err);
int runEval(std::span<const std::string> args, std::ostream& out, std::ostream& err);
int runAnalyze(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}  // namespace sl::cli

namespace {

namespace fs = std::filesystem;

struct VerbRun {
    int rc;
    std::string out, err;
};

template <class F>
VerbRun run(F verb, std::vector<std::string> args) {
    std::ostringstream o, e;
    const int rc = verb(args, o, e);
    return {rc, o.str(), e.str()};
}

}  // namespace

TEST(AnnotateCli, ProjectImportExportAndEvalRoundTrip) {
    sl::testing::TempDir dir("annotate-cli");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("clip.mp4");
    spec.width = 320, spec.height = 240, spec.frames = 30;
    ASSERT_TRUE(sl::testing::generateVideo(spec));
    const std::string project = dir.file("p.slproj").string();
    VerbRun r = run(sl::cli::runProject, {"create", project, spec.path.string()});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("320x240, 30 frames"), std::string::npos) << r.out;

    // Two tracks over frames 1..5 (MOT numbering), one of them leaving at frame 4.
    const fs::path gt = dir.file("gt.txt");
    {
        std::ofstream f(gt);
        for (int frame = 1; frame <= 5; ++frame) {
            f << frame << ",1," << 10 + frame << ",20,40,80,1,1,1\n";
            if (frame <= 3) f << frame << ",2,200,100,30,30,1,1,0.5\n";
        }
    }
    r = run(sl::cli::runProject, {"import", project, gt.string(), "--media", "1"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("8 objects in 2 tracks"), std::string::npos) << r.out;

    // A row at MOT frame 31 is past the 30-frame video: refused with file, line and field, and
    // the project keeps one set.
    const fs::path late = dir.file("late.txt");
    std::ofstream(late) << "1,1,10,20,40,80,1,1,1\n31,1,10,20,40,80,1,1,1\n";
    r = run(sl::cli::runProject, {"import", project, late.string(), "--media", "1"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("late.txt:line 2: frame:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("past the end"), std::string::npos) << r.err;
    {
        auto p = sl::store::ProjectStore::open(project, /*readOnly=*/true);
        ASSERT_TRUE(p);
        EXPECT_EQ((*p)->sets(1).size(), 1u);
    }

    // Export in three formats; each evaluates against the stored set as a perfect match. A
    // project set is evaluated as it shows (keyframed tracks expanded, as the Evaluation panel
    // does), so this also checks that the MOT import ended each track after its last row
    // (store::endDenseTracks) instead of holding its box to the end of the video.
    for (const std::string name : {"out.json", "out_coco.json", "out_mot.txt"}) {
        std::vector<std::string> args = {"export", project, "gt", dir.file(name).string()};
        if (name == "out_coco.json") args.insert(args.end(), {"--to", "coco"});
        r = run(sl::cli::runProject, args);
        ASSERT_EQ(r.rc, 0) << name << ": " << r.err;
        r = run(sl::cli::runEval,
                {project + "#gt", dir.file(name).string(), "--metrics", "all", "--json"});
        ASSERT_EQ(r.rc, 0) << name << ": " << r.err;
        const auto j = nlohmann::json::parse(r.out);
        EXPECT_DOUBLE_EQ(j["detection"]["stats"]["AP"].template get<double>(), 1.0) << name;
        EXPECT_EQ(j["tracking"]["tp"].get<int64_t>(), 8) << name;
        EXPECT_DOUBLE_EQ(j["tracking"]["mota"].get<double>(), 1.0) << name;
        EXPECT_DOUBLE_EQ(j["tracking"]["idf1"].get<double>(), 1.0) << name;
    }
    // MOT -> Sightline JSON -> MOT gives the rows back (numbers written shortest).
    r = run(sl::cli::runConvert, {dir.file("out_mot.txt").string(), dir.file("c.json").string()});
    ASSERT_EQ(r.rc, 0) << r.err;
    r = run(sl::cli::runConvert, {dir.file("c.json").string(), dir.file("c.txt").string()});
    ASSERT_EQ(r.rc, 0) << r.err;
    std::ifstream a(dir.file("out_mot.txt")), b(dir.file("c.txt"));
    std::stringstream sa, sb;
    sa << a.rdbuf();
    sb << b.rdbuf();
    EXPECT_EQ(sa.str(), sb.str());
    EXPECT_NE(sa.str().find("1,1,11,20,40,80,1,1,1\n"), std::string::npos) << sa.str();
}

TEST(AnnotateCli, EvalJsonOnTheSharedOracles) {
    const fs::path data = fs::path(SL_SHARED_DIR) / "testdata";
    VerbRun r = run(sl::cli::runEval, {(data / "mot" / "tud_campus_gt.csv").string(),
                                   (data / "mot" / "tud_campus_hyp.csv").string(), "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j["tracking"]["idf1"].get<double>(), 0.557659, 1e-3);
    EXPECT_NEAR(j["tracking"]["mota"].get<double>(), 0.526462, 1e-3);
    EXPECT_NEAR(j["tracking"]["hota"].get<double>(), 0.3913974378, 1e-4);
    r = run(sl::cli::runEval, {(data / "coco" / "instances_val2014_100.json").string(),
                               (data / "coco" / "instances_val2014_fakebbox100_results.json").string(),
                               "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j["detection"]["stats"]["AP"].template get<double>(), 0.5045806987, 1e-4);
    EXPECT_NEAR(j["detection"]["stats"]["ARl"].get<double>(), 0.5642905983, 1e-4);
    EXPECT_FALSE(j.contains("tracking"));   // a results list has no track ids
    // Bad inputs name the file.
    r = run(sl::cli::runEval, {(data / "mot" / "tud_campus_gt.csv").string(), "/nonexistent.txt"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("/nonexistent.txt"), std::string::npos) << r.err;
}

TEST(AnnotateCli, AnalyzeProjectStoresTheModelRun) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    const fs::path video = cache / "sightline" / "vtest.avi";
    ASSERT_TRUE(fs::exists(video)) << "missing " << video << ": run packaging/fetch-demo.sh";
    const fs::path model = fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx";
    sl::testing::TempDir dir("analyze-project");
    const std::string project = dir.file("runs.slproj").string();
    const std::string results = dir.file("r.json").string();
    VerbRun r = run(sl::cli::runAnalyze, {video.string(), "--frames", "8", "--model", model.string(),
                                      "--track", "--out", results, "--project", project});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("(model run) to " + project), std::string::npos) << r.out;
    std::ifstream in(results);
    const auto j = nlohmann::json::parse(in);
    size_t boxes = 0;
    for (const auto& f : j["frames"]) boxes += f["detections"].size();
    ASSERT_GT(boxes, 0u);
    auto p = sl::store::ProjectStore::open(project, /*readOnly=*/true);
    ASSERT_TRUE(p) << p.status().message();
    const auto media = (*p)->media();
    ASSERT_EQ(media.size(), 1u);
    EXPECT_EQ(media[0].width, 768);
    const auto sets = (*p)->sets(media[0].id);
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets[0].kind, sl::annotate::SetKind::ModelRun);
    auto objects = (*p)->objects(sets[0].id);
    ASSERT_TRUE(objects);
    EXPECT_EQ(objects->size(), boxes);
    // The stored run evaluates against the JSON the same run wrote as a perfect match.
    r = run(sl::cli::runEval, {project + "#" + sets[0].name, results, "--json"});
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto e = nlohmann::json::parse(r.out);
    EXPECT_NEAR(e["tracking"]["mota"].get<double>(), 1.0, 1e-9);
}
