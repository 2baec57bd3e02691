#include "nn/ops/binary.h"

#include <type_traits>

namespace sl::nn {
namespace {

template <class T>
T apply(Binary::Kind k, T a, T b) {
    switch (k) {
    case Binary::Kind::Add: return T(a + b);   // narrow ints wrap, as ONNX Runtime's
    case Binary::Kind::Sub: return T(a - b);
    case Binary::Kind::Mul: return T(a * b);
    case Binary::Kind::Div:
        if constexpr (std::is_integral_v<T>) return b == 0 ? T(0) : T(a / b);
        else return a / b;
    case Binary::Kind::PRelu: return a < T(0) ? T(a * b) : a;
    }
    return a;
}

template <class T>
void run(Binary::Kind k, const Tensor& a, const Tensor& b, Tensor& y, const Shape& shape,
         const std::vector<int64_t>& as, const std::vector<int64_t>& bs) {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    const int64_t n = elementCount(shape);
    const int r = int(shape.size());
    std::vector<int64_t> idx(r, 0);
    int64_t ao = 0, bo = 0;
    for (int64_t i = 0; i < n; ++i) {
        py[i] = apply<T>(k, pa[ao], pb[bo]);
        for (int d = r - 1; d >= 0; --d) {   // odometer increment
            ao += as[d], bo += bs[d];
            if (++idx[d] < shape[d]) break;
            ao -= as[d] * shape[d], bo -= bs[d] * shape[d];
            idx[d] = 0;
        }
    }
}

}  // namespace

Expected<std::unique_ptr<Op>> Binary::create(const NodeDesc& node) {
    std::unique_ptr<Binary> op(new Binary(node));
    const std::string& t = node.opType;
    if (t == "Add") op->kind_ = Kind::Add;
    else if (t == "Sub") op->kind_ = Kind::Sub;
    else if (t == "Mul") op->kind_ = Kind::Mul;
    else if (t == "Div") op->kind_ = Kind::Div;
    else if (t == "PRelu") op->kind_ = Kind::PRelu;
    else return nodeError(node, "not a binary op", StatusCode::Internal);
    if (node.opset < 7 && node.attributes.has("broadcast"))
        return nodeError(node, "legacy broadcast attribute (opset < 7) is not supported",
                         StatusCode::Unsupported);
    return std::unique_ptr<Op>(std::move(op));
}

Status Binary::inferOutputs(std::span<const TensorInfo* const> inputs,
                            std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 2));
    const TensorInfo& a = *inputs[0];
    const TensorInfo& b = *inputs[1];
    if (a.dtype != b.dtype) return fail("input dtypes differ");
    dtype_ = a.dtype;
    if (dtype_ != DType::Float32 && dtype_ != DType::Float64 && dtype_ != DType::Int64 &&
        dtype_ != DType::Int32 && dtype_ != DType::Int8 && dtype_ != DType::UInt8)
        return unsupported(std::string("dtype ") + dtypeName(dtype_) + " is not supported");
    Shape bShape = b.shape;
    // PRelu before opset 7: a 1-D slope of C values is per channel (dim 1), as PyTorch exports
    // it; from 7 on the slope broadcasts numpy-style (unidirectionally).
    if (kind_ == Kind::PRelu && opset_ < 7 && b.shape.size() == 1 && a.shape.size() >= 2 &&
        b.shape[0] == a.shape[1] && b.shape[0] != 1) {
        bShape.assign(a.shape.size() - 1, 1);
        bShape[0] = b.shape[0];
    }
    if (!broadcastShapes(a.shape, bShape, out_))
        return fail("shapes " + shapeString(a.shape) + " and " + shapeString(b.shape) +
                    " do not broadcast");
    if (kind_ == Kind::PRelu && out_ != a.shape)
        return fail("slope " + shapeString(b.shape) + " does not broadcast to X " +
                    shapeString(a.shape));
    aStride_ = broadcastStrides(a.shape, out_);
    bStride_ = broadcastStrides(bShape, out_);
    outputs = {TensorInfo{dtype_, out_}};
    return Status::ok();
}

Status Binary::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    switch (dtype_) {
    case DType::Float32: run<float>(kind_, a, b, outputs[0], out_, aStride_, bStride_); break;
    case DType::Float64: run<double>(kind_, a, b, outputs[0], out_, aStride_, bStride_); break;
    case DType::Int64: run<int64_t>(kind_, a, b, outputs[0], out_, aStride_, bStride_); break;
    case DType::Int32: run<int32_t>(kind_, a, b, outputs[0], out_, aStride_, bStride_); break;
    case DType::Int8: run<int8_t>(kind_, a, b, outputs[0], out_, aStride_, bStride_); break;
    case DType::UInt8: run<uint8_t>(kind_, a, b, outputs[0], out_, aStride_, bStride_); break;
    default: return unsupported("dtype");
    }
    return Status::ok();
}

}  // namespace sl::nn
