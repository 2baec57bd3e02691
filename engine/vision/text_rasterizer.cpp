#include "vision/text_rasterizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <strings.h>
#include <unordered_map>

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

namespace sl::vision {

namespace {

std::string ftError(FT_Error e) {
    const char* s = FT_Error_String(e);   // null unless FreeType was built with error strings
    return s ? std::string(s) : "FreeType error " + std::to_string(int(e));
}

// 26.6 fixed point -> whole pixels, rounded (hinted metrics are whole pixels already).
int pixels(FT_Pos v) { return int(std::lround(double(v) / 64.0)); }

}  // namespace

Expected<std::filesystem::path> findFontFile(const std::string& family) {
    if (family.empty()) return Status(StatusCode::InvalidArgument, "text: no font family given");
    FcConfig* config = FcInitLoadConfigAndFonts();
    if (!config)
        return Status(StatusCode::Unavailable, "text: fontconfig could not load its configuration");
    struct Cleanup {
        FcConfig* config;
        FcPattern* pattern = nullptr;
        FcPattern* match = nullptr;
        ~Cleanup() {
            if (match) FcPatternDestroy(match);
            if (pattern) FcPatternDestroy(pattern);
            FcConfigDestroy(config);
        }
    } c{config};
    c.pattern = FcPatternCreate();
    FcPatternAddString(c.pattern, FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
    FcConfigSubstitute(config, c.pattern, FcMatchPattern);
    FcDefaultSubstitute(c.pattern);
    FcResult result = FcResultNoMatch;
    c.match = FcFontMatch(config, c.pattern, &result);
    const std::string hint = "no font of family '" + family +
                             "' is installed (Debian: fonts-dejavu-core provides DejaVu Sans)";
    if (!c.match || result != FcResultMatch)
        return Status(StatusCode::NotFound, "text: " + hint);
    // fontconfig always answers with its nearest font; accept it only if it is the family asked
    // for, so a missing font is reported instead of labels drawn in some other face.
    FcChar8* name = nullptr;
    bool familyMatches = false;
    std::string matched;
    for (int i = 0; FcPatternGetString(c.match, FC_FAMILY, i, &name) == FcResultMatch; ++i) {
        const char* n = reinterpret_cast<const char*>(name);
        if (matched.empty()) matched = n;
        if (strcasecmp(n, family.c_str()) == 0) familyMatches = true;
    }
    if (!familyMatches)
        return Status(StatusCode::NotFound,
                      "text: " + hint + "; fontconfig's nearest is '" + matched + "'");
    FcChar8* file = nullptr;
    if (FcPatternGetString(c.match, FC_FILE, 0, &file) != FcResultMatch || !file)
        return Status(StatusCode::NotFound, "text: fontconfig has no file for '" + family + "'");
    return std::filesystem::path(reinterpret_cast<const char*>(file));
}

Expected<std::u32string> decodeUtf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    const auto bad = [&](size_t at) {
        return Status(StatusCode::InvalidArgument,
                      "text: malformed UTF-8 at byte " + std::to_string(at) + " of '" +
                          std::string(text) + "'");
    };
    for (size_t i = 0; i < text.size();) {
        const auto b0 = uint8_t(text[i]);
        int n = 0;
        char32_t cp = 0, min = 0;
        if (b0 < 0x80) { n = 0; cp = b0; }
        else if ((b0 & 0xE0) == 0xC0) { n = 1; cp = b0 & 0x1F; min = 0x80; }
        else if ((b0 & 0xF0) == 0xE0) { n = 2; cp = b0 & 0x0F; min = 0x800; }
        else if ((b0 & 0xF8) == 0xF0) { n = 3; cp = b0 & 0x07; min = 0x10000; }
        else return bad(i);
        if (i + size_t(n) >= text.size()) return bad(i);   // truncated sequence
        for (int k = 1; k <= n; ++k) {
            const auto b = uint8_t(text[i + size_t(k)]);
            if ((b & 0xC0) != 0x80) return bad(i);
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return bad(i);
        out.push_back(cp);
        i += size_t(n) + 1;
    }
    return out;
}

struct TextRasterizer::Impl {
    struct Glyph {
        int left = 0, top = 0;          // bitmap offset from the pen position (top: up)
        int width = 0, rows = 0;
        int advance = 0;
        std::vector<uint8_t> coverage;  // width * rows
    };
    FT_Library library = nullptr;
    FT_Face face = nullptr;
    std::filesystem::path file;
    std::unordered_map<FT_UInt, Glyph> cache;

    ~Impl() {
        if (face) FT_Done_Face(face);
        if (library) FT_Done_FreeType(library);
    }

    Expected<const Glyph*> glyph(FT_UInt index) {
        if (auto it = cache.find(index); it != cache.end()) return &it->second;
        FT_Error e = FT_Load_Glyph(face, index, FT_LOAD_DEFAULT);
        if (!e) e = FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL);
        if (e)
            return Status(StatusCode::InvalidData, "text: cannot render glyph " +
                                                       std::to_string(index) + " of '" +
                                                       file.string() + "': " + ftError(e));
        const FT_GlyphSlot slot = face->glyph;
        const FT_Bitmap& bm = slot->bitmap;
        if (bm.pixel_mode != FT_PIXEL_MODE_GRAY && bm.rows > 0)
            return Status(StatusCode::Unsupported,
                          "text: '" + file.string() + "' renders glyphs that are not 8-bit grey");
        Glyph g;
        g.left = slot->bitmap_left;
        g.top = slot->bitmap_top;
        g.width = int(bm.width);
        g.rows = int(bm.rows);
        g.advance = pixels(slot->advance.x);
        g.coverage.resize(size_t(g.width) * size_t(g.rows));
        const int levels = bm.num_grays > 1 ? bm.num_grays - 1 : 255;
        for (int y = 0; y < g.rows; ++y) {
            const uint8_t* row = bm.buffer + ptrdiff_t(y) * bm.pitch;
            for (int x = 0; x < g.width; ++x)
                g.coverage[size_t(y) * size_t(g.width) + size_t(x)] =
                    uint8_t(levels == 255 ? row[x] : row[x] * 255 / levels);
        }
        return &cache.emplace(index, std::move(g)).first->second;
    }
};

Expected<std::unique_ptr<TextRasterizer>> TextRasterizer::open(
    const std::filesystem::path& fontFile, int pixelHeight) {
    if (pixelHeight < 4 || pixelHeight > 512)
        return Status(StatusCode::InvalidArgument,
                      "text: pixel height " + std::to_string(pixelHeight) + " outside 4..512");
    auto impl = std::make_unique<Impl>();
    impl->file = fontFile;
    FT_Error e = FT_Init_FreeType(&impl->library);
    if (e) return Status(StatusCode::Internal, "text: FreeType init failed: " + ftError(e));
    e = FT_New_Face(impl->library, fontFile.c_str(), 0, &impl->face);
    if (e)
        return Status(StatusCode::InvalidData,
                      "text: cannot open font '" + fontFile.string() + "': " + ftError(e));
    if (!FT_IS_SCALABLE(impl->face))
        return Status(StatusCode::Unsupported,
                      "text: font '" + fontFile.string() + "' is not scalable");
    e = FT_Set_Pixel_Sizes(impl->face, 0, FT_UInt(pixelHeight));
    if (e)
        return Status(StatusCode::InvalidData, "text: cannot size '" + fontFile.string() +
                                                   "' to " + std::to_string(pixelHeight) +
                                                   " px: " + ftError(e));
    FT_Select_Charmap(impl->face, FT_ENCODING_UNICODE);
    const FT_Size_Metrics& m = impl->face->size->metrics;
    std::unique_ptr<TextRasterizer> r(new TextRasterizer(std::move(impl)));
    r->pixelHeight_ = pixelHeight;
    r->ascender_ = int((m.ascender + 63) >> 6);
    r->descender_ = int((-m.descender + 63) >> 6);
    r->family_ = r->impl_->face->family_name ? r->impl_->face->family_name : "";
    return r;
}

int TextRasterizer::pixelHeightForFrame(int frameHeight) {
    return std::clamp((frameHeight + 18) / 36, 14, 512);
}

TextRasterizer::TextRasterizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TextRasterizer::~TextRasterizer() = default;

bool TextRasterizer::hasGlyph(char32_t c) const {
    return FT_Get_Char_Index(impl_->face, FT_ULong(c)) != 0;
}

Expected<int> TextRasterizer::advance(char32_t c) {
    auto g = impl_->glyph(FT_Get_Char_Index(impl_->face, FT_ULong(c)));
    if (!g) return g.status();
    return (*g)->advance;
}

int TextRasterizer::kerning(char32_t left, char32_t right) const {
    if (!FT_HAS_KERNING(impl_->face)) return 0;
    FT_Vector k{0, 0};
    if (FT_Get_Kerning(impl_->face, FT_Get_Char_Index(impl_->face, FT_ULong(left)),
                       FT_Get_Char_Index(impl_->face, FT_ULong(right)), FT_KERNING_DEFAULT, &k))
        return 0;
    return pixels(k.x);
}

Expected<int> TextRasterizer::measure(std::string_view utf8) {
    auto cps = decodeUtf8(utf8);
    if (!cps) return cps.status();
    int width = 0;
    for (size_t i = 0; i < cps->size(); ++i) {
        auto g = impl_->glyph(FT_Get_Char_Index(impl_->face, FT_ULong((*cps)[i])));
        if (!g) return g.status();
        width += (*g)->advance;
        if (i + 1 < cps->size()) width += kerning((*cps)[i], (*cps)[i + 1]);
    }
    return width;
}

Expected<CoverageBitmap> TextRasterizer::render(std::string_view utf8) {
    auto cps = decodeUtf8(utf8);
    if (!cps) return cps.status();
    // First pass: pen positions and the extent of the ink.
    struct Placed {
        const Impl::Glyph* glyph;
        int pen;
    };
    std::vector<Placed> placed;
    CoverageBitmap out;
    int pen = 0, right = 0;
    for (size_t i = 0; i < cps->size(); ++i) {
        const char32_t c = (*cps)[i];
        const FT_UInt index = FT_Get_Char_Index(impl_->face, FT_ULong(c));
        if (index == 0) out.missing.push_back(c);
        auto g = impl_->glyph(index);
        if (!g) return g.status();
        placed.push_back({*g, pen});
        if ((*g)->width > 0) right = std::max(right, pen + (*g)->left + (*g)->width);
        pen += (*g)->advance;
        if (i + 1 < cps->size()) pen += kerning(c, (*cps)[i + 1]);
    }
    out.advance = pen;
    out.width = std::max(pen, right);
    out.height = lineHeight();
    out.baseline = ascender_;
    out.coverage.assign(size_t(out.width) * size_t(out.height), 0);
    // Overlapping ink (kerned pairs) keeps the larger coverage rather than summing past 255.
    for (const Placed& p : placed) {
        const Impl::Glyph& g = *p.glyph;
        for (int y = 0; y < g.rows; ++y) {
            const int oy = out.baseline - g.top + y;
            if (oy < 0 || oy >= out.height) continue;
            for (int x = 0; x < g.width; ++x) {
                const int ox = p.pen + g.left + x;
                if (ox < 0 || ox >= out.width) continue;
                uint8_t& dst = out.coverage[size_t(oy) * size_t(out.width) + size_t(ox)];
                dst = std::max(dst, g.coverage[size_t(y) * size_t(g.width) + size_t(x)]);
            }
        }
    }
    return out;
}

}  // namespace sl::vision
