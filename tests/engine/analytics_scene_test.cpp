// The zones / lines / rules file: round trip, and every malformed case names the file and the
// JSON pointer of the bad value.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "analytics/scene.h"
#include "support/video_generator.h"

namespace sl::analytics {
namespace {

Scene sample() {
    Scene s;
    Zone z;
    z.name = "door";
    z.polygon = {{10, 10}, {100.5, 10}, {100.5, 80}};
    z.classes = {"person", "dog"};
    z.anchor = Anchor::Centre;
    z.color = "#112233";
    z.hysteresis = 5;
    z.loiterSeconds = 12.5;
    s.zones.push_back(z);
    Line l;
    l.name = "gate";
    l.a = {0, 50};
    l.b = {640, 55.25};
    l.classes = {"car"};
    s.lines.push_back(l);
    Rule r;
    r.name = "in";
    r.kind = RuleKind::LineCross;
    r.target = "gate";
    r.direction = -1;
    r.severity = "critical";
    r.cooldownSeconds = 3;
    s.rules.push_back(r);
    return s;
}

TEST(AnalyticsScene, RoundTripThroughAFile) {
    sl::testing::TempDir dir("scene");
    const Scene s = sample();
    ASSERT_TRUE(saveScene(dir.file("zones.json"), s).isOk());
    auto back = loadScene(dir.file("zones.json"));
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(*back, s);
    // Defaults: anchor bottom-centre, hysteresis 3, no classes.
    auto minimal = parseSceneJson(
        R"({"version": 1, "zones": [{"name": "z", "polygon": [[0,0],[1,0],[1,1]]}]})", "m.json");
    ASSERT_TRUE(minimal) << minimal.status().message();
    EXPECT_EQ(minimal->zones[0].anchor, Anchor::BottomCentre);
    EXPECT_EQ(minimal->zones[0].hysteresis, 3);
    EXPECT_TRUE(minimal->zones[0].classes.empty());
}

struct BadCase {
    const char* json;
    const char* expected;   // in the message, after "analytics: bad.json: "
};

TEST(AnalyticsScene, MalformedFilesNameThePointer) {
    const BadCase cases[] = {
        {R"({"version": 1, "zones": [)", "line 1, column 26"},
        {"{\"version\": 1,\n \"zones\": [}", "line 2, column 12"},
        {R"([1, 2])", "/: expected an object"},
        {R"({"zones": []})", "/version: missing"},
        {R"({"version": 2})", "/version: version 2 is not supported"},
        {R"({"version": "1"})", "/version: expected an integer"},
        {R"({"version": 1, "zones": {}})", "/zones: expected an array"},
        {R"({"version": 1, "zones": [{"polygon": [[0,0],[1,0],[1,1]]}]})", "/zones/0/name: missing"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[1,0],[1,"x"]]}]})",
         "/zones/0/polygon/2: expected [x, y] numbers"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[5,5]]}]})",
         "/zones/0/polygon: a zone needs at least 3 points, not 2"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[1,0],[1,1e300]]}]})",
         "/zones/0/polygon/2: coordinate beyond"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[1,0],[1,1]], "anchor": "feet"}]})",
         "/zones/0/anchor: unknown anchor 'feet'"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[1,0],[1,1]], "hysteresis": 0}]})",
         "/zones/0/hysteresis: out of range"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[1,0],[1,1]], "classes": [1]}]})",
         "/zones/0/classes/0: expected a label"},
        {R"({"version": 1, "zones": [{"name": "a", "polygon": [[0,0],[1,0],[1,1]]}],
             "lines": [{"name": "a", "a": [0,0], "b": [1,1]}]})",
         "/lines/0/name: duplicate name 'a'"},
        {R"({"version": 1, "lines": [{"name": "l", "a": [3,4], "b": [3,4]}]})",
         "/lines/0/b: the same point as a"},
        {R"({"version": 1, "lines": [{"name": "l", "a": [3,4]}]})", "/lines/0/b: missing"},
        {R"({"version": 1, "rules": [{"name": "r", "kind": "line-cross", "target": "nope"}]})",
         "/rules/0/target: no line named 'nope'"},
        {R"({"version": 1, "rules": [{"name": "r", "kind": "explode", "target": "x"}]})",
         "/rules/0/kind: unknown rule kind 'explode'"},
    };
    for (const BadCase& c : cases) {
        auto s = parseSceneJson(c.json, "bad.json");
        ASSERT_FALSE(s) << c.json;
        EXPECT_EQ(s.status().code(), StatusCode::InvalidData);
        const std::string m = s.status().message();
        EXPECT_EQ(m.rfind("analytics: bad.json: ", 0), 0u) << m;
        EXPECT_NE(m.find(c.expected), std::string::npos) << "got: " << m << "\nfor: " << c.json;
    }
    auto missing = loadScene("/nonexistent/zones.json");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("/nonexistent/zones.json"), std::string::npos);
}

// What validates must load back: the values the parser refuses are refused before a save, with
// the pointer, and the file is not written.
TEST(AnalyticsScene, SaveRefusesWhatTheParserWouldRefuse) {
    sl::testing::TempDir dir("scene-bounds");
    struct Case {
        void (*edit)(Scene&);
        const char* expected;
    };
    const Case cases[] = {
        {[](Scene& s) { s.zones[0].hysteresis = 1001; }, "/zones/0/hysteresis: must be 1 .. 1000"},
        {[](Scene& s) { s.zones[0].hysteresis = 0; }, "/zones/0/hysteresis: must be 1 .. 1000"},
        {[](Scene& s) { s.zones[0].loiterSeconds = 2e7; }, "/zones/0/loiter_seconds"},
        {[](Scene& s) { s.zones[0].loiterSeconds = std::nan(""); }, "/zones/0/loiter_seconds"},
        {[](Scene& s) { s.rules[0].seconds = -1; }, "/rules/0/seconds"},
        {[](Scene& s) { s.rules[0].count = 1000001; }, "/rules/0/count"},
        {[](Scene& s) { s.rules[0].cooldownSeconds = -0.5; }, "/rules/0/cooldown_seconds"},
    };
    for (const Case& c : cases) {
        Scene s = sample();
        c.edit(s);
        const Status st = saveScene(dir.file("z.json"), s);
        ASSERT_FALSE(st.isOk()) << c.expected;
        EXPECT_NE(st.message().find(c.expected), std::string::npos) << st.message();
        EXPECT_FALSE(std::filesystem::exists(dir.file("z.json"))) << c.expected;
    }
    // The bounds themselves are fine and load back.
    Scene edge = sample();
    edge.zones[0].hysteresis = 1000;
    edge.zones[0].loiterSeconds = 1e7;
    edge.rules[0].count = 1000000;
    ASSERT_TRUE(saveScene(dir.file("edge.json"), edge).isOk());
    auto back = loadScene(dir.file("edge.json"));
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(*back, edge);
}

}  // namespace
}  // namespace sl::analytics
