// Structural rewrites of known exporter patterns (passes.h): the Focus space-to-depth folded into
// its Conv, SPP's parallel max pools as a cascade (SPPF), and a Transpose of a Concat moved onto
// the concat's inputs. All match strictly and leave any near miss untouched: a rewrite that is
// not provably exact is not done.
#include <algorithm>

#include "nn/ops/op_util.h"
#include "nn/passes/passes.h"

namespace sl::nn {

namespace {

bool isGraphOutput(const Graph& g, ValueId id) {
    return std::find(g.outputs().begin(), g.outputs().end(), id) != g.outputs().end();
}

// Read only by one live node (not a graph output).
bool onlyFeeds(const Graph& g, const std::vector<int>& counts, ValueId id) {
    return id != kNoValue && counts[size_t(id)] == 1 && !isGraphOutput(g, id);
}

std::vector<int64_t> intsAttr(const NodeDesc& d, const char* name, std::vector<int64_t> dflt) {
    return d.attributes.get<std::vector<int64_t>>(name, std::move(dflt));
}

bool allEqual(const std::vector<int64_t>& v, int64_t x) {
    return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == x; });
}

// The strided sampling a chain of Slices applies to a rank-4 NCHW source: row/column phase (start)
// with step 2 along H and W, every other axis whole.
struct Phase {
    ValueId source = kNoValue;
    int dy = -1, dx = -1;
    std::vector<int> nodes;   // the slices, consumer first
};

// One Slice (opset >= 10, constant starts/ends/axes/steps) applied to `in`: records its phases in
// `p`. False unless every sliced axis is H or W (each at most once over the chain), step 2, start
// 0 or 1, end past the dim (so the sampled rows are exactly start, start + 2, ...).
bool addSlicePhase(const Graph& g, const Node& s, Phase& p) {
    if (s.desc.opset < 10 || s.inputs.size() < 3 || s.inputs.size() > 5 || s.outputs.size() != 1)
        return false;
    const Value& in = g.value(s.inputs[0]);
    if (in.info.shape.size() != 4 || !in.shapeKnown) return false;
    std::vector<int64_t> v[4];
    for (size_t i = 1; i < 5; ++i) {
        if (i >= s.inputs.size() || s.inputs[i] == kNoValue) continue;
        if (!g.isConstant(s.inputs[i]) || !readInts(*g.value(s.inputs[i]).constant, v[i - 1]))
            return false;
    }
    auto& [starts, ends, axes, steps] = v;
    if (axes.empty())
        for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (starts.empty() || ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
        return false;
    for (size_t i = 0; i < starts.size(); ++i) {
        const int64_t a = normalizeAxis(axes[i], 4);
        const int64_t dim = in.info.shape[size_t(a)];
        if ((a != 2 && a != 3) || steps[i] != 2 || (starts[i] != 0 && starts[i] != 1) ||
            ends[i] < dim)
            return false;
        int& phase = a == 2 ? p.dy : p.dx;
        if (phase >= 0) return false;   // the same axis sliced twice
        phase = int(starts[i]);
    }
    return true;
}

// Follows a concat input back through its Slices to their source.
bool tracePhase(const Graph& g, const std::vector<int>& counts, ValueId v, Phase& p) {
    for (int depth = 0; depth < 2; ++depth) {
        const int si = g.producer(v);
        if (si < 0 || g.nodes()[size_t(si)].desc.opType != "Slice" || !onlyFeeds(g, counts, v))
            return false;
        const Node& s = g.nodes()[size_t(si)];
        if (!addSlicePhase(g, s, p)) return false;
        p.nodes.push_back(si);
        v = s.inputs[0];
        if (p.dy >= 0 && p.dx >= 0) {
            p.source = v;
            return true;
        }
    }
    return false;
}

bool isFloatConst(const Graph& g, ValueId id) {
    return g.isConstant(id) && g.value(id).constant->dtype() == DType::Float32;
}

}  // namespace

