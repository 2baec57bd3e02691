#pragma once
// Linear assignment with a cost limit: the partial matching of rows to columns that minimises the
// total cost, where leaving a row or a column unmatched costs limit / 2 each (lap.lapjv's
// extend_cost + cost_limit, which both official ByteTrack implementations call). That is the
// same as minimising sum(cost - limit) over matched pairs, so only pairs with cost < limit are
// ever matched; it is solved exactly on the rectangular matrix min(cost - limit, 0) by shortest
// augmenting paths with potentials (Jonker-Volgenant / Hungarian, O(n^2 m)), not greedily.
// It knows nothing of tracks.

#include <limits>
#include <utility>
#include <vector>

namespace sl::track {

struct Assignment {
    std::vector<std::pair<int, int>> matches;   // (row, column), by row
    std::vector<int> unmatchedRows;             // ascending
    std::vector<int> unmatchedCols;             // ascending
};

// A cost of +infinity (or anything >= limit) forbids the pair.
inline constexpr double kForbidden = std::numeric_limits<double>::infinity();

class LinearAssignment {
public:
    // cost is row-major rows x cols. Reuses its scratch buffers between calls (the tracker
    // solves three small problems per frame).
    const Assignment& solve(const std::vector<double>& cost, int rows, int cols, double limit);

private:
    Assignment result_;
    std::vector<double> a_, u_, v_, minv_;
    std::vector<int> p_, way_;
    std::vector<char> used_;
};

}  // namespace sl::track
