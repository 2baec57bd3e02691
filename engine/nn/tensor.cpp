#include "nn/tensor.h"

#include <algorithm>
#include <cstring>

namespace sl::nn {

size_t dtypeSize(DType t) {
    switch (t) {
    case DType::Float32: return 4;
    case DType::Float16: return 2;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::Int32: return 4;
    case DType::Int8: return 1;
    case DType::UInt8: return 1;
    case DType::Bool: return 1;
    }
    return 0;
}

const char* dtypeName(DType t) {
    switch (t) {
    case DType::Float32: return "float32";
    case DType::Float16: return "float16";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::Int32: return "int32";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Bool: return "bool";
    }
    return "unknown";
}

int64_t elementCount(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

std::string shapeString(const Shape& s) {
    if (s.empty()) return "scalar";
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += 'x';
        out += std::to_string(s[i]);
    }
    return out;
}

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)),
      // A negative (unresolved) dimension yields no storage rather than a huge allocation.
      data_(size_t(std::max<int64_t>(elementCount(shape_), 0)) * dtypeSize(dtype), 0) {}

Tensor::Tensor(DType dtype, Shape shape, const void* bytes) : Tensor(dtype, std::move(shape)) {
    if (bytes && !data_.empty()) std::memcpy(data_.data(), bytes, data_.size());
}

Tensor Tensor::reshaped(Shape shape) const {
    Tensor t;
    t.dtype_ = dtype_;
    t.shape_ = std::move(shape);
    t.data_ = data_;
    return t;
}

}  // namespace sl::nn
