#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace sl {
namespace {

LogLevel initialLevel() {
    const char* env = std::getenv("SIGHTLINE_LOG");
    if (!env) return LogLevel::Info;
    if (!std::strcmp(env, "debug")) return LogLevel::Debug;
    if (!std::strcmp(env, "warning")) return LogLevel::Warning;
    if (!std::strcmp(env, "error")) return LogLevel::Error;
    return LogLevel::Info;
}

std::atomic<LogLevel> g_level{initialLevel()};
std::mutex g_mutex;
LogSink g_sink;  // guarded by g_mutex

const char* levelName(LogLevel l) {
    switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "?";
}

}  // namespace

void setLogSink(LogSink sink) {
    std::lock_guard lock(g_mutex);
    g_sink = std::move(sink);
}

void setLogLevel(LogLevel minimum) { g_level = minimum; }
LogLevel logLevel() { return g_level; }

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (level < g_level.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(g_mutex);
    if (g_sink) {
        g_sink(level, component, message);
        return;
    }
    std::fprintf(stderr, "[%s] %.*s: %.*s\n", levelName(level), int(component.size()),
                 component.data(), int(message.size()), message.data());
}

}  // namespace sl
