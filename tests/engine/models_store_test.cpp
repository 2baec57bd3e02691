// Model store and `sightline models`: manifests (good and malformed), install --from (a valid
// model, a file that is no model, a model with the wrong contract), list/info/remove, and the
// download path against a local HTTP server on 127.0.0.1 (good checksum, bad checksum, 404), all
// in a temporary XDG_DATA_HOME. Needs ../shared/models/yolox_nano.onnx (fails when missing).

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "models/downloader.h"
#include "models/model_contract.h"
#include "models/model_manifest.h"
#include "models/model_store.h"
#include "support/video_generator.h"

namespace sl::cli {
int runModels(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}

namespace sl::models {
namespace {

namespace fs = std::filesystem;

fs::path sharedModel() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }
const char* kSharedSha = "e8af074932d4ed7e232278e3055cefcdea3edf178874a3694ae292649fb464dd";
fs::path reluModel() { return "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx"; }

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port): GET /<name> answers the registered
// file's bytes, anything else 404. One request per connection ("Connection: close").
class LocalHttpServer {
public:
    explicit LocalHttpServer(std::map<std::string, std::string> files) : files_(std::move(files)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd_, 8) != 0)
            return;
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~LocalHttpServer() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        if (thread_.joinable()) thread_.join();
    }
    std::string url(const std::string& name) const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
    }
    int port() const { return port_; }

private:
    void serve() {
        while (!stop_) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            std::string req;
            char buf[4096];
            while (req.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                req.append(buf, size_t(n));
            }
            std::string path;
            if (req.rfind("GET /", 0) == 0) path = req.substr(5, req.find(' ', 5) - 5);
            auto it = files_.find(path);
            std::string resp;
            if (it == files_.end()) {
                resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
                       "not found";
            } else {
                resp = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                       "Content-Length: " + std::to_string(it->second.size()) +
                       "\r\nConnection: close\r\n\r\n" + it->second;
            }
            size_t off = 0;
            while (off < resp.size()) {
                const ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
                if (n <= 0) break;
                off += size_t(n);
            }
            ::close(c);
        }
    }
    std::map<std::string, std::string> files_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class ModelsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(sharedModel())) << "missing test model " << sharedModel();
        dir_ = std::make_unique<sl::testing::TempDir>("models");
        const char* old = std::getenv("XDG_DATA_HOME");
        oldXdg_ = old ? std::optional<std::string>(old) : std::nullopt;
        ::setenv("XDG_DATA_HOME", (dir_->path() / "data").c_str(), 1);
    }
    void TearDown() override {
        if (oldXdg_) ::setenv("XDG_DATA_HOME", oldXdg_->c_str(), 1);
        else ::unsetenv("XDG_DATA_HOME");
    }
    int cli(std::vector<std::string> args, std::string& out, std::string& err) {
        std::ostringstream o, e;
        const int rc = sl::cli::runModels(args, o, e);
        out = o.str();
        err = e.str();
        return rc;
    }
    std::unique_ptr<sl::testing::TempDir> dir_;
    std::optional<std::string> oldXdg_;
};

TEST(ModelsManifest, DefaultRoundTripsThroughJson) {
    const ModelManifest m = yoloxNanoManifest();
    auto back = parseManifest(manifestToJson(m), "mem");
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(back->labels, cocoLabels());
    EXPECT_EQ(back->labels.size(), 80u);
    EXPECT_EQ(back->strides, (std::vector<int>{8, 16, 32}));
    EXPECT_EQ(back->outputRows(), 3549);
    EXPECT_EQ(back->outputColumns(), 85);
    EXPECT_EQ(back->placement, vision::Placement::TopLeft);
    EXPECT_EQ(back->colorOrder, vision::ChannelOrder::Bgr);
    EXPECT_FLOAT_EQ(back->padValue, 114.0f);
    EXPECT_EQ(back->classId("Dog"), 16);
    EXPECT_EQ(back->classId("unicorn"), -1);
}

TEST(ModelsManifest, MalformedManifestsNameTheFileAndTheProblem) {
    const struct {
        const char* json;
        const char* problem;
    } cases[] = {
        {"{not json", "not valid JSON"},
        {"[1, 2]", "must be a JSON object"},
        {R"({"decoder": {"type": "yolox"}})", "missing 'labels'"},
        {R"({"decoder": {"type": "yolox"}, "labels": [1, 2]})", "'labels' must be"},
        {R"({"labels": ["a"]})", "missing 'decoder'"},
        {R"({"decoder": {"type": "ssd"}, "labels": ["a"]})", "unknown decoder type \"ssd\""},
        {R"({"decoder": {"type": "yolox"}, "labels": ["a"], "input": {"width": "416"}})",
         "'input.width' must be an integer"},
        {R"({"decoder": {"type": "yolox"}, "labels": ["a"], "input": {"mean": [1, 2]}})",
         "'input.mean' must be an array of 3 numbers"},
        {R"({"decoder": {"type": "yolox"}, "labels": ["a"], "letterbox": {"placement": "x"}})",
         "'letterbox.placement'"},
        {R"({"decoder": {"type": "yolox"}, "labels": ["a"], "input": {"color_order": "yuv"}})",
         "'input.color_order'"},
        {R"({"decoder": {"type": "yolox", "strides": [7]}, "labels": ["a"]})",
         "stride 7 does not divide"},
    };
    for (const auto& c : cases) {
        auto m = parseManifest(c.json, "/models/x/manifest.json");
        ASSERT_FALSE(m) << c.json;
        EXPECT_NE(m.status().message().find("'/models/x/manifest.json'"), std::string::npos)
            << m.status().message();
        EXPECT_NE(m.status().message().find(c.problem), std::string::npos)
            << c.json << " -> " << m.status().message();
    }
}

