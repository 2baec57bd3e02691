#version 330 core
// One quad per frame: positions in normalised device coordinates (the letterboxed, zoomed and
// panned picture rectangle is computed on the CPU), texture coordinates 0..1 over the picture.
layout(location = 0) in vec2 position;
layout(location = 1) in vec2 texCoord;
out vec2 vTexCoord;

void main() {
    vTexCoord = texCoord;
    gl_Position = vec4(position, 0.0, 1.0);
}
