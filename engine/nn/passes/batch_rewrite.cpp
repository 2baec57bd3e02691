// Batch rewrite (passes.h setBatch): a model exported at a static batch B run at batch N.
//
// Which values carry the batch: the graph inputs (dim 0), and every output of a node that reads
// one, except Shape/Size (their outputs are data about the shape; the folding that follows
// recomputes them at batch N). Every node reading a batched value is checked by a rule for its
// op (the table below: the ops of nn/ops/op_registry.cpp; any other op is refused), which also
// names the constants that spell the batch out (a Reshape's shape, a Resize's sizes). Then the
// graph is rewritten and its shapes inferred again at batch N, and every batched value must have
// its batch-B shape with dim 0 = N, every other value its batch-B shape: that catches what the
// rules leave to shapes (a Reshape whose -1 absorbs the batch, a broadcast against a constant of
// B rows, a pad or a scale on dim 0).
#include <algorithm>
#include <limits>

#include "nn/ops/op_util.h"
#include "nn/passes/passes.h"

namespace sl::nn {

namespace {

bool resolved(const Shape& s) {
    return std::all_of(s.begin(), s.end(), [](int64_t d) { return d >= 0; });
}

std::string intsString(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

// What the rules see of a node at batch B (the folded probe graph: static shapes, and shape
// inputs that were computed by subgraphs folded into constants).
struct NodeView {
    const Graph& probe;
    const Node& node;
    const std::vector<bool>& batched;
    bool in(size_t i) const {
        return i < node.inputs.size() && node.inputs[i] != kNoValue &&
               batched[size_t(node.inputs[i])];
    }
    const Shape* shape(size_t i) const {
        if (i >= node.inputs.size() || node.inputs[i] == kNoValue) return nullptr;
        const Value& v = probe.value(node.inputs[i]);
        return v.shapeKnown && resolved(v.info.shape) ? &v.info.shape : nullptr;
    }
    int64_t rank(size_t i) const {
        const Shape* s = shape(i);
        return s ? int64_t(s->size()) : -1;
    }
    bool present(size_t i) const {
        return i < node.inputs.size() && node.inputs[i] != kNoValue;
    }
    // The integers of constant input i (at batch B); false when absent or computed at run time.
    bool ints(size_t i, std::vector<int64_t>& out) const {
        if (!present(i) || !probe.isConstant(node.inputs[i])) return false;
        return readInts(*probe.value(node.inputs[i]).constant, out);
    }
    int64_t attr(const char* name, int64_t fallback) const {
        return node.desc.attributes.get<int64_t>(name, fallback);
    }
    std::vector<int64_t> attrs(const char* name) const {
        return node.desc.attributes.get<std::vector<int64_t>>(name);
    }
    bool onlyFirstBatched() const {
        for (size_t i = 1; i < node.inputs.size(); ++i)
            if (in(i)) return false;
        return true;
    }
};

// A constant input to replace (the node's input `input` becomes `value`).
struct Rewrite {
    int node = 0;
    size_t input = 0;
    Tensor value;
};

// The reason node `v` mixes samples across dim 0 or moves the batch out of it; empty when it is
// batch-agnostic. Adds the constants that spell the batch to `rewrites`.
std::string mixingReason(const NodeView& v, int nodeIndex, int64_t from, int64_t to,
                         std::vector<Rewrite>& rewrites) {
    const std::string& op = v.node.desc.opType;
    const int opset = v.node.desc.opset;
    const auto onAxis0 = [](int64_t axis, int64_t rank) {
        return rank > 0 && normalizeAxis(axis, rank) == 0;
    };
    static const char* const kElementwise[] = {
        "Add", "Sub", "Mul", "Div", "PRelu", "Clip", "Exp", "HardSigmoid", "HardSwish",
        "LeakyRelu", "Relu", "Sigmoid", "Tanh", "Cast", "Identity"};
    if (std::find_if(std::begin(kElementwise), std::end(kElementwise),
                     [&](const char* e) { return op == e; }) != std::end(kElementwise)) {
        // Broadcasting against a constant of B rows is caught by the shape check.
        if ((op == "Clip") && !v.onlyFirstBatched()) return "its bounds depend on the batch";
        return {};
    }
    if (op == "Shape" || op == "Size") return {};
    if (op == "Conv" || op == "ConvTranspose" || op == "MaxPool" || op == "AveragePool" ||
        op == "GlobalAveragePool" || op == "GlobalMaxPool") {
        if (!v.onlyFirstBatched()) return "its weights depend on the batch";
        return {};
    }
    if (op == "BatchNormalization") {
        if (v.attr("training_mode", 0) != 0)
            return "training mode normalises with statistics over the batch";
        if (!v.onlyFirstBatched()) return "its statistics depend on the batch";
        return {};
    }
    if (op == "Concat" || op == "Split") {
        const int64_t rank = v.rank(0) >= 0 ? v.rank(0) : v.rank(1);
        if (onAxis0(v.attr("axis", 0), rank))
            return op == "Concat" ? "it concatenates along the batch dim (axis 0)"
                                  : "it splits along the batch dim (axis 0)";
        if (op == "Split" && !v.onlyFirstBatched()) return "its split sizes depend on the batch";
        return {};
    }
    if (op == "Gather") {
        const int64_t axis = v.attr("axis", 0);
        if (v.in(0) && onAxis0(axis, v.rank(0))) return "it gathers along the batch dim (axis 0)";
        if (v.in(1) && (v.in(0) || !onAxis0(axis, v.rank(0))))
            return "its indices carry the batch into a dim other than 0";
        return {};
    }
    if (op == "Gemm") {
        if (v.in(1) || v.in(2)) return "its B or C operand carries the batch (rows of B mix)";
        if (v.attr("transA", 0) != 0) return "transA moves the batch out of A's rows";
        return {};
    }
    if (op == "MatMul") {
        const int64_t ra = v.rank(0), rb = v.rank(1);
        if (v.in(0) && (ra < 2 || ra < rb)) return "A's batch dim is not the output's dim 0";
        if (v.in(1) && (rb < 3 || rb < ra))
            return "B's dim 0 is a reduced or broadcast dim, not a batch of matrices";
        return {};
    }
    if (op == "Pad") {
        if (!v.onlyFirstBatched()) return "its pads depend on the batch";
        std::vector<int64_t> pads = opset < 11 ? v.attrs("pads") : std::vector<int64_t>{};
        if (opset >= 11 && !v.ints(1, pads)) return "its pads are computed at run time";
        if (v.present(3)) return {};   // axes (opset 18): the shape check sees dim 0's size
        const size_t r = pads.size() / 2;
        if (r > 0 && (pads[0] != 0 || pads[r] != 0)) return "it pads the batch dim";
        return {};
    }
    if (op == "ReduceMean") {
        if (!v.onlyFirstBatched()) return "its axes depend on the batch";
        std::vector<int64_t> axes = opset < 18 ? v.attrs("axes") : std::vector<int64_t>{};
        if (opset >= 18 && v.present(1) && !v.ints(1, axes))
            return "its axes are computed at run time";
        if (axes.empty() && v.attr("noop_with_empty_axes", 0) == 0)
            return "it reduces over every dim, the batch included";
        for (int64_t a : axes)
            if (onAxis0(a, v.rank(0))) return "it reduces over the batch dim (axis 0)";
        return {};
    }
    if (op == "Softmax") {
        // Opset < 13 flattens to [d0 * ... * d(axis-1), rest]: only axis 0 mixes samples.
        const int64_t axis = v.attr("axis", opset < 13 ? 1 : -1);
        if (onAxis0(axis, v.rank(0))) return "it normalises along the batch dim (axis 0)";
        return {};
    }
    if (op == "Transpose") {
        std::vector<int64_t> perm = v.attrs("perm");
        if (perm.empty() && v.rank(0) > 1) return "it reverses the dims (the batch goes last)";
        if (!perm.empty() && perm[0] != 0)
            return "perm " + intsString(perm) + " moves the batch out of dim 0";
        return {};
    }
    if (op == "Flatten") {
        if (onAxis0(v.attr("axis", 1), v.rank(0)))
            return "Flatten at axis 0 folds the batch into dim 1";
        return {};
    }
    if (op == "Squeeze" || op == "Unsqueeze") {
        if (!v.onlyFirstBatched()) return "its axes depend on the batch";
        std::vector<int64_t> axes = opset < 13 ? v.attrs("axes") : std::vector<int64_t>{};
        if (opset >= 13 && v.present(1) && !v.ints(1, axes))
            return "its axes are computed at run time";
        const int64_t rank = v.rank(0) + (op == "Unsqueeze" ? int64_t(axes.size()) : 0);
        if (op == "Squeeze" && axes.empty() && from == 1)
            return "it squeezes every dim of size 1, the batch of 1 included";
        for (int64_t a : axes)
            if (onAxis0(a, rank))
                return op == "Squeeze" ? "it removes the batch dim"
                                       : "it inserts a dim before the batch";
        return {};
    }
    if (op == "Reshape") {
        if (v.in(1)) return "its target shape depends on the batch";
        std::vector<int64_t> shape;
        if (!v.ints(1, shape)) return "its target shape is computed at run time";
        if (shape.empty()) return "it reshapes to a scalar";
        const bool copy = shape[0] == 0 && v.attr("allowzero", 0) == 0;
        // -1 leading: fine when it stands for the batch (the shape check decides).
        if (copy || shape[0] == -1) return {};
        if (shape[0] != from)
            return "target shape " + intsString(shape) + " folds the batch into another dim "
                   "(its leading entry is " + std::to_string(shape[0]) + ", not the batch " +
                   std::to_string(from) + ")";
        if (from != to) {
            shape[0] = to;
            const DType dt = v.probe.value(v.node.inputs[1]).constant->dtype();
            Tensor t(dt, {int64_t(shape.size())});
            for (size_t i = 0; i < shape.size(); ++i) {
                if (dt == DType::Int32) t.data<int32_t>()[i] = int32_t(shape[i]);
                else t.data<int64_t>()[i] = shape[i];
            }
            rewrites.push_back({nodeIndex, 1, std::move(t)});
        }
        return {};
    }
    if (op == "Resize" || op == "Upsample") {
        if (!v.onlyFirstBatched()) return "its scales or sizes depend on the batch";
        std::vector<int64_t> sizes;
        if (op == "Resize" && v.present(3)) {
            if (!v.ints(3, sizes)) return "its sizes are computed at run time";
            if (sizes.empty() || sizes[0] != from)
                return "its sizes " + intsString(sizes) + " do not keep the batch";
            if (from != to) {
                sizes[0] = to;
                rewrites.push_back({nodeIndex, 3, Tensor(DType::Int64,
                                                         {int64_t(sizes.size())}, sizes.data())});
            }
        }
        return {};   // a scale on dim 0 changes its size: the shape check reports it
    }
    if (op == "Slice") {
        if (!v.onlyFirstBatched()) return "its starts, ends or axes depend on the batch";
        std::vector<int64_t> starts, ends, axes, steps;
        if (opset < 10) {
            starts = v.attrs("starts");
            ends = v.attrs("ends");
            axes = v.attrs("axes");
        } else if (!v.ints(1, starts) || !v.ints(2, ends) || (v.present(3) && !v.ints(3, axes)) ||
                   (v.present(4) && !v.ints(4, steps))) {
            return "its starts, ends, axes or steps are computed at run time";
        }
        if (axes.empty())
            for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
        for (size_t i = 0; i < axes.size() && i < starts.size() && i < ends.size(); ++i) {
            if (!onAxis0(axes[i], v.rank(0))) continue;
            // The whole batch whatever its size: from 0, step 1, to "the end".
            const int64_t step = i < steps.size() ? steps[i] : 1;
            if (starts[i] != 0 || step != 1 || ends[i] < std::numeric_limits<int32_t>::max())
                return "it slices the batch dim (axis 0) [" + std::to_string(starts[i]) + ":" +
                       std::to_string(ends[i]) + ":" + std::to_string(step) + "]";
        }
        return {};
    }
    return "op '" + op + "' is not known to be batch-agnostic";
}

std::string nodeName(const Node& n) { return "node '" + n.desc.name + "' (" + n.desc.opType + ")"; }

}  // namespace

Status setBatch(Graph& g, int64_t batch, BatchRewrite* report) {
    const std::string who = "nn: '" + g.source + "': cannot run at batch " + std::to_string(batch);
    if (batch < 1) return Status(StatusCode::InvalidArgument, who + ": the batch must be >= 1");
    if (g.inputs().empty()) return Status(StatusCode::InvalidArgument, who + ": no inputs");
    int64_t from = -1;
    for (ValueId id : g.inputs()) {
        const Value& v = g.value(id);
        if (!v.shapeKnown || v.info.shape.empty() || !resolved(v.info.shape))
            return Status(StatusCode::InvalidArgument,
                          who + ": input '" + v.name + "' is " + valueShapeString(v) +
                              " (every input needs a static shape with a leading batch dim)");
        if (from < 0) from = v.info.shape[0];
        if (v.info.shape[0] != from)
            return Status(StatusCode::Unsupported,
                          who + ": the inputs disagree on the batch (input '" + v.name +
                              "' is " + valueShapeString(v) + ", another has batch " +
                              std::to_string(from) + ")");
    }
    if (report) *report = {from, batch, 0};
    if (from == batch) return Status::ok();

    // Shapes (and folded shape subgraphs) at the model's own batch.
    Graph atFrom = g;
    PassReport ignored;
    if (Status st = foldConstants(atFrom, ignored); !st) return st.withContext(who);
    auto order = g.topologicalOrder();
    if (!order) return order.status();

    std::vector<bool> batched(g.values().size(), false);
    // Values computed from Shape/Size of a batched value: they may change with the batch.
    std::vector<bool> shapeData(g.values().size(), false);
    for (ValueId id : g.inputs()) batched[size_t(id)] = true;
    std::vector<Rewrite> rewrites;
    for (int ni : *order) {
        const Node& n = g.nodes()[size_t(ni)];
        const NodeView view{atFrom, n, batched};
        bool any = false, fromShape = false;
        for (size_t i = 0; i < n.inputs.size(); ++i) {
            any = any || view.in(i);
            fromShape = fromShape || (n.inputs[i] != kNoValue && shapeData[size_t(n.inputs[i])]);
        }
        if (!any) {
            for (ValueId o : n.outputs)
                if (o != kNoValue && fromShape) shapeData[size_t(o)] = true;
            continue;
        }
        const std::string why = mixingReason(view, ni, from, batch, rewrites);
        if (!why.empty())
            return Status(StatusCode::Unsupported, who + ": " + nodeName(n) + ": " + why);
        if (n.desc.opType == "Shape" || n.desc.opType == "Size") {
            for (ValueId o : n.outputs)
                if (o != kNoValue) shapeData[size_t(o)] = true;
            continue;
        }
        for (ValueId o : n.outputs)
            if (o != kNoValue) batched[size_t(o)] = true;
    }

    // The rewrite, on a copy until it is checked: inputs at batch N, the batch constants
    // replaced (by new values: a constant may be shared with nodes that do not spell the batch).
    Graph next = g;
    for (ValueId id : next.inputs()) next.value(id).info.shape[0] = batch;
    for (Rewrite& r : rewrites) {
        Node& n = next.nodes()[size_t(r.node)];
        const std::string name =
            next.value(n.inputs[r.input]).name + ":batch" + std::to_string(batch);
        n.inputs[r.input] = next.addConstant(name, std::move(r.value));
    }

    // Shapes again at batch N: the model's own (batch-B) shapes of intermediates no longer hold.
    Graph atTo = next;
    for (size_t i = 0; i < atTo.values().size(); ++i) {
        Value& v = atTo.values()[i];
        if (v.constant || std::find(g.inputs().begin(), g.inputs().end(), ValueId(i)) !=
                              g.inputs().end())
            continue;
        v.info.shape.clear();
        v.shapeKnown = false;
    }
    if (Status st = foldConstants(atTo, ignored); !st) return st.withContext(who);
    for (int ni : *order) {
        const Node& n = g.nodes()[size_t(ni)];
        for (ValueId o : n.outputs) {
            if (o == kNoValue || shapeData[size_t(o)]) continue;   // recomputed at batch N
            const Value& a = atFrom.value(o);
            const Value& b = atTo.value(o);
            const bool known = a.shapeKnown && resolved(a.info.shape) && b.shapeKnown &&
                               resolved(b.info.shape);
            if (!known) {
                if (!batched[size_t(o)]) continue;   // not the batch's business
                return Status(StatusCode::Unsupported,
                              who + ": " + nodeName(n) + ": output '" + a.name +
                                  "' has no static shape at batch " + std::to_string(from) +
                                  " or " + std::to_string(batch));
            }
            Shape want = a.info.shape;
            if (batched[size_t(o)]) {
                if (want.empty() || want[0] != from)
                    return Status(StatusCode::Unsupported,
                                  who + ": " + nodeName(n) + ": output '" + a.name + "' is " +
                                      shapeString(a.info.shape) + " at batch " +
                                      std::to_string(from) + ": the batch left dim 0");
                want[0] = batch;
            }
            if (b.info.shape != want)
                return Status(StatusCode::Unsupported,
                              who + ": " + nodeName(n) + ": output '" + a.name + "' is " +
                                  shapeString(a.info.shape) + " at batch " +
                                  std::to_string(from) + " but " + shapeString(b.info.shape) +
                                  " at batch " + std::to_string(batch) +
                                  (batched[size_t(o)] ? " (the batch does not stay in dim 0 alone)"
                                                      : " (a value without the batch changed)"));
        }
    }
    // The batch-N shapes replace the model's (the session cross-checks the ops against them).
    for (size_t i = 0; i < next.values().size(); ++i) {
        Value& v = next.values()[i];
        const Value& b = atTo.values()[i];
        if (v.constant || std::find(g.inputs().begin(), g.inputs().end(), ValueId(i)) !=
                              g.inputs().end())
            continue;
        v.dimNames.clear();
        v.shapeKnown = b.shapeKnown && resolved(b.info.shape);
        v.info = v.shapeKnown ? b.info : TensorInfo{v.info.dtype, {}};
    }
    if (report) *report = {from, batch, int(rewrites.size())};
    g = std::move(next);
    return Status::ok();
}

}  // namespace sl::nn