Status foldFocus(Graph& g, PassReport& report) {
    // The concat order of the space-to-depth: x[::2, ::2], x[1::2, ::2], x[::2, 1::2],
    // x[1::2, 1::2] (rows = dy, columns = dx) - YOLOv5 / YOLOX's Focus.
    static constexpr int kDy[4] = {0, 1, 0, 1}, kDx[4] = {0, 0, 1, 1};
    for (size_t ci = 0; ci < g.nodes().size(); ++ci) {
        const Node& cat = g.nodes()[ci];
        if (cat.dead || cat.desc.opType != "Concat" || cat.inputs.size() != 4 ||
            cat.outputs.size() != 1)
            continue;
        const std::vector<int> counts = g.consumerCounts();
        const ValueId z = cat.outputs[0];
        if (g.value(z).info.shape.size() != 4 ||
            normalizeAxis(cat.desc.attributes.get<int64_t>("axis", 0), 4) != 1 ||
            !onlyFeeds(g, counts, z))
            continue;
        Phase phases[4];
        bool ok = true;
        for (int q = 0; q < 4 && ok; ++q)
            ok = tracePhase(g, counts, cat.inputs[size_t(q)], phases[q]) &&
                 phases[q].dy == kDy[q] && phases[q].dx == kDx[q] &&
                 phases[q].source == phases[0].source;
        if (!ok) continue;
        const ValueId x = phases[0].source;
        const Shape xs = g.value(x).info.shape;
        if (xs.size() != 4 || xs[2] % 2 != 0 || xs[3] % 2 != 0 || xs[2] <= 0 || xs[3] <= 0 ||
            g.value(x).info.dtype != DType::Float32)
            continue;

        // The one consumer: a Conv, stride 1, dilation 1, group 1, explicit pads, constant
        // float weights [M, 4C, k, k].
        int convIdx = -1;
        for (size_t i = 0; i < g.nodes().size(); ++i) {
            const Node& n = g.nodes()[i];
            if (!n.dead && std::find(n.inputs.begin(), n.inputs.end(), z) != n.inputs.end())
                convIdx = int(i);
        }
        if (convIdx < 0) continue;
        const Node& conv = g.nodes()[size_t(convIdx)];
        const NodeDesc& d = conv.desc;
        if (d.opType != "Conv" || conv.inputs.size() < 2 || conv.inputs[0] != z ||
            conv.inputs[1] == z || (conv.inputs.size() > 2 && conv.inputs[2] == z) ||
            !isFloatConst(g, conv.inputs[1]) ||
            d.attributes.get<std::string>("auto_pad", "NOTSET") != "NOTSET" ||
            d.attributes.get<int64_t>("group", 1) != 1 ||
            !allEqual(intsAttr(d, "strides", {1, 1}), 1) ||
            !allEqual(intsAttr(d, "dilations", {1, 1}), 1))
            continue;
        const Tensor& w = *g.value(conv.inputs[1]).constant;
        const Shape& ws = w.shape();
        const int64_t c = xs[1];
        if (ws.size() != 4 || ws[1] != 4 * c || ws[2] < 1 || ws[3] < 1 ||
            intsAttr(d, "strides", {1, 1}).size() != 2 ||
            intsAttr(d, "dilations", {1, 1}).size() != 2)
            continue;
        const std::vector<int64_t> pads = intsAttr(d, "pads", {0, 0, 0, 0});
        const std::vector<int64_t> ks = intsAttr(d, "kernel_shape", {ws[2], ws[3]});
        if (pads.size() != 4 || ks != std::vector<int64_t>{ws[2], ws[3]}) continue;

        // Z[q*C + c][i][j] = X[c][2i + dy_q][2j + dx_q], so tap (a, b) of input channel q*C + c
        // reads X at row 2(i + a - p) + dy_q: the 2k x 2k stride-2 kernel with pads 2p holds
        // W[m][q*C + c][a][b] at (2a + dy_q, 2b + dx_q). H and W even: a Z row is out of range
        // exactly when its X row is, so the zero padding matches too.
        const int64_t m = ws[0], kh = ws[2], kw = ws[3];
        Tensor nw(DType::Float32, {m, c, 2 * kh, 2 * kw});
        const float* src = w.data<float>();
        float* dst = nw.data<float>();
        for (int64_t o = 0; o < m; ++o)
            for (int q = 0; q < 4; ++q)
                for (int64_t ch = 0; ch < c; ++ch)
                    for (int64_t a = 0; a < kh; ++a)
                        for (int64_t b = 0; b < kw; ++b)
                            dst[((o * c + ch) * 2 * kh + 2 * a + kDy[q]) * 2 * kw + 2 * b +
                                kDx[q]] = src[((o * 4 * c + q * c + ch) * kh + a) * kw + b];
        const ValueId wid = g.addConstant(d.name + ":focus_weight", std::move(nw));
        Node& cv = g.nodes()[size_t(convIdx)];
        cv.inputs[0] = x;
        cv.inputs[1] = wid;
        cv.desc.attributes.set("kernel_shape", std::vector<int64_t>{2 * kh, 2 * kw});
        cv.desc.attributes.set("strides", std::vector<int64_t>{2, 2});
        cv.desc.attributes.set("pads", std::vector<int64_t>{2 * pads[0], 2 * pads[1],
                                                            2 * pads[2], 2 * pads[3]});
        g.nodes()[ci].dead = true;
        for (const Phase& p : phases)
            for (int s : p.nodes) g.nodes()[size_t(s)].dead = true;
        ++report.foldedFocus;
    }
    return Status::ok();
}

