#include "bench_util.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace sl::bench {

Stats summarize(std::vector<double> samples) {
    Stats s;
    if (samples.empty()) return s;
    std::sort(samples.begin(), samples.end());
    const size_t n = samples.size();
    s.runs = int(n);
    s.min = samples.front();
    s.max = samples.back();
    s.median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
    s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / double(n);
    return s;
}

std::vector<double> timeRuns(int warmup, int runs, const std::function<void()>& fn) {
    return measureRuns(warmup, runs, [&] {
        Timer t;
        fn();
        return t.ms();
    });
}

std::vector<double> measureRuns(int warmup, int runs, const std::function<double()>& fn) {
    for (int i = 0; i < warmup; ++i) fn();
    std::vector<double> ms;
    ms.reserve(size_t(std::max(0, runs)));
    for (int i = 0; i < runs; ++i) ms.push_back(fn());
    return ms;
}

double gbPerSecond(double bytes, double ms) { return ms > 0 ? bytes / (ms * 1e-3) / 1e9 : 0.0; }

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

void printRow(const std::vector<std::string>& columns, const std::vector<int>& widths) {
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) {
        const int w = i < widths.size() ? widths[i] : 0;
        const std::string& c = columns[i];
        const size_t padLen = c.size() < size_t(w) ? size_t(w) - c.size() : 0;
        if (i == 0) line += c + std::string(padLen, ' ');
        else line += "  " + std::string(padLen, ' ') + c;
    }
    std::puts(line.c_str());
}

}  // namespace sl::bench
