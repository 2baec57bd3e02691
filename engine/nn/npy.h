#pragma once
// NumPy .npy files: read format versions 1.0, 2.0 (and 3.0, same layout with a UTF-8 header),
// write 1.0. dtypes: float32, float16, float64, int64, int32, int8, uint8, bool; little- or
// big-endian on read (swapped to host order), C order only (fortran_order arrays are refused).
// Errors: "nn/npy: 'x.npy': <problem>".

#include <filesystem>
#include <string>

#include "core/status.h"
#include "nn/tensor.h"

namespace sl::nn {

Expected<Tensor> readNpy(const std::filesystem::path& path);
Status writeNpy(const std::filesystem::path& path, const Tensor& t);

// The same on memory (the bytes of a whole .npy file); `name` labels error messages.
Expected<Tensor> parseNpy(const std::string& bytes, const std::string& name);
std::string serializeNpy(const Tensor& t);

}  // namespace sl::nn
