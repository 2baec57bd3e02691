#include "core/utc_time.h"

#include <cstdio>
#include <ctime>

namespace sl {

std::string utcTimestamp(std::chrono::system_clock::time_point t, UtcFormat format) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf,
                  format == UtcFormat::Iso ? "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ"
                                           : "%04d%02d%02dT%02d%02d%02d.%03dZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  int(ms));
    return buf;
}

}  // namespace sl
