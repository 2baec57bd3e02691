// The review history's durability through the real executable: `sightline project edit --script`
// doing a burst of edits is killed with SIGKILL at a random moment; the reopened project holds
// every edit the child reported committed (field by field), at most the one in flight beyond them,
// and can still undo them. And malformed annotation files imported into a project: each is
// refused with the format's message naming the file and the line, and the project file is left
// byte for byte as it was.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <span>
#include <sstream>

#include "store/project_store.h"
#include "store/review_edits.h"
#include "support/child_process.h"
#include "support/video_generator.h"

namespace sl::cli {
int runProject(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}  // namespace sl::cli

using namespace sl;
using annotate::Object;

namespace {

constexpr int kObjects = 10;

annotate::MediaInfo demoMedia() {
    annotate::MediaInfo m;
    m.path = "/videos/burst.mp4";
    m.width = 640, m.height = 480, m.frameCount = 1000;
    m.timeBaseNum = 1, m.timeBaseDen = 25;
    return m;
}

// Edit I of the burst moves object I % 10 + 1 to this box.
vision::Box burstBox(int i) {
    return {float(i), float(i) + 0.5f, float(i) + 10.25f, float(i) + 20};
}

std::string readBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

#ifdef SL_SIGHTLINE_EXE
TEST(StoreReviewDurability, KillDuringABurstOfEditsLosesNothingCommitted) {
    sl::testing::TempDir dir("review-kill");
    const std::string path = dir.file("burst.slproj").string();
    int64_t set = 0;
    std::vector<Object> original;
    {
        auto p = store::ProjectStore::create(path);
        ASSERT_TRUE(p) << p.status().message();
        annotate::AnnotationSet s;
        s.name = "gt";
        s.kind = annotate::SetKind::Reviewed;
        for (int k = 0; k < kObjects; ++k) {
            Object o;
            o.label = "car";
            o.frame = k;
            o.box = {0, 0, 1, 1};
            s.objects.push_back(o);
        }
        set = *(*p)->importSet(*(*p)->addMedia(demoMedia()), s);
        original = *(*p)->objects(set);
    }
    constexpr int kScript = 5000;
    const std::string script = dir.file("burst.txt").string();
    {
        std::ofstream f(script);
        for (int i = 0; i < kScript; ++i) {
            const vision::Box b = burstBox(i);
            f << "box " << set << ' ' << i % kObjects + 1 << ' ' << b.x1 << ' ' << b.y1 << ' '
              << b.x2 << ' ' << b.y2 << '\n';
        }
    }
    const unsigned seed = unsigned(std::chrono::steady_clock::now().time_since_epoch().count());
    std::mt19937 rng(seed);
    const int killAfter = std::uniform_int_distribution<int>(20, 300)(rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", kill after " + std::to_string(killAfter));

    sl::testing::ChildProcess child(
        {SL_SIGHTLINE_EXE, "project", "edit", path, "--script", script});
    ASSERT_TRUE(child.started());
    std::vector<int64_t> acked;
    while (int(acked.size()) < killAfter) {
        auto line = child.readLine(std::chrono::seconds(30));
        ASSERT_TRUE(line) << "the child stopped after " << acked.size() << " edits: "
                          << child.stderrText();
        ASSERT_EQ(line->rfind("committed #", 0), 0u) << *line;
        acked.push_back(std::stoll(line->substr(11)));
    }
    child.kill();   // SIGKILL, mid-burst

    auto p = store::ProjectStore::open(path);
    ASSERT_TRUE(p) << p.status().message();
    auto h = (*p)->history();
    ASSERT_TRUE(h);
    // Every acknowledged edit, in order, and at most the one in flight beyond them.
    ASSERT_GE(h->size(), acked.size());
    ASSERT_LE(h->size(), acked.size() + 1);
    for (size_t k = 0; k < acked.size(); ++k) {
        EXPECT_EQ((*h)[k].id, acked[k]);
        EXPECT_TRUE((*h)[k].done);
    }
    // The rows are the first H edits replayed by hand: each object's last box and its revision
    // (1 + the edits on it).
    const int applied = int(h->size());
    for (int k = 0; k < kObjects; ++k) {
        Object want = original[size_t(k)];
        for (int i = k; i < applied; i += kObjects) {
            want.box = burstBox(i);
            ++want.revision;
        }
        auto got = (*p)->object(set, k + 1);
        ASSERT_TRUE(got) << got.status().message();
        EXPECT_EQ(*got, want) << "object " << k + 1 << " after " << applied << " edits";
    }
    // And the history still undoes them: the last edit's object goes back to its box before.
    const int last = applied - 1;
    auto undone = (*p)->undo(h->back().id);
    ASSERT_TRUE(undone) << undone.status().message();
    const vision::Box before =
        last >= kObjects ? burstBox(last - kObjects) : vision::Box{0, 0, 1, 1};
    EXPECT_EQ((*p)->object(set, last % kObjects + 1)->box, before);
}
#endif

TEST(StoreReviewDurability, MalformedImportsNameFileAndLineAndLeaveTheProjectAlone) {
    sl::testing::TempDir dir("review-import");
    const std::string path = dir.file("p.slproj").string();
    {
        auto p = store::ProjectStore::create(path);
        ASSERT_TRUE(p) << p.status().message();
        annotate::AnnotationSet s;
        s.name = "gt";
        Object o;
        o.label = "car";
        o.box = {1, 2, 30, 40};
        s.objects = {o};
        const int64_t set = *(*p)->importSet(*(*p)->addMedia(demoMedia()), s);
        ASSERT_TRUE(store::review::setBox(**p, set, 1, {2, 3, 31, 41}));
    }   // closed: checkpointed, no WAL left
    const std::string bytes = readBytes(path);
    ASSERT_FALSE(bytes.empty());

    struct Bad {
        std::string name, text, expect;
    };
    const std::vector<Bad> bad = {
        {"bad_mot.txt", "1,1,10,20,40,80,1,1,1\n2,1,abc,20,40,80,1,1,1\n",
         "bad_mot.txt:line 2: x: 'abc' is not a number"},
        {"bad_coco.json", "{\"images\": [\n  {\"id\": 1,\n", "bad_coco.json:line 3"},
        {"bad_cvat.xml",
         "<?xml version=\"1.0\"?>\n<annotations>\n  <track id=\"0\" label=\"car\">\n"
         "    <box frame=\"0\" outside=\"0\" occluded=\"0\" keyframe=\"1\" xtl=\"abc\" "
         "ytl=\"1\" xbr=\"20\" ybr=\"30\"/>\n  </track>\n</annotations>\n",
         "bad_cvat.xml:line 4"},
        {"late_mot.txt", "1,1,10,20,40,80,1,1,1\n1001,1,10,20,40,80,1,1,1\n",
         "late_mot.txt:line 2: frame:"},
    };
    for (const Bad& b : bad) {
        const std::string file = dir.file(b.name).string();
        std::ofstream(file) << b.text;
        std::ostringstream out, err;
        const std::vector<std::string> args = {"import", path, file};
        const int rc = sl::cli::runProject(args, out, err);
        EXPECT_EQ(rc, 1) << b.name << ": " << out.str();
        EXPECT_NE(err.str().find(b.expect), std::string::npos) << b.name << ": " << err.str();
        EXPECT_TRUE(readBytes(path) == bytes) << b.name << " changed the project file";
    }
    auto p = store::ProjectStore::open(path, /*readOnly=*/true);
    ASSERT_TRUE(p);
    EXPECT_EQ((*p)->sets(1).size(), 1u);
    EXPECT_EQ((*p)->history()->size(), 1u);
}
