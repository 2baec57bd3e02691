#pragma once
// UTC wall-clock stamps with milliseconds, for event lines ("wall_time") and file names.

#include <chrono>
#include <string>

namespace sl {

enum class UtcFormat {
    Iso,       // 2026-12-07T18:14:03.123Z (JSON lines)
    Compact,   // 20261207T181403.123Z (file names: no ':' and sortable)
};
std::string utcTimestamp(std::chrono::system_clock::time_point t, UtcFormat format = UtcFormat::Iso);

}  // namespace sl
