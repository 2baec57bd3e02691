#pragma once
// Host tensors of the inference engine: dtype + shape + contiguous row-major bytes. Used for
// constants (initializers), CPU reference execution (the test oracle), .npy I/O and test data.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sl::nn {

enum class DType : uint8_t { Float32, Float16, Float64, Int64, Int32, Int8, UInt8, Bool };

size_t dtypeSize(DType t);
const char* dtypeName(DType t);          // "float32", "int64", ...

using Shape = std::vector<int64_t>;
int64_t elementCount(const Shape& s);    // 1 for a scalar (rank 0)
std::string shapeString(const Shape& s); // "1x3x416x416", "scalar"

// What is known about a value before it runs: dtype and static shape.
struct TensorInfo {
    DType dtype = DType::Float32;
    Shape shape;
};

class Tensor {
public:
    Tensor() = default;
    Tensor(DType dtype, Shape shape);                      // zero-filled
    Tensor(DType dtype, Shape shape, const void* bytes);   // copies elementCount*size bytes

    DType dtype() const { return dtype_; }
    const Shape& shape() const { return shape_; }
    TensorInfo info() const { return {dtype_, shape_}; }
    int rank() const { return int(shape_.size()); }
    int64_t elements() const { return elementCount(shape_); }
    size_t bytes() const { return data_.size(); }
    bool empty() const { return data_.empty() && shape_.empty(); }

    void* raw() { return data_.data(); }
    const void* raw() const { return data_.data(); }
    template <class T> T* data() { return reinterpret_cast<T*>(data_.data()); }
    template <class T> const T* data() const { return reinterpret_cast<const T*>(data_.data()); }

    // Same bytes, new shape with the same element count (Reshape/Flatten/Squeeze on the host).
    Tensor reshaped(Shape shape) const;

private:
    DType dtype_ = DType::Float32;
    Shape shape_;
    std::vector<uint8_t> data_;   // operator new alignment (16) suffices for every dtype here
};

}  // namespace sl::nn
