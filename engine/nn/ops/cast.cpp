#include "nn/ops/cast.h"

#include <cmath>
#include <cstring>

namespace sl::nn {
namespace {

// ONNX TensorProto.DataType values.
bool fromOnnx(int64_t t, DType& d) {
    switch (t) {
    case 1: d = DType::Float32; return true;
    case 2: d = DType::UInt8; return true;
    case 3: d = DType::Int8; return true;
    case 6: d = DType::Int32; return true;
    case 7: d = DType::Int64; return true;
    case 9: d = DType::Bool; return true;
    case 10: d = DType::Float16; return true;
    case 11: d = DType::Float64; return true;
    default: return false;
    }
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h >> 15) << 31;
    const int exp = (h >> 10) & 0x1f;
    const uint32_t mant = h & 0x3ff;
    float f;
    if (exp == 0) f = std::ldexp(float(mant), -24);
    else if (exp == 31) f = mant ? NAN : INFINITY;
    else f = std::ldexp(float(mant | 0x400), exp - 25);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits |= sign;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Round to nearest even, overflow to infinity, subnormals kept.
uint16_t floatToHalf(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffff;
    if (ax >= 0x7f800000) return sign | (ax > 0x7f800000 ? 0x7e00 : 0x7c00);
    if (ax >= 0x477ff000) return sign | 0x7c00;   // rounds past 65504
    if (ax < 0x38800000) {                        // subnormal half (or zero)
        const float a = std::fabs(f) * 16777216.0f;   // in units of 2^-24
        return sign | uint16_t(std::nearbyint(a));
    }
    const uint32_t mant = ax & 0x7fffff;
    const uint32_t exp = (ax >> 23) - 112;
    uint32_t h = (exp << 10) | (mant >> 13);
    const uint32_t rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
    return sign | uint16_t(h);
}

double load(const void* p, DType t, int64_t i) {
    switch (t) {
    case DType::Float32: return static_cast<const float*>(p)[i];
    case DType::Float64: return static_cast<const double*>(p)[i];
    case DType::Float16: return halfToFloat(static_cast<const uint16_t*>(p)[i]);
    case DType::Int64: return double(static_cast<const int64_t*>(p)[i]);
    case DType::Int32: return static_cast<const int32_t*>(p)[i];
    case DType::Int8: return static_cast<const int8_t*>(p)[i];
    case DType::UInt8: return static_cast<const uint8_t*>(p)[i];
    case DType::Bool: return static_cast<const uint8_t*>(p)[i] ? 1 : 0;
    }
    return 0;
}

void store(void* p, DType t, int64_t i, double v) {
    switch (t) {
    case DType::Float32: static_cast<float*>(p)[i] = float(v); break;
    case DType::Float64: static_cast<double*>(p)[i] = v; break;
    case DType::Float16: static_cast<uint16_t*>(p)[i] = floatToHalf(float(v)); break;
    case DType::Int64: static_cast<int64_t*>(p)[i] = int64_t(v); break;
    case DType::Int32: static_cast<int32_t*>(p)[i] = int32_t(v); break;
    case DType::Int8: static_cast<int8_t*>(p)[i] = int8_t(int32_t(v)); break;
    case DType::UInt8: static_cast<uint8_t*>(p)[i] = uint8_t(int32_t(v)); break;
    case DType::Bool: static_cast<uint8_t*>(p)[i] = v != 0 ? 1 : 0; break;
    }
}

}  // namespace

Expected<std::unique_ptr<Op>> Cast::create(const NodeDesc& node) {
    std::unique_ptr<Cast> op(new Cast(node));
    const int64_t to = node.attributes.get<int64_t>("to", 0);
    if (!fromOnnx(to, op->to_))
        return nodeError(node, "cast to ONNX type " + std::to_string(to) + " is not supported",
                         StatusCode::Unsupported);
    return std::unique_ptr<Op>(std::move(op));
}

Status Cast::inferOutputs(std::span<const TensorInfo* const> inputs,
                          std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    from_ = inputs[0]->dtype;
    count_ = elementCount(inputs[0]->shape);
    outputs = {TensorInfo{to_, inputs[0]->shape}};
    return Status::ok();
}

Status Cast::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const void* src = inputs[0]->raw();
    void* dst = outputs[0].raw();
    if (from_ == to_) {
        std::memcpy(dst, src, inputs[0]->bytes());
        return Status::ok();
    }
    // int64 -> int64-ish paths must not lose precision through double.
    if (from_ == DType::Int64 && to_ == DType::Int32) {
        for (int64_t i = 0; i < count_; ++i)
            static_cast<int32_t*>(dst)[i] = int32_t(static_cast<const int64_t*>(src)[i]);
        return Status::ok();
    }
    if (from_ == DType::Int64 && to_ == DType::Bool) {
        for (int64_t i = 0; i < count_; ++i)
            static_cast<uint8_t*>(dst)[i] = static_cast<const int64_t*>(src)[i] != 0;
        return Status::ok();
    }
    for (int64_t i = 0; i < count_; ++i) store(dst, to_, i, load(src, from_, i));
    return Status::ok();
}

}  // namespace sl::nn
