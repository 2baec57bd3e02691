#pragma once
// KernelTuner: per-device kernel choices, measured once and cached on disk.
//
// An op with tunable kernels (Conv: nn/ops/conv.h ConvTuning) asks lookup(key) for its layer
// class (kernel kind x shape); on a miss, and while the session's time budget lasts, it times a
// few candidates itself and record()s the winner. Later sessions read the file and tune nothing.
//
// The file is "<cache dir>/conv-tuning-<key>.txt" next to the program cache (ProgramCache's
// directory: $SIGHTLINE_KERNEL_CACHE, else $XDG_CACHE_HOME/sightline/kernels, else
// ~/.cache/sightline/kernels), key = FNV-1a 64 of device name, driver version, platform version
// and the kernel source, so a new driver or an edited kernel starts over. Text lines
// "<class>\t<choice>" ended by a checksum line; written atomically (temporary + rename). A file
// that is truncated or fails its checksum is ignored (debug log) and rewritten by save(). Loading
// marks the file used; ProgramCache prunes the directory (compute/cache_pruner.h).
//
// $SIGHTLINE_KERNEL_TUNING=off (or SessionOptions::tuneKernels = false) disables tuning: ops take
// the fixed ConvTuning defaults and no file is read or written. Candidates only change how work
// is split, not the order of each output's sums, so tuned and default results are identical.
//
// A tuner made with measure = false only reads: cached classes get their choice, the others stay
// on defaults (counted as untuned) and nothing is timed. Interactive paths prepare that way and
// leave the measuring to a background preparation (nn/runtime/preparation.h).
//
// One per session preparation; not thread-safe.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sl::compute {
struct DeviceInfo;
}

namespace sl::nn {

struct TuningStats {
    // Counted per conv layer (layers of one class share a choice: the second one is a hit).
    int fromCache = 0;    // layers whose choice came from the file (or an earlier same-class layer)
    int tuned = 0;        // layers whose class was measured in this session (storage auto,
                          // measured: in either candidate session)
    int untuned = 0;      // layers left on defaults (budget spent; tuned by a later session)
    double tuneMs = 0;    // time spent measuring (kernel builds included)
    bool fileLoaded = false;
    std::filesystem::path path;
};

class KernelTuner {
public:
    // `source` is hashed into the file name (the kernels the choices are for). An empty
    // directory keeps choices in memory only.
    KernelTuner(const compute::DeviceInfo& device, std::string_view source,
                std::filesystem::path directory, double budgetMs, bool measure = true);

    // True unless $SIGHTLINE_KERNEL_TUNING is "off"/"0"/"false".
    static bool enabledByEnvironment();

    std::optional<std::string> lookup(const std::string& layerClass);
    // lookup() without counting it as a use (a fallback consulted for another class).
    std::optional<std::string> peek(const std::string& layerClass) const;
    bool hasBudget() const { return measure_ && stats_.tuneMs < budgetMs_; }
    // Budget left after `pendingMs` more (a measurement in progress checks it between
    // candidates: one candidate's kernel build can take a second on a loaded CPU device).
    bool hasBudget(double pendingMs) const {
        return measure_ && stats_.tuneMs + pendingMs < budgetMs_;
    }
    // Whether a measurement in progress, `pendingMs` into it, stops: once the budget is spent,
    // except for the session's first class, which may run to max(4 x budget, 30 s). A class
    // whose candidates take longer than the whole budget (the stem conv's kernel builds on a
    // loaded CPU) would otherwise be cut off in every session and, coming first, spend every
    // session's budget: nothing would ever be tuned. The cap keeps a first session on a new
    // machine from building candidates without end (a class's builds take ~1 s each with cold
    // driver caches); a class cut off there still progresses, as the candidates it built are
    // cached for the next session.
    bool shouldStop(double pendingMs) const {
        if (cancel_ && cancel_->load(std::memory_order_relaxed)) return true;
        if (hasBudget(pendingMs)) return false;
        if (!measure_ || stats_.tuned > 0) return true;
        return stats_.tuneMs + pendingMs >= std::max(4 * budgetMs_, 30000.0);
    }
    void record(const std::string& layerClass, const std::string& choice, double ms);
    // A measurement cut off by the budget: its time counts, the class stays on defaults (and
    // unrecorded, so a later session measures it).
    void abandon(double ms) {
        stats_.tuneMs += ms;
        ++stats_.untuned;
    }
    void skipped() { ++stats_.untuned; }
    // A measurement in progress stops (shouldStop) once *flag is set (a background preparation
    // being cancelled). May be null; must outlive the tuner.
    void setCancel(const std::atomic<bool>* flag) { cancel_ = flag; }
    // Writes the file when something was tuned (or the file on disk was unreadable).
    Status save();

    const TuningStats& stats() const { return stats_; }

private:
    void load();

    std::map<std::string, std::string> choices_;
    double budgetMs_;
    bool measure_ = true;
    const std::atomic<bool>* cancel_ = nullptr;
    bool dirty_ = false;
    TuningStats stats_;
};

}  // namespace sl::nn
