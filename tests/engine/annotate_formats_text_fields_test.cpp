// The shared naming / number helpers of the formats (annotate/formats/text_fields.h).
#include <gtest/gtest.h>

#include <stdexcept>

#include "annotate/formats/text_fields.h"

namespace sl::annotate::formats {
namespace {

TEST(AnnotateFormatsTextFields, FrameNames) {
    EXPECT_EQ(formatFrameName("frame_%06lld.jpg", 12), "frame_000012.jpg");
    EXPECT_EQ(formatFrameName("%d.png", 7), "7.png");
    EXPECT_EQ(formatFrameName("%5d|100%%", -3), "   -3|100%");
    EXPECT_EQ(formatFrameName("%03d", -3), "-03");
    EXPECT_THROW(formatFrameName("%s.jpg", 1), std::invalid_argument);
    EXPECT_THROW(formatFrameName("%d_%d", 1), std::invalid_argument);
    EXPECT_THROW(formatFrameName("plain.jpg", 1), std::invalid_argument);
    EXPECT_EQ(fileStem("dir/frame_000012.jpg"), "frame_000012");
    EXPECT_EQ(frameNumberFromName("frame_000012"), 12);
    EXPECT_EQ(frameNumberFromName("cam2_0041_left"), 41);   // the last run of digits
    EXPECT_EQ(frameNumberFromName("none"), std::nullopt);
    EXPECT_EQ(frameNumberFromName("f99999999999999999999"), std::nullopt);   // overflows
}

TEST(AnnotateFormatsTextFields, StrictNumbers) {
    EXPECT_EQ(parseInt(" 42 "), 42);
    EXPECT_EQ(parseInt("4x"), std::nullopt);
    EXPECT_EQ(parseInt(""), std::nullopt);
    EXPECT_EQ(parseDouble("+1.5"), 1.5);
    EXPECT_EQ(parseDouble("1.5.2"), std::nullopt);
    EXPECT_EQ(parseDouble("1e999"), std::nullopt);
    EXPECT_EQ(parseFlag("True"), true);
    EXPECT_EQ(parseFlag("2"), std::nullopt);
    // Shortest text that reads back exactly.
    EXPECT_EQ(formatNumber(323.83f), "323.83");
    EXPECT_EQ(float(*parseDouble(formatNumber(0.1f))), 0.1f);
    EXPECT_EQ(*parseDouble(formatNumber(1.0 / 3)), 1.0 / 3);
}

}  // namespace
}  // namespace sl::annotate::formats
