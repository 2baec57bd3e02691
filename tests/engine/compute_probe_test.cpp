// `sightline probe` through the verb table (the executable itself needs the GUI target).
#include "cli/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sl::cli {
namespace {

int runVerb(const std::vector<std::string>& args, std::string& out) {
    const Verb* v = findVerb("probe");
    EXPECT_NE(v, nullptr);
    if (!v) return -1;
    ::testing::internal::CaptureStdout();
    const int rc = v->run(args);
    out = ::testing::internal::GetCapturedStdout();
    return rc;
}

TEST(ProbeVerb, ListsDevicesAndChoice) {
    std::string out;
    ASSERT_EQ(runVerb({}, out), kExitOk) << out;
    EXPECT_NE(out.find("device 0 (0:0)"), std::string::npos) << out;
    EXPECT_NE(out.find("host-unified memory:"), std::string::npos) << out;
    EXPECT_NE(out.find("cl_khr_gl_sharing"), std::string::npos) << out;
    EXPECT_NE(out.find("chosen device: "), std::string::npos) << out;
}

// The GL side is checked on a headless EGL context (Mesa is installed by the setup script, so on
// this machine kind it must be checked), and the strategies are judged with it: `mapped` needs
// glBufferStorage, which llvmpipe's GL 4.5 has.
TEST(ProbeVerb, ReportsGlRendererAndChecksBridgeWithIt) {
    std::string out;
    ASSERT_EQ(runVerb({}, out), kExitOk) << out;
    EXPECT_NE(out.find("GL (headless EGL): "), std::string::npos) << out;
    EXPECT_EQ(out.find("GL (headless EGL): not checked"), std::string::npos) << out;
    EXPECT_EQ(out.find("(no GL context checked)"), std::string::npos) << out;
    EXPECT_NE(out.find("GL has glBufferStorage"), std::string::npos) << out;
    ASSERT_EQ(runVerb({"--json"}, out), kExitOk) << out;
    EXPECT_NE(out.find("\"gl\": {\"checked\": true, \"renderer\": "), std::string::npos) << out;
}

TEST(ProbeVerb, JsonHasDevicesAndChosen) {
    std::string out;
    ASSERT_EQ(runVerb({"--json", "--cl-device", "0"}, out), kExitOk) << out;
    EXPECT_EQ(out.front(), '{');
    EXPECT_NE(out.find("\"devices\": ["), std::string::npos) << out;
    EXPECT_NE(out.find("\"chosen\": {\"index\": 0, \"reason\": \"selector '0'\"}"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\"hostUnifiedMemory\": "), std::string::npos);
}

TEST(ProbeVerb, BadSelectorFailsAndListsDevices) {
    std::string out;
    EXPECT_EQ(runVerb({"--cl-device", "no-such-device-xyz"}, out), kExitFailure);
    EXPECT_NE(out.find("matches no device"), std::string::npos) << out;
}

TEST(ProbeVerb, UnknownArgumentIsUsageError) {
    std::string out;
    EXPECT_EQ(runVerb({"--bogus"}, out), kExitUsage);
}

}  // namespace
}  // namespace sl::cli
