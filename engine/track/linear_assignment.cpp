#include "track/linear_assignment.h"

#include <algorithm>

namespace sl::track {

const Assignment& LinearAssignment::solve(const std::vector<double>& cost, int rows, int cols,
                                          double limit) {
    result_.matches.clear();
    result_.unmatchedRows.clear();
    result_.unmatchedCols.clear();
    if (rows == 0 || cols == 0) {
        for (int i = 0; i < rows; ++i) result_.unmatchedRows.push_back(i);
        for (int j = 0; j < cols; ++j) result_.unmatchedCols.push_back(j);
        return result_;
    }
    // Solve with n <= m (the Hungarian method below needs it): transpose when rows > cols.
    const bool transposed = rows > cols;
    const int n = transposed ? cols : rows;
    const int m = transposed ? rows : cols;
    // 1-based (row 0 / column 0 are the method's sentinel). Pairs at or above the limit cost 0,
    // the same as leaving both unmatched.
    a_.assign(static_cast<size_t>(n + 1) * (m + 1), 0.0);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const double w = cost[static_cast<size_t>(r) * cols + c] - limit;
            const int i = transposed ? c : r, j = transposed ? r : c;
            a_[static_cast<size_t>(i + 1) * (m + 1) + (j + 1)] = w < 0 ? w : 0.0;
        }
    constexpr double inf = std::numeric_limits<double>::infinity();
    u_.assign(n + 1, 0.0);
    v_.assign(m + 1, 0.0);
    p_.assign(m + 1, 0);
    way_.assign(m + 1, 0);
    for (int i = 1; i <= n; ++i) {
        p_[0] = i;
        int j0 = 0;
        minv_.assign(m + 1, inf);
        used_.assign(m + 1, 0);
        do {
            used_[j0] = 1;
            const int i0 = p_[j0];
            const double* row = &a_[static_cast<size_t>(i0) * (m + 1)];
            double delta = inf;
            int j1 = 0;
            for (int j = 1; j <= m; ++j) {
                if (used_[j]) continue;
                const double cur = row[j] - u_[i0] - v_[j];
                if (cur < minv_[j]) {
                    minv_[j] = cur;
                    way_[j] = j0;
                }
                if (minv_[j] < delta) {
                    delta = minv_[j];
                    j1 = j;
                }
            }
            for (int j = 0; j <= m; ++j) {
                if (used_[j]) {
                    u_[p_[j]] += delta;
                    v_[j] -= delta;
                } else {
                    minv_[j] -= delta;
                }
            }
            j0 = j1;
        } while (p_[j0] != 0);
        do {
            const int j1 = way_[j0];
            p_[j0] = p_[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<int> rowToCol(rows, -1), colToRow(cols, -1);
    for (int j = 1; j <= m; ++j) {
        const int i = p_[j];
        if (i == 0) continue;
        const int r = transposed ? j - 1 : i - 1, c = transposed ? i - 1 : j - 1;
        // Keep only pairs that beat leaving both unmatched (cost < limit).
        if (cost[static_cast<size_t>(r) * cols + c] < limit) {
            rowToCol[r] = c;
            colToRow[c] = r;
        }
    }
    for (int r = 0; r < rows; ++r) {
        if (rowToCol[r] >= 0) result_.matches.emplace_back(r, rowToCol[r]);
        else result_.unmatchedRows.push_back(r);
    }
    for (int c = 0; c < cols; ++c)
        if (colToRow[c] < 0) result_.unmatchedCols.push_back(c);
    return result_;
}

}  // namespace sl::track
