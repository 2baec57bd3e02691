#version 330 core
// Every native pixel format (engine/media/pixel_format.h), sampled as the engine lays it out
// (engine/interop/gl_texture_format.h), without converting to 4:2:0 first:
//   planeLayout 0, planar YUV:  planeY, planeU, planeV (R8, or R16 for 10-bit)
//   planeLayout 1, semi-planar: planeY, planeU (RG8 / RG16: U in .r, V in .g; NV12, P010)
//   planeLayout 2, gray:        planeY only; chroma is neutral
//   planeLayout 3, packed RGB:  planeY (RGB8 / RGBA8; .rgb is R, G, B: the BGR orders are swizzled
//             by the upload format)
// sampleScale turns a normalised texel into the integer sample value (255; 65535 for 10-bit in
// the low bits of 16-bit words; 65535 / 64 for P010's high bits). The matrix and offsets come
// from media::yuvToRgb (the preprocess kernel's constants too) for the frame's matrix, range and
// bit depth, in sample units, with the division by 255 folded into the matrix.
// Chroma is sited as the frame says (media::chromaSiteOffset): chromaMap maps the luma texture
// coordinate to the chroma texture's, t_c = t * chromaMap.xy + chromaMap.zw (identity for
// 4:4:4; for centre-sited 4:2:0 of even size as well, since GL's texel centres are centre
// siting; left siting shifts by a quarter chroma texel).
in vec2 vTexCoord;
out vec4 fragColor;

uniform sampler2D planeY;
uniform sampler2D planeU;
uniform sampler2D planeV;
uniform int planeLayout;   // "layout" is a GLSL keyword
uniform float sampleScale;
uniform vec4 chromaMap;
uniform mat3 yuvToRgb;     // applied to (Y, Cb, Cr) after the offset
uniform vec3 yuvOffset;    // subtracted first (16, 128, 128 for 8-bit limited range)

void main() {
    vec4 t = texture(planeY, vTexCoord);
    if (planeLayout == 3) {
        fragColor = vec4(t.rgb, 1.0);
        return;
    }
    vec2 tc = vTexCoord * chromaMap.xy + chromaMap.zw;
    float y = t.r * sampleScale;
    vec2 uv;
    if (planeLayout == 0)
        uv = vec2(texture(planeU, tc).r, texture(planeV, tc).r) * sampleScale;
    else if (planeLayout == 1)
        uv = texture(planeU, tc).rg * sampleScale;
    else
        uv = yuvOffset.yz;
    vec3 rgb = yuvToRgb * (vec3(y, uv) - yuvOffset);
    fragColor = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}
