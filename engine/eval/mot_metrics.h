#pragma once
// CLEAR MOT, Identity and HOTA with TrackEval's definitions, each a pure function of MotData.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "eval/mot_data.h"

namespace sl::eval {

// A per-frame error for the review timeline.
struct FrameError {
    enum class Kind { FalsePositive, Miss, IdSwitch, Fragmentation };
    Kind kind;
    int64_t frame = 0;
    int64_t gtObjectId = 0, gtTrackId = annotate::kNoTrack;        // Miss, IdSwitch, Fragmentation
    int64_t predObjectId = 0, predTrackId = annotate::kNoTrack;    // FalsePositive, IdSwitch,
                                                                   // Fragmentation
};
const char* frameErrorName(FrameError::Kind k);   // "false-positive", "miss", ...

struct ClearResult {
    int64_t tp = 0, fp = 0, fn = 0, idsw = 0, frag = 0;
    int mt = 0, pt = 0, ml = 0, gtTracks = 0;
    double mota = 0, motp = 0;   // MOTP: mean IoU of matches (TrackEval); 1 - motp is
                                 // py-motmetrics' and the MATLAB devkit's distance form
    double recall = 0, precision = 0;
    std::vector<FrameError> errors;
};
ClearResult clearMetrics(const MotData& data, double threshold = 0.5);

struct IdentityResult {
    int64_t idtp = 0, idfp = 0, idfn = 0;
    double idf1 = 0, idp = 0, idr = 0;
};
IdentityResult identityMetrics(const MotData& data, double threshold = 0.5);

struct HotaResult {
    static constexpr int kAlphas = 19;   // 0.05, 0.10, .. 0.95
    std::array<double, kAlphas> alpha{}, hota{}, detA{}, assA{}, detRe{}, detPr{}, assRe{},
        assPr{}, locA{};
    std::array<int64_t, kAlphas> tp{}, fn{}, fp{};
    // Means over the alphas (what TrackEval reports as HOTA, DetA, AssA, LocA).
    double meanHota = 0, meanDetA = 0, meanAssA = 0, meanLocA = 0, meanDetRe = 0, meanDetPr = 0,
           meanAssRe = 0, meanAssPr = 0;
};
HotaResult hotaMetrics(const MotData& data);

}  // namespace sl::eval
