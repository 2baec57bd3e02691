#pragma once
// TextRasterizer: UTF-8 text -> an 8-bit coverage bitmap with FreeType (anti-aliased, hinted),
// for text burned into exported video (detection labels). Qt-free, no GPU.
//
//   auto font = findFontFile("DejaVu Sans");            // fontconfig, by family name
//   auto text = TextRasterizer::open(*font, TextRasterizer::pixelHeightForFrame(1080));
//   auto bitmap = text->render("person 0.91");          // coverage 0..255, width x height
//
// Geometry (all integer pixels, FreeType's hinted metrics):
// - The bitmap is lineHeight() rows tall; row ascender() - 1 is the last row above the baseline.
// - A glyph's pen position is the sum of the advances and kerning of the glyphs before it; the
//   string's width is that sum over the whole string (measure()). The bitmap is that wide, or
//   wider where the last glyph's ink overhangs its advance; ink left of x = 0 is clipped.
// - A code point the font has no glyph for is drawn as the font's .notdef glyph and listed in
//   `missing`: the caller decides whether that is an error. Malformed UTF-8 is an error.
//
// Glyphs are rendered once and cached per instance. Not thread-safe: one instance per thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sl::vision {

// The font file fontconfig has for `family` (e.g. "DejaVu Sans"). NotFound, naming the family,
// when no installed font has that family: fontconfig's nearest other family is never used.
Expected<std::filesystem::path> findFontFile(const std::string& family);

// UTF-8 -> code points; InvalidArgument naming the byte offset on malformed input (overlong,
// surrogate, truncated or out-of-range sequences).
Expected<std::u32string> decodeUtf8(std::string_view text);

struct CoverageBitmap {
    int width = 0;
    int height = 0;
    int baseline = 0;                 // rows above the baseline (== ascender)
    int advance = 0;                  // the string's width (sum of advances + kerning)
    std::vector<uint8_t> coverage;    // width * height, row-major, 0 (none) .. 255 (full)
    std::vector<char32_t> missing;    // code points drawn as .notdef, in order of appearance
    uint8_t at(int x, int y) const { return coverage[size_t(y) * size_t(width) + size_t(x)]; }
};

class TextRasterizer {
public:
    // `pixelHeight`: the em size in pixels (FT_Set_Pixel_Sizes), 4..512.
    static Expected<std::unique_ptr<TextRasterizer>> open(const std::filesystem::path& fontFile,
                                                          int pixelHeight);
    // A label size readable on the frame: about 1/36 of its height, at least 14 px (480p: 14,
    // 1080p: 30, 2160p: 60).
    static int pixelHeightForFrame(int frameHeight);

    ~TextRasterizer();
    TextRasterizer(const TextRasterizer&) = delete;
    TextRasterizer& operator=(const TextRasterizer&) = delete;

    int pixelHeight() const { return pixelHeight_; }
    int ascender() const { return ascender_; }     // pixels above the baseline
    int descender() const { return descender_; }   // pixels below the baseline (>= 0)
    int lineHeight() const { return ascender_ + descender_; }
    const std::string& familyName() const { return family_; }

    // Horizontal advance of one code point in pixels (the .notdef advance when it has no glyph);
    // an error if FreeType cannot load the glyph.
    Expected<int> advance(char32_t codePoint);
    bool hasGlyph(char32_t codePoint) const;
    // Kerning between two adjacent code points in pixels (0 when the font has no kerning).
    int kerning(char32_t left, char32_t right) const;
    // The string's width: sum of advances + kerning. Empty string: 0.
    Expected<int> measure(std::string_view utf8);
    Expected<CoverageBitmap> render(std::string_view utf8);

private:
    struct Impl;
    explicit TextRasterizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    int pixelHeight_ = 0;
    int ascender_ = 0;
    int descender_ = 0;
    std::string family_;
};

}  // namespace sl::vision