TEST(ModelsManifest, ContractCheck) {
    EXPECT_TRUE(checkModelContract(sharedModel(), yoloxNanoManifest()));
    // Another label count changes the expected output columns.
    ModelManifest m = yoloxNanoManifest();
    m.labels.resize(20);
    Status st = checkModelContract(sharedModel(), m);
    ASSERT_FALSE(st);
    EXPECT_NE(st.message().find("output 'output' has shape 1x3549x85, expected 1x3549x25"),
              std::string::npos)
        << st.message();
    ASSERT_TRUE(fs::exists(reluModel())) << "libonnx-testdata missing: " << reluModel();
    st = checkModelContract(reluModel(), yoloxNanoManifest());
    ASSERT_FALSE(st);
    EXPECT_NE(st.message().find("expected 1x3x416x416"), std::string::npos) << st.message();
}

TEST_F(ModelsTest, InstallFromFileListInfoRemove) {
    ModelStore store;
    EXPECT_EQ(store.root(), dir_->path() / "data" / "sightline" / "models");
    EXPECT_TRUE(store.list().empty());
    auto missing = store.find("yolox-nano");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("sightline models install yolox-nano"),
              std::string::npos);

    std::string out, err;
    ASSERT_EQ(cli({"install", "yolox-nano", "--from", sharedModel().string()}, out, err), 0)
        << err;
    EXPECT_NE(out.find("installed yolox-nano"), std::string::npos) << out;
    const fs::path folder = store.root() / "yolox-nano";
    EXPECT_TRUE(fs::exists(folder / "model.onnx"));
    EXPECT_TRUE(fs::exists(folder / "manifest.json"));
    EXPECT_EQ(*sha256File(folder / "model.onnx"), kSharedSha);
    for (const auto& e : fs::directory_iterator(folder))   // no temporaries left behind
        EXPECT_NE(e.path().filename().string()[0], '.') << e.path();

    ASSERT_EQ(cli({"list"}, out, err), 0) << err;
    EXPECT_NE(out.find("yolox-nano"), std::string::npos) << out;
    ASSERT_EQ(cli({"list", "--json"}, out, err), 0) << err;
    EXPECT_NE(out.find("\"name\": \"yolox-nano\""), std::string::npos) << out;
    ASSERT_EQ(cli({"info", "yolox-nano"}, out, err), 0) << err;
    EXPECT_NE(out.find("1x3549x85"), std::string::npos) << out;
    EXPECT_NE(out.find("classes:   80"), std::string::npos) << out;

    auto found = store.resolve("yolox-nano");
    ASSERT_TRUE(found) << found.status().message();
    EXPECT_EQ(found->manifest.labels[0], "person");

    ASSERT_EQ(cli({"remove", "yolox-nano"}, out, err), 0) << err;
    EXPECT_FALSE(fs::exists(folder));
    EXPECT_EQ(cli({"remove", "yolox-nano"}, out, err), 1);
    EXPECT_NE(err.find("not installed"), std::string::npos) << err;
    EXPECT_EQ(cli({"info", "yolox-nano"}, out, err), 1);
}

TEST_F(ModelsTest, InstallRefusesNonModelsAndWrongContracts) {
    std::string out, err;
    const fs::path junk = dir_->file("junk.onnx");
    std::ofstream(junk) << "this is not a protobuf";
    EXPECT_EQ(cli({"install", "yolox-nano", "--from", junk.string()}, out, err), 1);
    EXPECT_NE(err.find("'" + junk.string() + "'"), std::string::npos) << err;
    EXPECT_NE(err.find("not a loadable ONNX model"), std::string::npos) << err;

    ASSERT_TRUE(fs::exists(reluModel())) << "libonnx-testdata missing: " << reluModel();
    EXPECT_EQ(cli({"install", "yolox-nano", "--from", reluModel().string()}, out, err), 1);
    EXPECT_NE(err.find("input 'x' has shape 3x4x5, expected 1x3x416x416"), std::string::npos)
        << err;
    EXPECT_EQ(cli({"install", "yolox-nano", "--from", "/nonexistent.onnx"}, out, err), 1);
    EXPECT_NE(err.find("no such file"), std::string::npos) << err;
    // Nothing counts as installed after the refusals.
    EXPECT_TRUE(ModelStore().list().empty());
    EXPECT_EQ(cli({"install", "../evil", "--from", sharedModel().string()}, out, err), 1);
    EXPECT_NE(err.find("not a valid model name"), std::string::npos) << err;
    EXPECT_EQ(cli({"install", "custom", "--from", sharedModel().string()}, out, err), 1);
    EXPECT_NE(err.find("give its manifest"), std::string::npos) << err;
}

