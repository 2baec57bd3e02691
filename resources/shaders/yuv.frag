#version 330 core
// YUV -> RGB for the two formats the engine delivers:
//   yuv420p: planeY (R8), planeU (R8), planeV (R8)
//   nv12:    planeY (R8), planeU (RG8: U in .r, V in .g)
// The matrix and offsets encode both the colour matrix (BT.601/BT.709) and the range
// (limited/full); they are computed on the CPU from the frame's metadata.
in vec2 vTexCoord;
out vec4 fragColor;

uniform sampler2D planeY;
uniform sampler2D planeU;
uniform sampler2D planeV;
uniform bool nv12;
uniform mat3 yuvToRgb;     // applied to (Y, Cb, Cr) after the offset
uniform vec3 yuvOffset;    // subtracted first (16/255, 128/255, 128/255 for limited range)

void main() {
    float y = texture(planeY, vTexCoord).r;
    vec2 uv = nv12 ? texture(planeU, vTexCoord).rg
                   : vec2(texture(planeU, vTexCoord).r, texture(planeV, vTexCoord).r);
    vec3 rgb = yuvToRgb * (vec3(y, uv) - yuvOffset);
    fragColor = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}
