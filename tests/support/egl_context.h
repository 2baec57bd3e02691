#pragma once
// A headless desktop-GL context for tests and benchmarks: EGL on Mesa's surfaceless platform (no X,
// no Xvfb), GL 4.x core via EGL_KHR_create_context. GL entry points come from eglGetProcAddress,
// the same callback shape the app passes from QOpenGLContext::getProcAddress.

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <cstdlib>
#include <string>

#include "interop/frame_bridge.h"

namespace sl::testing {

class EglContext {
public:
    EglContext() = default;
    EglContext(const EglContext&) = delete;
    EglContext& operator=(const EglContext&) = delete;
    ~EglContext() {
        if (display_ != EGL_NO_DISPLAY) {
            eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
            if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
            eglTerminate(display_);
        }
    }

    // Creates the context and makes it current; on failure returns false with `error` set.
    bool create(std::string* error) {
        // Mesa picks its platform from this when a call does not name one explicitly.
        setenv("EGL_PLATFORM", "surfaceless", 0);
        auto getPlatformDisplay = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
            eglGetProcAddress("eglGetPlatformDisplayEXT"));
        if (getPlatformDisplay) {
            display_ =
                getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        }
        if (display_ == EGL_NO_DISPLAY) display_ = eglGetDisplay(EGL_DEFAULT_DISPLAY);
        if (display_ == EGL_NO_DISPLAY) return fail(error, "no EGL display");
        EGLint major = 0, minor = 0;
        if (!eglInitialize(display_, &major, &minor)) return fail(error, "eglInitialize failed");
        if (!eglBindAPI(EGL_OPENGL_API)) return fail(error, "eglBindAPI(EGL_OPENGL_API) failed");
        const EGLint configAttribs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE};
        EGLConfig config = nullptr;
        EGLint count = 0;
        eglChooseConfig(display_, configAttribs, &config, 1, &count);
        // Surfaceless contexts need no config (EGL_KHR_no_config_context); use one if offered.
        for (const EGLint* v : {kVersions[0], kVersions[1], kVersions[2]}) {
            const EGLint attribs[] = {EGL_CONTEXT_MAJOR_VERSION_KHR,
                                      v[0],
                                      EGL_CONTEXT_MINOR_VERSION_KHR,
                                      v[1],
                                      EGL_CONTEXT_OPENGL_PROFILE_MASK_KHR,
                                      EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT_KHR,
                                      EGL_NONE};
            context_ = eglCreateContext(display_, count > 0 ? config : EGL_NO_CONFIG_KHR,
                                        EGL_NO_CONTEXT, attribs);
            if (context_ != EGL_NO_CONTEXT) break;
        }
        if (context_ == EGL_NO_CONTEXT) return fail(error, "eglCreateContext (GL 4.x core) failed");
        if (!eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_)) {
            return fail(error, "eglMakeCurrent (surfaceless) failed");
        }
        return true;
    }

    static void* getProcAddress(const char* name) {
        return reinterpret_cast<void*>(eglGetProcAddress(name));
    }

    interop::GlHost host() const {
        interop::GlHost h;
        h.getProcAddress = &EglContext::getProcAddress;
        h.native = {interop::GlNativeContext::Api::Egl, display_, context_};
        return h;
    }
    EGLDisplay display() const { return display_; }
    EGLContext context() const { return context_; }

private:
    static constexpr EGLint kVersions[3][2] = {{4, 5}, {4, 4}, {3, 3}};

    bool fail(std::string* error, const char* what) {
        if (error) *error = std::string("EGL: ") + what + " (error 0x" + hex(eglGetError()) + ")";
        return false;
    }
    static std::string hex(EGLint v) {
        char buf[16];
        snprintf(buf, sizeof buf, "%x", unsigned(v));
        return buf;
    }

    EGLDisplay display_ = EGL_NO_DISPLAY;
    EGLContext context_ = EGL_NO_CONTEXT;
};

}  // namespace sl::testing
