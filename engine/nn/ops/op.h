#pragma once
// The op contract of the inference engine (ncnn Layer / ggml backend-op style): one Op object per
// graph node, created by the registry from the node's description. Every op has a CPU reference
// path (the oracle every test compares against); an OpenCL path is optional and declared by
// hasDevicePath(). The runtime never runs a node silently on the CPU: a node without a device path
// is refused, or runs on the reference only when the user allowed it (and that is logged).
//
// Shapes are static: the runtime calls inferOutputs() once with the inputs' TensorInfo (and the
// values of constant inputs, for shape-carrying inputs such as Reshape's shape or Slice's starts),
// then runs the node any number of times with tensors of exactly those shapes.

#include <CL/cl.h>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "nn/tensor.h"

namespace sl::compute {
class ComputeContext;
class ProgramCache;
struct DeviceInfo;
}  // namespace sl::compute

namespace sl::nn {

class KernelTuner;

using AttributeValue = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                                    std::vector<float>, std::vector<std::string>, Tensor>;

class Attributes {
public:
    void set(const std::string& name, AttributeValue v) { values_[name] = std::move(v); }
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    const AttributeValue* find(const std::string& name) const {
        auto it = values_.find(name);
        return it == values_.end() ? nullptr : &it->second;
    }
    // Typed access with a default; a present attribute of another type is an error the op
    // reports in its factory (get() then returns the default).
    template <class T> T get(const std::string& name, T fallback = T{}) const {
        const AttributeValue* v = find(name);
        if (!v) return fallback;
        if (const T* t = std::get_if<T>(v)) return *t;
        return fallback;
    }
    const std::map<std::string, AttributeValue>& all() const { return values_; }

private:
    std::map<std::string, AttributeValue> values_;
};

// Fused activation carried by Conv (and Gemm/MatMul where useful) after the fusion pass. The pass
// sets the attributes "sl_activation" (string: "relu", "leaky_relu", "clip", "sigmoid", "silu",
// "hard_swish", "hard_sigmoid") and its parameters "sl_alpha", "sl_beta" (float: LeakyRelu alpha,
// Clip min/max, HardSigmoid alpha/beta). Ops that support fusion read them in their factory.
inline constexpr const char* kFusedActivationAttr = "sl_activation";
inline constexpr const char* kFusedAlphaAttr = "sl_alpha";
inline constexpr const char* kFusedBetaAttr = "sl_beta";

struct NodeDesc {
    std::string opType;      // ONNX op type, e.g. "Conv"
    std::string name;        // node name (or "<opType>_<n>" when the model gives none)
    int opset = 13;          // the model's ai.onnx opset version
    Attributes attributes;
    int inputCount = 0;      // present inputs (optional ONNX inputs that are empty are nullptr
                             // in inferOutputs/run spans)
    int outputCount = 1;
};

// A value on the OpenCL device: bytes [offset, offset + elements * dtypeSize) of `mem`.
struct DeviceTensor {
    cl_mem mem = nullptr;
    size_t offset = 0;
    TensorInfo info;
};

// What a device path needs: the context (device facts, buffers), its queue and the program cache.
struct ClOpContext {
    const compute::ComputeContext* compute = nullptr;
    compute::ProgramCache* programs = nullptr;
    cl_command_queue queue = nullptr;
    // Session preparation only: measured per-device kernel choices (null: fixed defaults).
    KernelTuner* tuner = nullptr;
    // fp16 storage: every float32 tensor on the device (activations, weights, the bytes a
    // DeviceTensor of dtype float32 points at) is stored as half; arithmetic stays float.
    // buildKernel compiles the -DSL_FP16=1 variant; element sizes come from storageSize().
    bool halfStorage = false;
};

class Op {
public:
    virtual ~Op() = default;

    // Output dtypes/shapes from the inputs. `constants[i]` is the value of input i when it is a
    // constant (initializer or folded), else nullptr. Called once before any run.
    virtual Status inferOutputs(std::span<const TensorInfo* const> inputs,
                                std::span<const Tensor* const> constants,
                                std::vector<TensorInfo>& outputs) = 0;

    // CPU reference: plain loops, correct first (the oracle). `outputs` arrive allocated with the
    // inferred shapes. Absent optional inputs are nullptr.
    virtual Status runReference(std::span<const Tensor* const> inputs,
                                std::span<Tensor> outputs) = 0;

    // (optional) OpenCL path. hasDevicePath() says whether this node (with its attributes and
    // inferred shapes) can run on `device`; prepareDevice() builds kernels and uploads constants
    // once; runDevice() only enqueues work on ctx.queue (in order), never waits.
    virtual bool hasDevicePath(const compute::DeviceInfo& /*device*/) const { return false; }
    virtual Status prepareDevice(const ClOpContext& /*ctx*/,
                                 std::span<const Tensor* const> /*constants*/) {
        return Status(StatusCode::Unsupported, "no OpenCL path");
    }
    virtual Status runDevice(const ClOpContext& /*ctx*/, std::span<const DeviceTensor> /*inputs*/,
                             std::span<const DeviceTensor> /*outputs*/) {
        return Status(StatusCode::Unsupported, "no OpenCL path");
    }

    // Rough cost for profiles and planning (0 if unknown).
    virtual double flops() const { return 0; }
};

// Creates the Op for a node; an unknown op type or unsupported attribute is an error naming the
// op, the node and the reason ("nn/Conv 'conv_3': auto_pad 'FOO' is not supported").
using OpFactory = Expected<std::unique_ptr<Op>> (*)(const NodeDesc& node);

}  // namespace sl::nn