Status cascadePools(Graph& g, PassReport& report) {
    // A MaxPool with a square k x k window, stride 1, pads k/2 on every side, no dilation, floor
    // mode: out(i, j) = max of the input over [i - k/2, i + k/2] x [j - k/2, j + k/2] clipped to
    // the input (padding never wins a max). Two such pools in a row, k1 then k2, clip the same
    // way to a (k1 + k2 - 1) window: every input row r in [i - 4, i + 4] is within 2 of some
    // in-range row between i and r. So pool9 = pool5(pool5), pool13 = pool5(pool9).
    const auto window = [&](const Node& n) -> int64_t {
        const NodeDesc& d = n.desc;
        if (n.dead || d.opType != "MaxPool" || n.inputs.size() != 1 || n.outputs.size() != 1 ||
            d.attributes.get<std::string>("auto_pad", "NOTSET") != "NOTSET" ||
            d.attributes.get<int64_t>("ceil_mode", 0) != 0 ||
            d.attributes.get<int64_t>("storage_order", 0) != 0 ||
            g.value(n.inputs[0]).info.shape.size() != 4 ||
            g.value(n.inputs[0]).info.dtype != DType::Float32)
            return 0;
        const auto ks = intsAttr(d, "kernel_shape", {});
        if (ks.size() != 2 || ks[0] != ks[1] || ks[0] % 2 == 0) return 0;
        const int64_t k = ks[0];
        if (!allEqual(intsAttr(d, "strides", {1, 1}), 1) ||
            intsAttr(d, "strides", {1, 1}).size() != 2 ||
            !allEqual(intsAttr(d, "dilations", {1, 1}), 1) ||
            intsAttr(d, "dilations", {1, 1}).size() != 2 ||
            intsAttr(d, "pads", {0, 0, 0, 0}) != std::vector<int64_t>(4, k / 2))
            return 0;
        return k;
    };
    for (size_t i = 0; i < g.nodes().size(); ++i) {
        if (window(g.nodes()[i]) != 5) continue;
        const ValueId x = g.nodes()[i].inputs[0];
        // The chain so far ends at a pool of window `k` whose output is `prev`.
        ValueId prev = g.nodes()[i].outputs[0];
        for (int64_t k = 9; k <= 13; k += 4) {
            int next = -1;
            for (size_t j = 0; j < g.nodes().size(); ++j)
                if (g.nodes()[j].inputs.size() == 1 && g.nodes()[j].inputs[0] == x &&
                    window(g.nodes()[j]) == k)
                    next = int(j);
            if (next < 0) break;
            Node& p = g.nodes()[size_t(next)];
            p.inputs[0] = prev;
            p.desc.attributes.set("kernel_shape", std::vector<int64_t>{5, 5});
            p.desc.attributes.set("pads", std::vector<int64_t>{2, 2, 2, 2});
            prev = p.outputs[0];
            ++report.cascadedPools;
        }
    }
    return Status::ok();
}