TEST_F(ModelsTest, CustomManifestAndMalformedInstalledManifest) {
    std::string out, err;
    ModelManifest m = yoloxNanoManifest();
    m.confidence = 0.5f;
    const fs::path mf = dir_->file("custom.json");
    ASSERT_TRUE(writeFileAtomic(mf, manifestToJson(m), "models"));
    ASSERT_EQ(cli({"install", "my-yolox", "--from", sharedModel().string(), "--manifest",
                   mf.string()}, out, err), 0) << err;
    auto got = ModelStore().find("my-yolox");
    ASSERT_TRUE(got) << got.status().message();
    EXPECT_FLOAT_EQ(got->manifest.confidence, 0.5f);
    EXPECT_EQ(got->manifest.name, "my-yolox");

    // Corrupt the installed manifest: list reports it, find names the file.
    std::ofstream(got->manifestPath) << R"({"decoder": {"type": "yolox"}, "labels": "dog"})";
    std::vector<std::string> problems;
    EXPECT_TRUE(ModelStore().list(&problems).empty());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find(got->manifestPath.string()), std::string::npos) << problems[0];
    EXPECT_NE(problems[0].find("'labels' must be"), std::string::npos) << problems[0];
    EXPECT_EQ(cli({"info", "my-yolox"}, out, err), 1);
    EXPECT_NE(err.find("manifest.json"), std::string::npos) << err;
}

TEST_F(ModelsTest, DownloadFromLocalServer) {
    const std::string bytes = readAll(sharedModel());
    LocalHttpServer server({{"yolox_nano.onnx", bytes}, {"relu.onnx", readAll(reluModel())}});
    ASSERT_GT(server.port(), 0) << "cannot listen on 127.0.0.1";
    std::string out, err;

    // 404: named URL, nothing installed.
    EXPECT_EQ(cli({"install", "yolox-nano", "--url", server.url("missing.onnx"), "--sha256",
                   kSharedSha}, out, err), 1);
    EXPECT_NE(err.find(server.url("missing.onnx")), std::string::npos) << err;
    EXPECT_NE(err.find("404"), std::string::npos) << err;

    // Checksum mismatch (the built-in checksum is upstream's file, not this export).
    EXPECT_EQ(cli({"install", "yolox-nano", "--url", server.url("yolox_nano.onnx")}, out, err),
              1);
    EXPECT_NE(err.find("checksum mismatch"), std::string::npos) << err;
    EXPECT_NE(err.find(kSharedSha), std::string::npos) << err;   // what was received
    EXPECT_NE(err.find(findCatalogEntry("yolox-nano")->sha256), std::string::npos) << err;
    EXPECT_TRUE(ModelStore().list().empty());
    const fs::path folder = ModelStore().root() / "yolox-nano";
    EXPECT_FALSE(fs::exists(folder)) << "a failed download left " << folder;

    // Right checksum but the wrong contract: refused after the download.
    const std::string reluSha = sha256Hex(readAll(reluModel()).data(),
                                          readAll(reluModel()).size());
    EXPECT_EQ(cli({"install", "yolox-nano", "--url", server.url("relu.onnx"), "--sha256",
                   reluSha}, out, err), 1);
    EXPECT_NE(err.find("expected 1x3x416x416"), std::string::npos) << err;

    // Good checksum: installed, byte-identical.
    ASSERT_EQ(cli({"install", "yolox-nano", "--url", server.url("yolox_nano.onnx"), "--sha256",
                   kSharedSha}, out, err), 0) << err;
    auto m = ModelStore().find("yolox-nano");
    ASSERT_TRUE(m) << m.status().message();
    EXPECT_EQ(m->bytes, int64_t(bytes.size()));
    EXPECT_EQ(*sha256File(m->weights), kSharedSha);
}

TEST(ModelsCatalog, DefaultPointsUpstream) {
    const CatalogEntry* e = findCatalogEntry("yolox-nano");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->url, "https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/"
                      "yolox_nano.onnx");
    EXPECT_EQ(e->sha256, "c789161ed43c8269fcd4e67c67eeeb4e80c622da2eb296a20bc6007bd18a0b7d");
    EXPECT_EQ(sha256Hex("abc", 3),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace sl::models
