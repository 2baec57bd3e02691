#include "nn_op_test_util.h"

#include "compute/cl_context.h"
#include "nn/ops/op_registry.h"
#include "nn/tensor_util.h"

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>

namespace sl::nn::test {
namespace {

// Per op type: device comparisons passed / failed / not supported, printed after all tests
// (only when some op test ran), so a run shows what was actually compared on the device.
struct Tally {
    int passed = 0, failed = 0, unsupported = 0;
};
std::map<std::string, Tally>& tallies() {
    static std::map<std::string, Tally> t;
    return t;
}

class TallyPrinter : public ::testing::Environment {
public:
    void TearDown() override {
        if (tallies().empty()) return;
        std::printf("nn op device-vs-reference comparisons (passed / failed / not supported):\n");
        for (const auto& [op, t] : tallies())
            std::printf("  %-20s %4d / %d / %d\n", op.c_str(), t.passed, t.failed, t.unsupported);
    }
};
[[maybe_unused]] ::testing::Environment* const kTallyPrinter =
    ::testing::AddGlobalTestEnvironment(new TallyPrinter);

OpTestResult record(const NodeDesc& node, OpTestResult r) {
    Tally& t = tallies()[node.opType];
    (r == OpTestResult::Passed ? t.passed : r == OpTestResult::Failed ? t.failed : t.unsupported)++;
    return r;
}

struct Prepared {
    std::unique_ptr<Op> op;
    std::vector<const TensorInfo*> infoPtrs;
    std::vector<const Tensor*> inputPtrs;
    std::vector<const Tensor*> constPtrs;
    std::vector<TensorInfo> infos;
    std::vector<TensorInfo> outputs;
};

std::string describe(const NodeDesc& n) {
    return n.opType + "(opset " + std::to_string(n.opset) + ") '" + n.name + "'";
}

// Creates the op and infers outputs; false (with a failure added) on error.
bool prepare(const NodeDesc& node, const std::vector<OpInput>& inputs, Prepared& p) {
    auto op = createOp(node);
    if (!op) {
        ADD_FAILURE() << describe(node) << ": " << op.status().message();
        return false;
    }
    p.op = std::move(*op);
    p.infos.resize(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        p.infos[i] = inputs[i].value.info();
        p.infoPtrs.push_back(inputs[i].absent ? nullptr : &p.infos[i]);
        p.inputPtrs.push_back(inputs[i].absent ? nullptr : &inputs[i].value);
        p.constPtrs.push_back(inputs[i].constant ? &inputs[i].value : nullptr);
    }
    Status st = p.op->inferOutputs(p.infoPtrs, p.constPtrs, p.outputs);
    if (!st) {
        ADD_FAILURE() << describe(node) << ": inferOutputs: " << st.message();
        return false;
    }
    if (int(p.outputs.size()) != node.outputCount) {
        ADD_FAILURE() << describe(node) << ": " << p.outputs.size() << " outputs, expected "
                      << node.outputCount;
        return false;
    }
    return true;
}

std::vector<Tensor> reference(const NodeDesc& node, Prepared& p) {
    std::vector<Tensor> outs;
    for (const TensorInfo& o : p.outputs) outs.emplace_back(o.dtype, o.shape);
    Status st = p.op->runReference(p.inputPtrs, outs);
    if (!st) {
        ADD_FAILURE() << describe(node) << ": runReference: " << st.message();
        return {};
    }
    return outs;
}

}  // namespace

compute::ComputeContext* testContext() {
    static std::unique_ptr<compute::ComputeContext> ctx = [] {
        auto c = compute::ComputeContext::create();
        if (!c) {
            ADD_FAILURE() << "no OpenCL device: " << c.status().message();
            return std::unique_ptr<compute::ComputeContext>();
        }
        return std::make_unique<compute::ComputeContext>(std::move(*c));
    }();
    return ctx.get();
}

NodeDesc makeNode(const std::string& opType, Attributes attrs, int opset, int outputs) {
    NodeDesc n;
    n.opType = opType;
    n.name = "test_" + opType;
    n.opset = opset;
    n.attributes = std::move(attrs);
    n.outputCount = outputs;
    return n;
}

std::vector<Tensor> runRef(const NodeDesc& node, const std::vector<OpInput>& inputs) {
    NodeDesc n = node;
    n.inputCount = int(inputs.size());
    Prepared p;
    if (!prepare(n, inputs, p)) return {};
    return reference(n, p);
}

OpTestResult testOpImpl(const NodeDesc& node0, const std::vector<OpInput>& inputs, Tolerance tol,
                        bool expectDevice, bool half);

namespace {

bool touchesFloat(const NodeDesc& node, const std::vector<OpInput>& inputs) {
    for (const OpInput& i : inputs)
        if (!i.absent && i.value.dtype() == DType::Float32) return true;
    for (const Tensor& o : runRef(node, inputs))
        if (o.dtype() == DType::Float32) return true;
    return false;
}

Tensor roundedToHalf(const Tensor& t) {
    return convertFloat(convertFloat(t, DType::Float16), DType::Float32);
}

}  // namespace

OpTestResult testOp(const NodeDesc& node, const std::vector<OpInput>& inputs, Tolerance tol,
                    bool expectDevice) {
    const OpTestResult r = record(node, testOpImpl(node, inputs, tol, expectDevice, false));
    if (r != OpTestResult::Passed || !touchesFloat(node, inputs)) return r;
    // fp16 storage (SessionOptions::storage): the same node with every float32 tensor stored as
    // half on the device. The oracle is the reference on the inputs rounded to half, its result
    // rounded to half: the device computes in float32 from the same half inputs, so it may differ
    // only by the fp32 tolerance and by one rounding step of the final store (a float result
    // a hair either side of a half rounding boundary). One half ulp of a value v <= max|ref| is
    // <= 2^-10 max|ref|, so maxAbs grows by 2^-10 (scaled by max(1, max|ref|) as before) and
    // NMSE by (2^-10)^2.
    std::vector<OpInput> rounded = inputs;
    for (OpInput& i : rounded)
        if (!i.absent && i.value.dtype() == DType::Float32) i.value = roundedToHalf(i.value);
    const Tolerance halfTol{tol.maxAbs + 1.0 / 1024, tol.nmse + 1.0 / (1024.0 * 1024.0)};
    const OpTestResult h = testOpImpl(node, rounded, halfTol, expectDevice, true);
    NodeDesc tallyNode = node;
    tallyNode.opType = node.opType + " (fp16 storage)";
    return record(tallyNode, h);
}

OpTestResult testOpImpl(const NodeDesc& node0, const std::vector<OpInput>& inputs, Tolerance tol,
                        bool expectDevice, bool half) {
    NodeDesc node = node0;
    node.inputCount = int(inputs.size());
    Prepared p;
    if (!prepare(node, inputs, p)) return OpTestResult::Failed;
    std::vector<Tensor> ref = reference(node, p);
    if (ref.size() != p.outputs.size()) return OpTestResult::Failed;
    // Half storage: the oracle's float outputs rounded to half; device tensors hold half.
    const auto stored = [&](DType d) { return half && d == DType::Float32 ? DType::Float16 : d; };
    if (half)
        for (Tensor& r : ref)
            if (r.dtype() == DType::Float32) r = roundedToHalf(r);

    compute::ComputeContext* ctx = testContext();
    if (!ctx) return OpTestResult::Failed;
    if (!p.op->hasDevicePath(ctx->info())) {
        if (expectDevice) ADD_FAILURE() << describe(node) << ": not supported on the device";
        else std::printf("[ not supported ] %s on OpenCL\n", describe(node).c_str());
        return expectDevice ? OpTestResult::Failed : OpTestResult::NotSupported;
    }
    if (!expectDevice) {
        ADD_FAILURE() << describe(node) << ": has a device path, the test expected none";
        return OpTestResult::Failed;
    }
    const ClOpContext cl{ctx, &ctx->programs(), ctx->queue(), nullptr, half};
    Status st = p.op->prepareDevice(cl, p.constPtrs);
    if (!st) {
        ADD_FAILURE() << describe(node) << ": prepareDevice: " << st.message();
        return OpTestResult::Failed;
    }
    // Inputs at an offset of 3 elements, outputs at 5, each buffer with slack after the end.
    std::vector<compute::ClMem> mems;
    std::vector<DeviceTensor> din, dout;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].absent) {
            din.push_back(DeviceTensor{});
            continue;
        }
        const Tensor t = convertFloat(inputs[i].value, stored(inputs[i].value.dtype()));
        const size_t off = 3 * dtypeSize(t.dtype());
        auto m = ctx->createBuffer(CL_MEM_READ_WRITE, off + t.bytes() + 64);
        if (!m) {
            ADD_FAILURE() << m.status().message();
            return OpTestResult::Failed;
        }
        if (t.bytes()) {
            st = ctx->write(m->get(), off, t.bytes(), t.raw());
            if (!st) {
                ADD_FAILURE() << st.message();
                return OpTestResult::Failed;
            }
        }
        din.push_back(DeviceTensor{m->get(), off, t.info()});
        mems.push_back(std::move(*m));
    }
    for (const TensorInfo& o : p.outputs) {
        const size_t es = dtypeSize(stored(o.dtype));
        const size_t bytes = size_t(elementCount(o.shape)) * es;
        const size_t off = 5 * es;
        std::vector<uint8_t> garbage(off + bytes + 64, 0xFF);   // NaN for floats
        auto m = ctx->createBuffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, garbage.size(),
                                   garbage.data());
        if (!m) {
            ADD_FAILURE() << m.status().message();
            return OpTestResult::Failed;
        }
        dout.push_back(DeviceTensor{m->get(), off, {stored(o.dtype), o.shape}});
        mems.push_back(std::move(*m));
    }
    st = p.op->runDevice(cl, din, dout);
    if (st) st = ctx->finish();
    if (!st) {
        ADD_FAILURE() << describe(node) << ": runDevice: " << st.message();
        return OpTestResult::Failed;
    }
    bool ok = true;
    for (size_t i = 0; i < dout.size(); ++i) {
        Tensor got(dout[i].info.dtype, p.outputs[i].shape);
        if (got.bytes()) {
            st = ctx->read(dout[i].mem, dout[i].offset, got.bytes(), got.raw());
            if (!st) {
                ADD_FAILURE() << st.message();
                return OpTestResult::Failed;
            }
        }
        got = convertFloat(got, p.outputs[i].dtype);
        const std::string problem = compareTensors(ref[i], got, tol);
        if (!problem.empty()) {
            ADD_FAILURE() << describe(node) << (half ? " [fp16 storage]" : "") << " output " << i
                          << " ("
                          << shapeString(p.outputs[i].shape) << "): " << problem;
            ok = false;
        }
    }
    return ok ? OpTestResult::Passed : OpTestResult::Failed;
}

