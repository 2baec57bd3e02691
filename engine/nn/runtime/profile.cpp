#include "nn/runtime/profile.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace sl::nn {

std::string Profile::format(int slowest) const {
    struct Row {
        int count = 0;
        double ms = 0;
        int cpu = 0;
    };
    std::map<std::string, Row> perOp;
    double sum = 0;
    for (const NodeTiming& n : nodes) {
        Row& r = perOp[n.opType];
        ++r.count;
        r.ms += n.ms;
        if (!n.onDevice) ++r.cpu;
        sum += n.ms;
    }
    std::vector<std::pair<std::string, Row>> rows(perOp.begin(), perOp.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
    std::string s;
    char line[256];
    std::snprintf(line, sizeof line, "%-24s %6s %11s %7s\n", "op", "count", "total ms", "%");
    s += line;
    for (const auto& [op, r] : rows) {
        std::snprintf(line, sizeof line, "%-24s %6d %11.3f %6.1f%%%s\n", op.c_str(), r.count, r.ms,
                      sum > 0 ? 100.0 * r.ms / sum : 0.0, r.cpu ? "  (cpu-ref)" : "");
        s += line;
    }
    std::snprintf(line, sizeof line,
                  "nodes %.3f ms, upload %.3f ms, download %.3f ms, run() wall %.3f ms\n", sum,
                  uploadMs, downloadMs, totalMs);
    s += line;
    std::vector<const NodeTiming*> sorted;
    for (const NodeTiming& n : nodes) sorted.push_back(&n);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->ms > b->ms; });
    if (!sorted.empty() && slowest > 0) s += "slowest nodes:\n";
    for (int i = 0; i < slowest && i < int(sorted.size()); ++i) {
        std::snprintf(line, sizeof line, "  %-40s %-18s %9.3f ms\n",
                      sorted[size_t(i)]->name.c_str(), sorted[size_t(i)]->opType.c_str(),
                      sorted[size_t(i)]->ms);
        s += line;
    }
    return s;
}

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

Profile medianProfile(const std::vector<Profile>& runs) {
    if (runs.empty()) return {};
    for (const Profile& r : runs)
        if (r.nodes.size() != runs[0].nodes.size()) return {};
    Profile p = runs[0];
    const auto pick = [&](auto field) {
        std::vector<double> v;
        for (const Profile& r : runs) v.push_back(field(r));
        return median(std::move(v));
    };
    for (size_t i = 0; i < p.nodes.size(); ++i)
        p.nodes[i].ms = pick([&](const Profile& r) { return r.nodes[i].ms; });
    p.uploadMs = pick([](const Profile& r) { return r.uploadMs; });
    p.downloadMs = pick([](const Profile& r) { return r.downloadMs; });
    p.totalMs = pick([](const Profile& r) { return r.totalMs; });
    return p;
}

}  // namespace sl::nn
