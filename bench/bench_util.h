#pragma once
// Small helpers shared by the benchmarks: a wall-clock timer, warm-up + N timed runs, and summary
// statistics (median first: it is what the reports compare). Header-light on purpose.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace sl::bench {

class Timer {
public:
    Timer() : start_(Clock::now()) {}
    void restart() { start_ = Clock::now(); }
    double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    double ms() const { return seconds() * 1e3; }

private:
    using Clock = std::chrono::steady_clock;
    Clock::time_point start_;
};

struct Stats {
    double median = 0, min = 0, max = 0, mean = 0;
    int runs = 0;
};

// Summary of `samples` (any unit); empty input gives zeros.
Stats summarize(std::vector<double> samples);

// Calls `fn` warmup times untimed, then `runs` times, each timed with a Timer; returns the
// per-run times in milliseconds. `fn` must finish its work before returning (clFinish etc.).
std::vector<double> timeRuns(int warmup, int runs, const std::function<void()>& fn);

// Same, but `fn` returns its own measurement in milliseconds (a device event's duration, say).
std::vector<double> measureRuns(int warmup, int runs, const std::function<double()>& fn);

// GB/s for `bytes` moved in `ms` milliseconds (1 GB = 1e9 bytes).
double gbPerSecond(double bytes, double ms);

// "12.34" with `decimals` decimals.
std::string fixed(double v, int decimals = 2);

// Prints a row of columns padded to `widths` (left-aligned first column, right-aligned others).
void printRow(const std::vector<std::string>& columns, const std::vector<int>& widths);

}  // namespace sl::bench
