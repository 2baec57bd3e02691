// vision::TextRasterizer against facts that do not come from it: FreeType's own glyph metrics,
// bitmaps and kerning read through a separate FT_Face, the shape of 'I' (one vertical stroke on
// the baseline), UTF-8 decoded by hand, and a code point FreeType says the font lacks.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "vision/text_rasterizer.h"

namespace sl::vision {
namespace {

constexpr const char* kFamily = "DejaVu Sans";

// An independent FreeType face of the same file at the same size.
class FtFace {
public:
    FtFace(const std::filesystem::path& file, int px) {
        EXPECT_EQ(FT_Init_FreeType(&lib_), 0);
        EXPECT_EQ(FT_New_Face(lib_, file.c_str(), 0, &face_), 0) << file;
        EXPECT_EQ(FT_Set_Pixel_Sizes(face_, 0, FT_UInt(px)), 0);
    }
    ~FtFace() {
        if (face_) FT_Done_Face(face_);
        if (lib_) FT_Done_FreeType(lib_);
    }
    FT_Face get() const { return face_; }
    int advance(char32_t c) const {
        EXPECT_EQ(FT_Load_Char(face_, FT_ULong(c), FT_LOAD_DEFAULT), 0);
        return int((face_->glyph->advance.x + 32) >> 6);
    }
    int kerning(char32_t a, char32_t b) const {
        if (!FT_HAS_KERNING(face_)) return 0;
        FT_Vector k{0, 0};
        FT_Get_Kerning(face_, FT_Get_Char_Index(face_, a), FT_Get_Char_Index(face_, b),
                       FT_KERNING_DEFAULT, &k);
        return int((k.x + 32) >> 6);
    }

private:
    FT_Library lib_ = nullptr;
    FT_Face face_ = nullptr;
};

class TextRasterizerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto f = findFontFile(kFamily);
        ASSERT_TRUE(f.hasValue()) << f.status().message();
        font_ = *f;
    }
    std::unique_ptr<TextRasterizer> open(int px) {
        auto r = TextRasterizer::open(font_, px);
        EXPECT_TRUE(r.hasValue()) << r.status().message();
        return r ? std::move(*r) : nullptr;
    }
    std::filesystem::path font_;
};

TEST_F(TextRasterizerTest, FontFoundByFamilyAndMissingFamilyNamed) {
    EXPECT_TRUE(std::filesystem::is_regular_file(font_)) << font_;
    auto r = open(20);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->familyName(), kFamily);
    auto missing = findFontFile("Sightline No Such Family");
    ASSERT_FALSE(missing.hasValue());
    EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
    EXPECT_NE(missing.status().message().find("Sightline No Such Family"), std::string::npos)
        << missing.status().message();
}

TEST_F(TextRasterizerTest, CapitalIIsOneVerticalStrokeOnTheBaseline) {
    for (int px : {14, 30, 60}) {
        auto r = open(px);
        ASSERT_TRUE(r);
        auto b = r->render("I");
        ASSERT_TRUE(b.hasValue()) << b.status().message();
        ASSERT_EQ(b->height, r->lineHeight());
        int top = -1, bottom = -1;
        for (int y = 0; y < b->height; ++y)
            for (int x = 0; x < b->width; ++x)
                if (b->at(x, y) > 0) {
                    if (top < 0) top = y;
                    bottom = y;
                }
        ASSERT_GE(top, 0) << "no ink at " << px << " px";
        EXPECT_EQ(bottom, b->baseline - 1) << px << " px: 'I' must stand on the baseline";
        // DejaVu Sans' cap height is 0.729 em.
        const int inkHeight = bottom - top + 1;
        EXPECT_NEAR(inkHeight, 0.729 * px, 1.5) << px << " px";
        // Every row strictly between the first and last has the same profile: a vertical
        // stroke of contiguous full columns, at most a few pixels wide.
        const int mid = (top + bottom) / 2;
        int full = 0, first = -1, last = -1;
        for (int x = 0; x < b->width; ++x)
            if (b->at(x, mid) > 191) {
                ++full;
                if (first < 0) first = x;
                last = x;
            }
        EXPECT_GE(full, 1) << px << " px";
        EXPECT_EQ(last - first + 1, full) << px << " px: stroke columns not contiguous";
        EXPECT_LE(full, px / 6 + 1) << px << " px: stroke too wide";
        for (int y = top + 1; y < bottom; ++y)
            for (int x = 0; x < b->width; ++x)
                ASSERT_EQ(b->at(x, y), b->at(x, mid)) << px << " px, column " << x << " row " << y;
    }
}

TEST_F(TextRasterizerTest, AdvancesAndGlyphBitmapsMatchFreeType) {
    constexpr int px = 30;
    auto r = open(px);
    ASSERT_TRUE(r);
    FtFace ft(font_, px);
    const std::u32string chars = U"AIMWVaeimnoprsy0123456789 .";
    const auto advance = [&](char32_t c) {
        auto a = r->advance(c);
        EXPECT_TRUE(a.hasValue()) << a.status().message();
        return a ? *a : -1;
    };
    for (char32_t c : chars) EXPECT_EQ(advance(c), ft.advance(c)) << "U+" << unsigned(c);
    EXPECT_LT(advance(U'i'), advance(U'm'));
    EXPECT_LT(advance(U'I'), advance(U'W'));
    // A single glyph's bitmap is FreeType's own, placed at (left, baseline - top).
    auto a = r->render("A");
    ASSERT_TRUE(a.hasValue());
    ASSERT_EQ(FT_Load_Char(ft.get(), 'A', FT_LOAD_RENDER), 0);
    const FT_GlyphSlot g = ft.get()->glyph;
    int mismatches = 0, ink = 0;
    for (int y = 0; y < int(g->bitmap.rows); ++y)
        for (int x = 0; x < int(g->bitmap.width); ++x) {
            const int ox = g->bitmap_left + x, oy = a->baseline - g->bitmap_top + y;
            const uint8_t want = g->bitmap.buffer[y * g->bitmap.pitch + x];
            ink += want > 0;
            if (ox < 0 || ox >= a->width || oy < 0 || oy >= a->height) {
                mismatches += want > 0;
                continue;
            }
            mismatches += a->at(ox, oy) != want;
        }
    EXPECT_GT(ink, 50);
    EXPECT_EQ(mismatches, 0);
}

