#pragma once
// GlFunctions: the few OpenGL entry points the FrameBridge needs, loaded through a get-proc-address
// callback the host supplies (QOpenGLContext::getProcAddress in the app, eglGetProcAddress in
// tests), the way mpv's GL backend fills its function table. The engine never links libGL nor
// includes Qt: <GL/glcorearb.h> provides types, enums and PFN typedefs only.

#include <GL/glcorearb.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace sl::interop {

// Returns the address of a GL entry point, or nullptr. Must be valid for the GL context that is
// current when GlFunctions::load() runs.
using GlGetProcAddress = void* (*)(const char* name);

struct GlFunctions {
    // Buffers (the per-slot plane storage and pixel-unpack/pack buffers).
    PFNGLGENBUFFERSPROC GenBuffers = nullptr;
    PFNGLDELETEBUFFERSPROC DeleteBuffers = nullptr;
    PFNGLBINDBUFFERPROC BindBuffer = nullptr;
    PFNGLBUFFERDATAPROC BufferData = nullptr;
    PFNGLBUFFERSUBDATAPROC BufferSubData = nullptr;
    PFNGLGETBUFFERSUBDATAPROC GetBufferSubData = nullptr;
    PFNGLBUFFERSTORAGEPROC BufferStorage = nullptr;   // (optional) GL 4.4 / ARB_buffer_storage
    PFNGLMAPBUFFERRANGEPROC MapBufferRange = nullptr;
    PFNGLUNMAPBUFFERPROC UnmapBuffer = nullptr;
    PFNGLCOPYBUFFERSUBDATAPROC CopyBufferSubData = nullptr;
    // Textures (one per plane per slot) and pixel transfer.
    PFNGLGENTEXTURESPROC GenTextures = nullptr;
    PFNGLDELETETEXTURESPROC DeleteTextures = nullptr;
    PFNGLBINDTEXTUREPROC BindTexture = nullptr;
    PFNGLTEXIMAGE2DPROC TexImage2D = nullptr;
    PFNGLTEXSUBIMAGE2DPROC TexSubImage2D = nullptr;
    PFNGLTEXPARAMETERIPROC TexParameteri = nullptr;
    PFNGLPIXELSTOREIPROC PixelStorei = nullptr;
    PFNGLGETTEXIMAGEPROC GetTexImage = nullptr;
    PFNGLREADPIXELSPROC ReadPixels = nullptr;
    PFNGLGENFRAMEBUFFERSPROC GenFramebuffers = nullptr;
    PFNGLDELETEFRAMEBUFFERSPROC DeleteFramebuffers = nullptr;
    PFNGLBINDFRAMEBUFFERPROC BindFramebuffer = nullptr;
    PFNGLFRAMEBUFFERTEXTURE2DPROC FramebufferTexture2D = nullptr;
    // Synchronisation.
    PFNGLFENCESYNCPROC FenceSync = nullptr;
    PFNGLCLIENTWAITSYNCPROC ClientWaitSync = nullptr;
    PFNGLDELETESYNCPROC DeleteSync = nullptr;
    PFNGLFLUSHPROC Flush = nullptr;
    PFNGLFINISHPROC Finish = nullptr;
    // Queries.
    PFNGLGETSTRINGPROC GetString = nullptr;
    PFNGLGETSTRINGIPROC GetStringi = nullptr;
    PFNGLGETINTEGERVPROC GetIntegerv = nullptr;
    PFNGLGETERRORPROC GetError = nullptr;

    int majorVersion = 0;
    int minorVersion = 0;
    bool hasBufferStorage = false;   // GL >= 4.4 or GL_ARB_buffer_storage, and the entry point

    // Loads every entry point with the context current. A missing required function fails with a
    // Status naming it ("interop/gl: missing GL function glFenceSync"); optional ones stay null.
    static Expected<GlFunctions> load(GlGetProcAddress getProcAddress);

    bool hasExtension(std::string_view name) const;
    bool versionAtLeast(int major, int minor) const {
        return majorVersion > major || (majorVersion == major && minorVersion >= minor);
    }
    // "4.5 (Core Profile) Mesa 22.3.6 / llvmpipe (LLVM 15.0.6, 256 bits)" for logs and reports.
    std::string describe() const;

    // Drains glGetError(); returns a Status naming `what` and the first error if there was one.
    Status check(std::string_view what) const;
};

const char* glErrorName(GLenum error);

}  // namespace sl::interop