Tensor randomTensor(const Shape& shape, std::mt19937& rng, float lo, float hi) {
    Tensor t(DType::Float32, shape);
    std::uniform_real_distribution<float> d(lo, hi);
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.elements(); ++i) p[i] = d(rng);
    return t;
}

Tensor floats(const Shape& shape, const std::vector<float>& v) {
    EXPECT_EQ(int64_t(v.size()), elementCount(shape));
    return Tensor(DType::Float32, shape, v.data());
}

Tensor int64s(const Shape& shape, const std::vector<int64_t>& v) {
    EXPECT_EQ(int64_t(v.size()), elementCount(shape));
    return Tensor(DType::Int64, shape, v.data());
}

std::vector<float> values(const Tensor& t) {
    std::vector<float> v;
    for (int64_t i = 0; i < t.elements(); ++i) {
        switch (t.dtype()) {
        case DType::Float32: v.push_back(t.data<float>()[i]); break;
        case DType::Int64: v.push_back(float(t.data<int64_t>()[i])); break;
        case DType::Int32: v.push_back(float(t.data<int32_t>()[i])); break;
        default: ADD_FAILURE() << "values(): unexpected dtype " << dtypeName(t.dtype()); return v;
        }
    }
    return v;
}

std::vector<int64_t> intValues(const Tensor& t) {
    std::vector<int64_t> v;
    for (int64_t i = 0; i < t.elements(); ++i) {
        if (t.dtype() == DType::Int64) v.push_back(t.data<int64_t>()[i]);
        else if (t.dtype() == DType::Int32) v.push_back(t.data<int32_t>()[i]);
        else ADD_FAILURE() << "intValues(): unexpected dtype " << dtypeName(t.dtype());
    }
    return v;
}