Status transposeBeforeConcat(Graph& g, PassReport& report) {
    const std::vector<int> counts = g.consumerCounts();
    const size_t nodeCount = g.nodes().size();   // nodes added below are not candidates
    for (size_t ti = 0; ti < nodeCount; ++ti) {
        {
            const Node& t = g.nodes()[ti];
            if (t.dead || t.desc.opType != "Transpose" || t.inputs.size() != 1 ||
                t.outputs.size() != 1 || !onlyFeeds(g, counts, t.inputs[0]))
                continue;
        }
        const ValueId x = g.nodes()[ti].inputs[0];
        const ValueId y = g.nodes()[ti].outputs[0];
        const int ci = g.producer(x);
        if (ci < 0) continue;
        const Node& cat = g.nodes()[size_t(ci)];
        if (cat.desc.opType != "Concat" || cat.outputs.size() != 1 || cat.inputs.empty()) continue;
        const Shape& xs = g.value(x).info.shape;
        const int64_t rank = int64_t(xs.size());
        std::vector<int64_t> perm = intsAttr(g.nodes()[ti].desc, "perm", {});
        if (perm.empty())   // ONNX default: reverse the dims
            for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
        std::vector<int64_t> sorted = perm;
        std::sort(sorted.begin(), sorted.end());
        bool isPerm = int64_t(perm.size()) == rank;
        for (int64_t d = 0; isPerm && d < rank; ++d) isPerm = sorted[size_t(d)] == d;
        int64_t axis = cat.desc.attributes.get<int64_t>("axis", 0);
        if (axis < 0) axis += rank;
        if (!isPerm || axis < 0 || axis >= rank) continue;
        const int64_t newAxis = std::find(perm.begin(), perm.end(), axis) - perm.begin();
        const Shape& ys = g.value(y).info.shape;
        if (int64_t(ys.size()) != rank ||
            !std::all_of(ys.begin(), ys.begin() + newAxis, [](int64_t d) { return d == 1; }))
            continue;   // the moved concat would not be slab-contiguous: nothing gained
        bool inputsOk = true;
        for (ValueId in : cat.inputs) {
            inputsOk = inputsOk && in != kNoValue && !g.isConstant(in);
            if (!inputsOk) break;
            const Value& v = g.value(in);
            inputsOk = int64_t(v.info.shape.size()) == rank &&
                       v.info.dtype == g.value(x).info.dtype &&
                       std::all_of(v.info.shape.begin(), v.info.shape.end(),
                                   [](int64_t d) { return d >= 0; });
        }
        if (!inputsOk) continue;
        const NodeDesc transposeDesc = g.nodes()[ti].desc;
        const std::vector<ValueId> catInputs = cat.inputs;
        std::vector<ValueId> moved;
        for (size_t i = 0; i < catInputs.size(); ++i) {
            const Value& v = g.value(catInputs[i]);
            TensorInfo info{v.info.dtype, {}};
            for (int64_t d : perm) info.shape.push_back(v.info.shape[size_t(d)]);
            const std::string name = v.name + "/" + transposeDesc.name;
            moved.push_back(g.addValue(name, info));
            NodeDesc d = transposeDesc;
            d.name = transposeDesc.name + "/" + std::to_string(i);
            d.attributes.set("perm", perm);
            g.addNode(std::move(d), {catInputs[i]}, {moved.back()});
        }
        Node& c = g.nodes()[size_t(ci)];   // addNode may have moved the nodes
        c.inputs = moved;
        c.outputs[0] = y;
        c.desc.attributes.set("axis", newAxis);
        g.nodes()[ti].dead = true;   // x no longer has a producer; compact() drops it
        ++report.movedTransposes;
    }
    return Status::ok();
}

}  // namespace sl::nn
