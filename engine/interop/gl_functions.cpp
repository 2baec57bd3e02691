#include "interop/gl_functions.h"

#include <cstdio>
#include <cstring>

namespace sl::interop {

namespace {

template <class Fn>
bool loadOne(GlGetProcAddress gpa, const char* name, Fn& out) {
    out = reinterpret_cast<Fn>(gpa(name));
    return out != nullptr;
}

}  // namespace

const char* glErrorName(GLenum error) {
    switch (error) {
    case GL_NO_ERROR: return "GL_NO_ERROR";
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    case GL_STACK_UNDERFLOW: return "GL_STACK_UNDERFLOW";
    case GL_STACK_OVERFLOW: return "GL_STACK_OVERFLOW";
    default: return "unknown GL error";
    }
}

Expected<GlFunctions> GlFunctions::load(GlGetProcAddress gpa) {
    if (gpa == nullptr) {
        return Status(StatusCode::InvalidArgument,
                      "interop/gl: no get-proc-address callback given");
    }
    GlFunctions gl;
    const char* missing = nullptr;
    // Each required entry point; the first one missing is named in the Status.
#define SL_GL_REQUIRE(field, name) \
    if (!missing && !loadOne(gpa, name, gl.field)) missing = name
    SL_GL_REQUIRE(GenBuffers, "glGenBuffers");
    SL_GL_REQUIRE(DeleteBuffers, "glDeleteBuffers");
    SL_GL_REQUIRE(BindBuffer, "glBindBuffer");
    SL_GL_REQUIRE(BufferData, "glBufferData");
    SL_GL_REQUIRE(BufferSubData, "glBufferSubData");
    SL_GL_REQUIRE(GetBufferSubData, "glGetBufferSubData");
    SL_GL_REQUIRE(MapBufferRange, "glMapBufferRange");
    SL_GL_REQUIRE(UnmapBuffer, "glUnmapBuffer");
    SL_GL_REQUIRE(CopyBufferSubData, "glCopyBufferSubData");
    SL_GL_REQUIRE(GenTextures, "glGenTextures");
    SL_GL_REQUIRE(DeleteTextures, "glDeleteTextures");
    SL_GL_REQUIRE(BindTexture, "glBindTexture");
    SL_GL_REQUIRE(TexImage2D, "glTexImage2D");
    SL_GL_REQUIRE(TexSubImage2D, "glTexSubImage2D");
    SL_GL_REQUIRE(TexParameteri, "glTexParameteri");
    SL_GL_REQUIRE(PixelStorei, "glPixelStorei");
    SL_GL_REQUIRE(GetTexImage, "glGetTexImage");
    SL_GL_REQUIRE(ReadPixels, "glReadPixels");
    SL_GL_REQUIRE(GenFramebuffers, "glGenFramebuffers");
    SL_GL_REQUIRE(DeleteFramebuffers, "glDeleteFramebuffers");
    SL_GL_REQUIRE(BindFramebuffer, "glBindFramebuffer");
    SL_GL_REQUIRE(FramebufferTexture2D, "glFramebufferTexture2D");
    SL_GL_REQUIRE(FenceSync, "glFenceSync");
    SL_GL_REQUIRE(ClientWaitSync, "glClientWaitSync");
    SL_GL_REQUIRE(DeleteSync, "glDeleteSync");
    SL_GL_REQUIRE(Flush, "glFlush");
    SL_GL_REQUIRE(Finish, "glFinish");
    SL_GL_REQUIRE(GetString, "glGetString");
    SL_GL_REQUIRE(GetStringi, "glGetStringi");
    SL_GL_REQUIRE(GetIntegerv, "glGetIntegerv");
    SL_GL_REQUIRE(GetError, "glGetError");
#undef SL_GL_REQUIRE
    if (missing) {
        return Status(StatusCode::Unavailable, std::string("interop/gl: missing GL function ") +
                                                   missing + " (is a GL 3.2+ context current?)");
    }
    // Optional: glBufferStorage is core only from 4.4; GL_ARB_buffer_storage may offer it earlier.
    // Under the ARB name it has the same entry point name, so one lookup serves both.
    loadOne(gpa, "glBufferStorage", gl.BufferStorage);

    gl.GetIntegerv(GL_MAJOR_VERSION, &gl.majorVersion);
    gl.GetIntegerv(GL_MINOR_VERSION, &gl.minorVersion);
    // Pre-3.0 contexts do not know GL_MAJOR_VERSION; fall back to the version string.
    if (gl.GetError() != GL_NO_ERROR || gl.majorVersion == 0) {
        const char* v = reinterpret_cast<const char*>(gl.GetString(GL_VERSION));
        if (!v || std::sscanf(v, "%d.%d", &gl.majorVersion, &gl.minorVersion) != 2) {
            return Status(StatusCode::Unavailable,
                          "interop/gl: cannot read the GL version (no context current?)");
        }
    }
    // A non-null pointer is not evidence (drivers hand out stubs); the version or extension is.
    gl.hasBufferStorage = gl.BufferStorage != nullptr &&
                          (gl.versionAtLeast(4, 4) || gl.hasExtension("GL_ARB_buffer_storage"));
    if (!gl.hasBufferStorage) gl.BufferStorage = nullptr;
    while (gl.GetError() != GL_NO_ERROR) {
    }
    return gl;
}

bool GlFunctions::hasExtension(std::string_view name) const {
    GLint count = 0;
    GetIntegerv(GL_NUM_EXTENSIONS, &count);
    for (GLint i = 0; i < count; ++i) {
        const char* ext = reinterpret_cast<const char*>(GetStringi(GL_EXTENSIONS, GLuint(i)));
        if (ext && name == ext) return true;
    }
    return false;
}

std::string GlFunctions::describe() const {
    auto str = [this](GLenum e) {
        const char* s = reinterpret_cast<const char*>(GetString(e));
        return std::string(s ? s : "?");
    };
    return str(GL_VERSION) + " / " + str(GL_RENDERER);
}

Status GlFunctions::check(std::string_view what) const {
    GLenum first = GetError();
    if (first == GL_NO_ERROR) return Status::ok();
    while (GetError() != GL_NO_ERROR) {
    }
    return Status(StatusCode::Internal,
                  "interop/gl: " + std::string(what) + " failed: " + glErrorName(first));
}

}  // namespace sl::interop
