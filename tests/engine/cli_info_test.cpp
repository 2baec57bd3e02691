// `sightline info`: the verb run in-process (it is part of the engine library) and, when the
// executable is built, end to end through a shell.

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <sys/wait.h>

#include "cli/cli.h"
#include "cli/info_verb.h"
#include "support/video_generator.h"

namespace sl::cli {
namespace {

class CliInfo : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        dir_ = new sl::testing::TempDir("cli");
        sl::testing::VideoSpec spec;
        spec.path = dir_->file("vfr \"quoted\".mkv");   // a name JSON must escape
        spec.frames = 90;
        spec.gopSize = 30;
        spec.variableFrameRate = true;
        auto v = sl::testing::generateVideo(spec);
        ASSERT_TRUE(v) << v.status().message();
        path_ = v->path.string();
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

protected:
    static int run(std::vector<std::string> args, std::string& out, std::string& err) {
        std::ostringstream o, e;
        const int rc = runInfo(args, o, e);
        out = o.str();
        err = e.str();
        return rc;
    }

    static sl::testing::TempDir* dir_;
    static std::string path_;
};

sl::testing::TempDir* CliInfo::dir_ = nullptr;
std::string CliInfo::path_;

TEST_F(CliInfo, JsonHasExactFrameCountAndVfr) {
    std::string out, err;
    ASSERT_EQ(run({"--json", path_}, out, err), kExitOk) << err;
    EXPECT_NE(out.find("\"frame_count\": 90"), std::string::npos) << out;
    EXPECT_NE(out.find("\"variable_frame_rate\": true"), std::string::npos) << out;
    EXPECT_NE(out.find("\"keyframe_count\": 3"), std::string::npos) << out;
    EXPECT_NE(out.find("vfr \\\"quoted\\\".mkv"), std::string::npos) << out;
    EXPECT_NE(out.find("\"codec\": \"h264\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"streams\": ["), std::string::npos) << out;
}

TEST_F(CliInfo, TextAndNoIndex) {
    std::string out, err;
    ASSERT_EQ(run({path_}, out, err), kExitOk) << err;
    EXPECT_NE(out.find("Frames:    90 (variable frame rate)"), std::string::npos) << out;
    ASSERT_EQ(run({"--json", "--no-index", path_}, out, err), kExitOk) << err;
    EXPECT_NE(out.find("\"frame_count\": null"), std::string::npos) << out;
}

TEST_F(CliInfo, MissingFileAndBadUsage) {
    std::string out, err;
    const std::string missing = dir_->file("nope.mp4").string();
    EXPECT_EQ(run({missing}, out, err), kExitFailure);
    EXPECT_NE(err.find(missing), std::string::npos) << err;
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(run({}, out, err), kExitUsage);
    EXPECT_EQ(run({"--bogus", path_}, out, err), kExitUsage);
    EXPECT_EQ(run({path_, path_}, out, err), kExitUsage);
    ASSERT_NE(findVerb("info"), nullptr);
}

#ifdef SL_SIGHTLINE_EXE
int shell(const std::string& cmd, std::string& out) {
    out.clear();
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

TEST_F(CliInfo, Executable) {
    std::string out;
    ASSERT_EQ(shell(std::string(SL_SIGHTLINE_EXE) + " info --json " + shellQuote(path_), out), 0);
    EXPECT_NE(out.find("\"frame_count\": 90"), std::string::npos) << out;
    EXPECT_NE(out.find("\"variable_frame_rate\": true"), std::string::npos) << out;
    const std::string missing = dir_->file("nope.mp4").string();
    EXPECT_EQ(shell(std::string(SL_SIGHTLINE_EXE) + " info " + shellQuote(missing) + " 2>&1", out), 1);
    EXPECT_NE(out.find(missing), std::string::npos) << out;
}
#endif

}  // namespace
}  // namespace sl::cli
