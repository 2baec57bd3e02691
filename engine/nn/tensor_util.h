#pragma once
// Host tensor helpers shared by the runtime, the CLI and the tests: half-float conversion, random
// inputs, and comparisons (relative L2, numpy-style allclose).

#include <cstdint>
#include <string>
#include <vector>

#include "nn/tensor.h"

namespace sl::nn {

float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);   // round to nearest even

// Float32 <-> Float16 copy of `t` (round to nearest even; the session's fp16 storage); any
// other pair of dtypes returns `t` unchanged.
Tensor convertFloat(const Tensor& t, DType to);

// Every element as double (bool/ints exact, float16 widened).
std::vector<double> toDoubles(const Tensor& t);

// Deterministic random values for `info`: floats uniform in [lo, hi), ints in [0, 10), bools 0/1.
Tensor randomTensor(const TensorInfo& info, uint64_t seed, float lo = -1.f, float hi = 1.f);

// ||a - b|| / max(||b||, tiny); shapes must match (else +inf).
double relativeL2Error(const Tensor& a, const Tensor& b);

struct CompareResult {
    bool ok = true;
    int64_t mismatches = 0;
    double maxAbsError = 0;
    std::string message;   // empty when ok: "3 of 120 elements differ; worst at 17: 1.5 vs 1.2"
};
// numpy.testing.assert_allclose semantics: |actual - expected| <= atol + rtol * |expected|, NaN
// equal to NaN; dtype and shape must match.
CompareResult compareTensors(const Tensor& actual, const Tensor& expected, double rtol,
                             double atol);

}  // namespace sl::nn
