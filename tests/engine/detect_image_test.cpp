// Detection on real photographs (Debian darknet's dog.jpg and person.jpg, fetched by
// packaging/fetch-test-images.sh) against an INDEPENDENT reference computed at test time:
// tests/yolox_opencv_reference.py runs the same model through OpenCV's DNN module with its own
// numpy preprocessing (YOLOX's demo letterbox), grid decoding and cv2.dnn.NMSBoxes. Our boxes
// must match the reference's within IoU >= 0.85 for every object the photo is known to show.
// Both the OpenCL and the CPU-reference devices are checked. Fails (never skips) when the images,
// the model or python3-opencv are missing.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "media/media_source.h"
#include "pipeline/detector.h"

namespace sl::cli {
int runDetect(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr float kMinIoU = 0.85f;
constexpr float kConfidence = 0.3f;
constexpr float kNms = 0.45f;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

fs::path imageDir() {
    if (const char* d = std::getenv("SIGHTLINE_TEST_IMAGES"); d && *d) return d;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "test-images";
}

fs::path referenceScript() {
    return fs::path(__FILE__).parent_path().parent_path() / "yolox_opencv_reference.py";
}

std::string python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

struct RefDetection {
    int classId;
    float score;
    vision::Box box;
};

// Runs the OpenCV reference on `image`; empty + failure on error.
std::vector<RefDetection> reference(const fs::path& image) {
    const std::string cmd = python() + " '" + referenceScript().string() + "' image '" +
                            modelPath().string() + "' '" + image.string() + "' " +
                            std::to_string(kConfidence) + " " + std::to_string(kNms);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    std::string text;
    char buf[4096];
    while (p && std::fgets(buf, sizeof buf, p)) text += buf;
    const int rc = p ? ::pclose(p) : -1;
    EXPECT_EQ(rc, 0) << "reference failed (python3-opencv installed?): " << cmd;
    std::vector<RefDetection> r;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "reference output: " << text;
    if (rc != 0 || j.is_discarded()) return r;
    for (const auto& d : j["detections"])
        r.push_back({d["class"].get<int>(), d["score"].get<float>(),
                     {d["box"][0].get<float>(), d["box"][1].get<float>(),
                      d["box"][2].get<float>(), d["box"][3].get<float>()}});
    return r;
}

Expected<FrameDetections> detectImage(const fs::path& image, nn::Device device,
                                      nn::Storage storage) {
    DetectorOptions o;
    o.device = device;
    o.storage = storage;
    o.settings.confidence = kConfidence;
    o.settings.nms = kNms;
    auto det = Detector::load(modelPath().string(), o);
    if (!det) return det.status();
    if (device == nn::Device::OpenCL && storage != nn::Storage::Auto) {
        EXPECT_EQ((*det)->storage(), storage);
    }
    media::MediaSource src;
    media::OpenOptions open;
    open.url = image.string();
    SL_TRY(src.open(open));
    auto frame = src.readFrame();
    if (!frame) return frame.status();
    return (*det)->detect(*frame);
}

// `expected`: alternatives per object ({2, 7}: car or truck, the model hesitates between them).
void checkImage(const char* name, const std::vector<std::vector<int>>& expected,
                nn::Device device, nn::Storage storage = nn::Storage::Auto) {
    const fs::path image = imageDir() / name;
    ASSERT_TRUE(fs::exists(image)) << "missing " << image
                                   << ": run packaging/fetch-test-images.sh";
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    const auto ref = reference(image);
    ASSERT_FALSE(ref.empty()) << "the reference found nothing in " << name;
    auto ours = detectImage(image, device, storage);
    ASSERT_TRUE(ours) << ours.status().message();
    const auto bestMatch = [](const vision::Box& box, int cls, const auto& list) {
        float best = 0;
        for (const auto& d : list)
            if (d.classId == cls) best = std::max(best, vision::iou(d.box, box));
        return best;
    };
    for (const auto& alternatives : expected) {
        bool found = false;
        for (int cls : alternatives) {
            for (const auto& r : ref) {
                if (r.classId != cls) continue;
                const float iou = bestMatch(r.box, cls, ours->detections);
                if (iou == 0) continue;
                found = true;
                std::printf("%s [%s] class %d: reference %.3f [%.1f %.1f %.1f %.1f], IoU %.3f\n",
                            name, nn::deviceName(device), cls, r.score, r.box.x1, r.box.y1,
                            r.box.x2, r.box.y2, iou);
                EXPECT_GE(iou, kMinIoU) << name << " class " << cls;
            }
        }
        EXPECT_TRUE(found) << name << ": no detection of class " << alternatives[0]
                           << " (or alternative) both here and in the reference";
    }
    // Every confident reference detection has a counterpart here.
    for (const auto& r : ref) {
        if (r.score >= 0.5f) {
            EXPECT_GE(bestMatch(r.box, r.classId, ours->detections), kMinIoU)
                << name << ": reference class " << r.classId << " score " << r.score;
        }
    }
    for (const auto& d : ours->detections) {
        EXPECT_GE(d.box.x1, 0.0f);
        EXPECT_LE(d.box.x2, float(ours->width));
        EXPECT_GE(d.box.y1, 0.0f);
        EXPECT_LE(d.box.y2, float(ours->height));
    }
}

// COCO ids: 0 person, 1 bicycle, 2 car, 7 truck, 16 dog, 17 horse.
TEST(DetectImage, DogMatchesOpenCvReferenceOpenCl) {
    checkImage("dog.jpg", {{16}, {1}, {2, 7}}, nn::Device::OpenCL);
}
TEST(DetectImage, PersonMatchesOpenCvReferenceOpenCl) {
    checkImage("person.jpg", {{0}, {16}, {17}}, nn::Device::OpenCL);
}
// fp16 storage forced (auto may keep fp32 on this device): the preprocessor writes the half
// input directly and the same objects come out.
TEST(DetectImage, DogMatchesOpenCvReferenceOpenClFp16) {
    checkImage("dog.jpg", {{16}, {1}, {2, 7}}, nn::Device::OpenCL, nn::Storage::Fp16);
}
TEST(DetectImage, PersonMatchesOpenCvReferenceOpenClFp16) {
    checkImage("person.jpg", {{0}, {16}, {17}}, nn::Device::OpenCL, nn::Storage::Fp16);
}
TEST(DetectImage, DogMatchesOpenCvReferenceCpuRef) {
    checkImage("dog.jpg", {{16}, {1}, {2, 7}}, nn::Device::CpuReference);
}
TEST(DetectImage, PersonMatchesOpenCvReferenceCpuRef) {
    checkImage("person.jpg", {{0}, {16}, {17}}, nn::Device::CpuReference);
}

TEST(DetectImage, CliJsonRowsAndClassFilter) {
    const fs::path image = imageDir() / "person.jpg";
    ASSERT_TRUE(fs::exists(image)) << "missing " << image
                                   << ": run packaging/fetch-test-images.sh";
    std::ostringstream out, err;
    const std::vector<std::string> args = {image.string(), "--json", "--model",
                                           modelPath().string(), "--classes", "person,horse"};
    ASSERT_EQ(sl::cli::runDetect(args, out, err), 0) << err.str();
    const auto j = nlohmann::json::parse(out.str());
    ASSERT_EQ(j["detections"].size(), 2u) << out.str();
    for (const auto& row : j["detections"]) {
        EXPECT_EQ(row["frame"], 0);
        EXPECT_TRUE(row.contains("pts"));
        EXPECT_TRUE(row["label"] == "person" || row["label"] == "horse") << row.dump();
        EXPECT_EQ(row["box"].size(), 4u);
        EXPECT_GT(row["score"].get<double>(), 0.5);
    }
    // Text output, a high threshold, and bad arguments.
    std::ostringstream t, te;
    ASSERT_EQ(sl::cli::runDetect(std::vector<std::string>{image.string(), "--model",
                                                          modelPath().string(), "--threshold",
                                                          "0.99"},
                                 t, te),
              0)
        << te.str();
    EXPECT_NE(t.str().find("0 detections"), std::string::npos) << t.str();
    std::ostringstream o2, e2;
    EXPECT_EQ(sl::cli::runDetect(std::vector<std::string>{image.string(), "--model",
                                                          modelPath().string(), "--classes",
                                                          "unicorn"},
                                 o2, e2),
              1);
    EXPECT_NE(e2.str().find("no class 'unicorn'"), std::string::npos) << e2.str();
    std::ostringstream o3, e3;
    EXPECT_EQ(sl::cli::runDetect(std::vector<std::string>{image.string(), "--threshold", "2"},
                                 o3, e3),
              2);
}

}  // namespace
}  // namespace sl::pipeline
