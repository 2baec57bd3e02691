#pragma once
// A headless desktop-GL context for tests and benchmarks: the engine's HeadlessGl (EGL on Mesa's
// surfaceless platform, no X, no Xvfb; GL entry points from eglGetProcAddress, the same callback
// shape the app passes from QOpenGLContext::getProcAddress), with the bool-and-message shape the
// tests use.

#include <string>

#include "interop/headless_gl.h"

namespace sl::testing {

class EglContext {
public:
    // Creates the context and makes it current; on failure returns false with `error` set.
    bool create(std::string* error) {
        const Status st = gl_.create();
        if (!st && error) *error = st.message();
        return st.isOk();
    }
    static void* getProcAddress(const char* name) {
        return interop::HeadlessGl::getProcAddress(name);
    }
    interop::GlHost host() const { return gl_.host(); }
    void* display() const { return gl_.display(); }
    void* context() const { return gl_.context(); }

private:
    interop::HeadlessGl gl_;
};

}  // namespace sl::testing
