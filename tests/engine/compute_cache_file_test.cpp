// compute::readCacheFile / writeCacheFile: the checksummed text caches (conv tuning, storage
// choice) read back what was written, and reject a torn, edited or foreign file instead of
// trusting it.
#include "compute/cache_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/video_generator.h"

namespace sl::compute {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void put(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

TEST(CacheFile, RoundTripAndCorruption) {
    sl::testing::TempDir dir("cache-file");
    const fs::path file = dir.path() / "sub" / "choices.txt";   // the folder is created
    const std::string header = "sightline-test-cache 1\n";
    const std::string body = "a\tone\nb\ttwo\n";

    bool corrupt = true;
    EXPECT_FALSE(readCacheFile(file, header, &corrupt));   // missing: not corrupt
    EXPECT_FALSE(corrupt);

    ASSERT_TRUE(writeCacheFile(file, header, body, "test"));
    const std::string text = slurp(file);
    ASSERT_EQ(text.rfind(header, 0), 0u) << text;
    auto back = readCacheFile(file, header, &corrupt);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, body);
    EXPECT_FALSE(corrupt);
    // An empty body is a valid file too.
    ASSERT_TRUE(writeCacheFile(file, header, "", "test"));
    back = readCacheFile(file, header);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, "");

    const auto rejects = [&](const std::string& damaged, const char* what) {
        put(file, damaged);
        bool c = false;
        EXPECT_FALSE(readCacheFile(file, header, &c)) << what;
        EXPECT_TRUE(c) << what;
    };
    std::string edited = text;
    edited[header.size()] = 'z';   // one body byte changed
    rejects(edited, "edited body");
    rejects(text.substr(0, text.size() - 5), "truncated checksum");
    rejects(text.substr(0, header.size() + 3), "torn before the checksum");
    rejects("sightline-other-cache 1\n" + text.substr(header.size()), "foreign header");
    rejects("", "empty file");
    std::string badSum = text;
    badSum[badSum.size() - 2] = badSum[badSum.size() - 2] == '0' ? '1' : '0';
    rejects(badSum, "wrong checksum digit");
}

}  // namespace
}  // namespace sl::compute