std::string compareTensors(const Tensor& ref, const Tensor& got, Tolerance tol) {
    std::ostringstream s;
    if (ref.dtype() != got.dtype() || ref.shape() != got.shape()) {
        s << "got " << dtypeName(got.dtype()) << " " << shapeString(got.shape()) << ", want "
          << dtypeName(ref.dtype()) << " " << shapeString(ref.shape());
        return s.str();
    }
    if (ref.dtype() != DType::Float32) {
        if (ref.bytes() && std::memcmp(ref.raw(), got.raw(), ref.bytes()) != 0) {
            const size_t es = dtypeSize(ref.dtype());
            for (size_t i = 0; i < ref.bytes(); ++i)
                if (static_cast<const uint8_t*>(ref.raw())[i] !=
                    static_cast<const uint8_t*>(got.raw())[i]) {
                    s << "differs at element " << i / es << " (exact dtype "
                      << dtypeName(ref.dtype()) << ")";
                    break;
                }
        }
        return s.str();
    }
    const float* r = ref.data<float>();
    const float* g = got.data<float>();
    double maxAbs = 0, maxRef = 0, err2 = 0, ref2 = 0;
    int64_t worst = -1;
    for (int64_t i = 0; i < ref.elements(); ++i) {
        if (std::isnan(r[i]) || std::isnan(g[i])) {
            if (std::isnan(r[i]) && std::isnan(g[i])) continue;
            s << "NaN mismatch at " << i << ": ref " << r[i] << " dev " << g[i];
            return s.str();
        }
        if (std::isinf(r[i]) || std::isinf(g[i])) {
            if (r[i] == g[i]) continue;
            s << "inf mismatch at " << i << ": ref " << r[i] << " dev " << g[i];
            return s.str();
        }
        const double d = std::fabs(double(r[i]) - double(g[i]));
        if (d > maxAbs) maxAbs = d, worst = i;
        maxRef = std::max(maxRef, std::fabs(double(r[i])));
        err2 += d * d;
        ref2 += double(r[i]) * double(r[i]);
    }
    const double nmse = ref2 > 0 ? err2 / ref2 : err2;
    if (maxAbs > tol.maxAbs * std::max(1.0, maxRef) || nmse > tol.nmse) {
        s << "max abs diff " << maxAbs << " at " << worst << " (ref " << r[worst] << ", dev "
          << g[worst] << "), max |ref| " << maxRef << ", NMSE " << nmse << " (tolerance "
          << tol.maxAbs << " x max(1,|ref|), NMSE " << tol.nmse << ")";
    }
    return s.str();
}

}  // namespace sl::nn::test