TEST_F(TextRasterizerTest, WidthIsSumOfAdvancesPlusKerningAndGrowsWithSize) {
    const std::string s = "AVATAR Toy person 0.91";
    int previous = 0;
    for (int px : {14, 30, 60}) {
        auto r = open(px);
        ASSERT_TRUE(r);
        FtFace ft(font_, px);
        int want = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            want += ft.advance(char32_t(s[i]));
            if (i + 1 < s.size()) want += ft.kerning(char32_t(s[i]), char32_t(s[i + 1]));
        }
        auto w = r->measure(s);
        ASSERT_TRUE(w.hasValue());
        EXPECT_EQ(*w, want) << px << " px";
        auto b = r->render(s);
        ASSERT_TRUE(b.hasValue());
        EXPECT_EQ(b->advance, want);
        EXPECT_GE(b->width, want);
        EXPECT_GT(*w, previous) << "width must grow with the pixel height";
        previous = *w;
    }
}

TEST_F(TextRasterizerTest, EmptyStringHasZeroWidth) {
    auto r = open(20);
    ASSERT_TRUE(r);
    auto w = r->measure("");
    ASSERT_TRUE(w.hasValue());
    EXPECT_EQ(*w, 0);
    auto b = r->render("");
    ASSERT_TRUE(b.hasValue());
    EXPECT_EQ(b->width, 0);
    EXPECT_TRUE(b->coverage.empty());
    EXPECT_TRUE(b->missing.empty());
}

TEST_F(TextRasterizerTest, MissingGlyphIsReported) {
    auto r = open(20);
    ASSERT_TRUE(r);
    FtFace ft(font_, 20);
    // A private-use or unassigned code point FreeType itself says the font lacks.
    char32_t absent = 0;
    for (char32_t c : {char32_t(0xE000), char32_t(0xF8FF), char32_t(0x10FFFD), char32_t(0x2FFFD)})
        if (FT_Get_Char_Index(ft.get(), FT_ULong(c)) == 0) {
            absent = c;
            break;
        }
    ASSERT_NE(absent, 0u) << "every candidate has a glyph in " << font_;
    EXPECT_FALSE(r->hasGlyph(absent));
    EXPECT_TRUE(r->hasGlyph(U'a'));
    std::string s = "a";
    // UTF-8 of `absent` written out by hand (3 or 4 bytes).
    if (absent < 0x10000) {
        s += char(0xE0 | (absent >> 12));
        s += char(0x80 | ((absent >> 6) & 0x3F));
        s += char(0x80 | (absent & 0x3F));
    } else {
        s += char(0xF0 | (absent >> 18));
        s += char(0x80 | ((absent >> 12) & 0x3F));
        s += char(0x80 | ((absent >> 6) & 0x3F));
        s += char(0x80 | (absent & 0x3F));
    }
    s += "b";
    auto b = r->render(s);
    ASSERT_TRUE(b.hasValue()) << b.status().message();
    ASSERT_EQ(b->missing.size(), 1u);
    EXPECT_EQ(b->missing[0], absent);
    auto ok = r->render("ab");
    ASSERT_TRUE(ok.hasValue());
    EXPECT_TRUE(ok->missing.empty());
}

TEST(TextUtf8, DecodesAndRejectsMalformed) {
    auto d = decodeUtf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");   // a e-acute euro grinning-face
    ASSERT_TRUE(d.hasValue()) << d.status().message();
    EXPECT_EQ(*d, (std::u32string{U'a', 0xE9, 0x20AC, 0x1F600}));
    for (const char* bad : {"\xC3", "a\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                            "\xE2\x82"}) {
        auto r = decodeUtf8(bad);
        EXPECT_FALSE(r.hasValue()) << "accepted malformed input";
        if (!r) {
            EXPECT_NE(r.status().message().find("byte"), std::string::npos);
        }
    }
}

TEST(TextSize, GrowsWithFrameHeightAndStaysReadable) {
    EXPECT_GE(TextRasterizer::pixelHeightForFrame(240), 14);
    EXPECT_GE(TextRasterizer::pixelHeightForFrame(480), 14);
    EXPECT_LT(TextRasterizer::pixelHeightForFrame(480), TextRasterizer::pixelHeightForFrame(1080));
    EXPECT_LT(TextRasterizer::pixelHeightForFrame(1080), TextRasterizer::pixelHeightForFrame(2160));
    // About the same share of the picture at 1080p and 4K.
    EXPECT_NEAR(TextRasterizer::pixelHeightForFrame(2160),
                2 * TextRasterizer::pixelHeightForFrame(1080), 1);
}

}  // namespace
}  // namespace sl::vision
