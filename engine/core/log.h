#pragma once
// Engine logging: one process-wide sink, replaceable by the host (the GUI routes it to its log
// panel; the CLI prints to stderr). Thread-safe; cheap when the level is filtered out.

#include <functional>
#include <string>
#include <string_view>

namespace sl {

enum class LogLevel { Debug = 0, Info, Warning, Error };

using LogSink = std::function<void(LogLevel, std::string_view component, std::string_view msg)>;

void setLogSink(LogSink sink);          // nullptr restores the default stderr sink
void setLogLevel(LogLevel minimum);     // default Info; SIGHTLINE_LOG=debug overrides at startup
LogLevel logLevel();
void log(LogLevel level, std::string_view component, std::string_view message);

inline void logDebug(std::string_view c, std::string_view m) { log(LogLevel::Debug, c, m); }
inline void logInfo(std::string_view c, std::string_view m) { log(LogLevel::Info, c, m); }
inline void logWarning(std::string_view c, std::string_view m) { log(LogLevel::Warning, c, m); }
inline void logError(std::string_view c, std::string_view m) { log(LogLevel::Error, c, m); }

}  // namespace sl
