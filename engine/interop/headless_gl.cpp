#include "interop/headless_gl.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace sl::interop {
namespace {

// One libEGL per process: dlopen is reference counted, but eglGetProcAddress must stay callable
// through a plain function pointer (the GlGetProcAddress callback shape), so it lives here.
std::atomic<PFNEGLGETPROCADDRESSPROC> g_getProcAddress{nullptr};

std::string eglErrorText(EGLint error) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%04x", unsigned(error));
    return buf;
}

}  // namespace

struct HeadlessGl::Impl {
    void* lib = nullptr;
    EGLDisplay display = EGL_NO_DISPLAY;
    EGLContext context = EGL_NO_CONTEXT;
    PFNEGLGETERRORPROC getError = nullptr;
    PFNEGLMAKECURRENTPROC makeCurrent = nullptr;
    PFNEGLDESTROYCONTEXTPROC destroyContext = nullptr;
    PFNEGLTERMINATEPROC terminate = nullptr;

    template <class Fn> Fn sym(const char* name) {
        return reinterpret_cast<Fn>(dlsym(lib, name));
    }

    Status fail(const char* what) const {
        const std::string code = getError ? " (EGL error " + eglErrorText(getError()) + ")" : "";
        return Status(StatusCode::Unavailable, std::string("interop/gl: ") + what + code);
    }
};

HeadlessGl::HeadlessGl() : impl_(std::make_unique<Impl>()) {}

HeadlessGl::~HeadlessGl() {
    Impl& m = *impl_;
    if (m.display != EGL_NO_DISPLAY) {
        m.makeCurrent(m.display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (m.context != EGL_NO_CONTEXT) m.destroyContext(m.display, m.context);
        m.terminate(m.display);
    }
    if (m.lib) dlclose(m.lib);
}

Status HeadlessGl::create() {
    Impl& m = *impl_;
    // Mesa picks its platform from this when a call does not name one; a user's value wins.
    setenv("EGL_PLATFORM", "surfaceless", 0);
    m.lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!m.lib) {
        return Status(StatusCode::Unavailable,
                      std::string("interop/gl: cannot load libEGL.so.1: ") + dlerror());
    }
    auto getProcAddress = m.sym<PFNEGLGETPROCADDRESSPROC>("eglGetProcAddress");
    auto getDisplay = m.sym<PFNEGLGETDISPLAYPROC>("eglGetDisplay");
    auto initialize = m.sym<PFNEGLINITIALIZEPROC>("eglInitialize");
    auto bindApi = m.sym<PFNEGLBINDAPIPROC>("eglBindAPI");
    auto chooseConfig = m.sym<PFNEGLCHOOSECONFIGPROC>("eglChooseConfig");
    auto createContext = m.sym<PFNEGLCREATECONTEXTPROC>("eglCreateContext");
    m.getError = m.sym<PFNEGLGETERRORPROC>("eglGetError");
    m.makeCurrent = m.sym<PFNEGLMAKECURRENTPROC>("eglMakeCurrent");
    m.destroyContext = m.sym<PFNEGLDESTROYCONTEXTPROC>("eglDestroyContext");
    m.terminate = m.sym<PFNEGLTERMINATEPROC>("eglTerminate");
    if (!getProcAddress || !getDisplay || !initialize || !bindApi || !chooseConfig ||
        !createContext || !m.getError || !m.makeCurrent || !m.destroyContext || !m.terminate) {
        return Status(StatusCode::Unavailable, "interop/gl: libEGL lacks an EGL 1.4 function");
    }
    g_getProcAddress = getProcAddress;

    if (auto platformDisplay = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
            getProcAddress("eglGetPlatformDisplayEXT"))) {
        m.display = platformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    }
    if (m.display == EGL_NO_DISPLAY) m.display = getDisplay(EGL_DEFAULT_DISPLAY);
    if (m.display == EGL_NO_DISPLAY) return m.fail("no EGL display");
    EGLint major = 0, minor = 0;
    if (!initialize(m.display, &major, &minor)) {
        const Status st = m.fail("eglInitialize failed");
        m.display = EGL_NO_DISPLAY;
        return st;
    }
    if (!bindApi(EGL_OPENGL_API)) return m.fail("eglBindAPI(EGL_OPENGL_API) failed");

    const EGLint configAttribs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE};
    EGLConfig config = nullptr;
    EGLint count = 0;
    chooseConfig(m.display, configAttribs, &config, 1, &count);
    // Surfaceless contexts need no config (EGL_KHR_no_config_context); use one if offered.
    constexpr EGLint kVersions[][2] = {{4, 6}, {4, 5}, {4, 4}, {3, 3}};
    for (const auto& v : kVersions) {
        const EGLint attribs[] = {EGL_CONTEXT_MAJOR_VERSION_KHR, v[0],
                                  EGL_CONTEXT_MINOR_VERSION_KHR, v[1],
                                  EGL_CONTEXT_OPENGL_PROFILE_MASK_KHR,
                                  EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT_KHR, EGL_NONE};
        m.context = createContext(m.display, count > 0 ? config : EGL_NO_CONFIG_KHR,
                                  EGL_NO_CONTEXT, attribs);
        if (m.context != EGL_NO_CONTEXT) break;
    }
    if (m.context == EGL_NO_CONTEXT) return m.fail("eglCreateContext (GL 3.3+ core) failed");
    if (!m.makeCurrent(m.display, EGL_NO_SURFACE, EGL_NO_SURFACE, m.context))
        return m.fail("eglMakeCurrent without a surface failed");
    return Status::ok();
}

void* HeadlessGl::getProcAddress(const char* name) {
    PFNEGLGETPROCADDRESSPROC gpa = g_getProcAddress.load();
    return gpa ? reinterpret_cast<void*>(gpa(name)) : nullptr;
}

GlHost HeadlessGl::host() const {
    GlHost h;
    h.getProcAddress = &HeadlessGl::getProcAddress;
    h.native = {GlNativeContext::Api::Egl, impl_->display, impl_->context};
    return h;
}

void* HeadlessGl::display() const { return impl_->display; }
void* HeadlessGl::context() const { return impl_->context; }

}  // namespace sl::interop
