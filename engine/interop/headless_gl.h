#pragma once
// HeadlessGl: a desktop-GL 4.x core context with no window and no X server (EGL on Mesa's
// surfaceless platform, or any EGL that accepts EGL_NO_SURFACE contexts). The engine uses it
// where no host GL exists: `sightline probe` checks the GL side of the frame bridge with it, and
// tests and benchmarks run the bridge on it. libEGL is loaded at run time, so the engine links
// no GL library and a machine without EGL gets a clear Unavailable status instead of a loader
// error.

#include <memory>
#include <string>

#include "core/status.h"
#include "interop/frame_bridge.h"

namespace sl::interop {

class HeadlessGl {
public:
    HeadlessGl();
    ~HeadlessGl();    // destroys the context (made not current first)
    HeadlessGl(const HeadlessGl&) = delete;
    HeadlessGl& operator=(const HeadlessGl&) = delete;

    // Creates the context and makes it current on the calling thread.
    Status create();

    // eglGetProcAddress of the loaded libEGL (valid after a successful create()).
    static void* getProcAddress(const char* name);

    GlHost host() const;            // getProcAddress + the EGL native handles
    void* display() const;          // EGLDisplay
    void* context() const;          // EGLContext

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sl::interop
