#include "nn/tensor_util.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

namespace sl::nn {

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {   // subnormal: normalise
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ff;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t floatToHalf(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000);
    const uint32_t absx = x & 0x7fffffff;
    if (absx >= 0x7f800000) return sign | (absx > 0x7f800000 ? 0x7e00 : 0x7c00);
    if (absx >= 0x477ff000) return sign | 0x7c00;   // rounds to >= 65520: infinity
    if (absx < 0x38800000) {                         // below the smallest normal half
        const float a = std::fabs(f) * 16777216.f;   // 2^24: subnormal units
        return sign | uint16_t(std::nearbyint(a));
    }
    uint32_t mant = absx & 0x7fffff;
    uint32_t exp = (absx >> 23) - 127 + 15;
    uint32_t h = (exp << 10) | (mant >> 13);
    const uint32_t rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
    return sign | uint16_t(h);
}

Tensor convertFloat(const Tensor& t, DType to) {
    if (t.dtype() == DType::Float32 && to == DType::Float16) {
        Tensor r(to, t.shape());
        const float* s = t.data<float>();
        uint16_t* d = r.data<uint16_t>();
        for (int64_t i = 0; i < t.elements(); ++i) d[i] = floatToHalf(s[i]);
        return r;
    }
    if (t.dtype() == DType::Float16 && to == DType::Float32) {
        Tensor r(to, t.shape());
        const uint16_t* s = t.data<uint16_t>();
        float* d = r.data<float>();
        for (int64_t i = 0; i < t.elements(); ++i) d[i] = halfToFloat(s[i]);
        return r;
    }
    return t;
}

std::vector<double> toDoubles(const Tensor& t) {
    std::vector<double> v(size_t(t.elements()));
    for (size_t i = 0; i < v.size(); ++i) {
        switch (t.dtype()) {
        case DType::Float32: v[i] = t.data<float>()[i]; break;
        case DType::Float16: v[i] = halfToFloat(t.data<uint16_t>()[i]); break;
        case DType::Float64: v[i] = t.data<double>()[i]; break;
        case DType::Int64: v[i] = double(t.data<int64_t>()[i]); break;
        case DType::Int32: v[i] = t.data<int32_t>()[i]; break;
        case DType::Int8: v[i] = t.data<int8_t>()[i]; break;
        case DType::UInt8: v[i] = t.data<uint8_t>()[i]; break;
        case DType::Bool: v[i] = t.data<uint8_t>()[i] ? 1 : 0; break;
        }
    }
    return v;
}

Tensor randomTensor(const TensorInfo& info, uint64_t seed, float lo, float hi) {
    Tensor t(info.dtype, info.shape);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> real(lo, hi);
    std::uniform_int_distribution<int> ints(0, 9);
    for (int64_t i = 0; i < t.elements(); ++i) {
        switch (t.dtype()) {
        case DType::Float32: t.data<float>()[i] = real(rng); break;
        case DType::Float16: t.data<uint16_t>()[i] = floatToHalf(real(rng)); break;
        case DType::Float64: t.data<double>()[i] = real(rng); break;
        case DType::Int64: t.data<int64_t>()[i] = ints(rng); break;
        case DType::Int32: t.data<int32_t>()[i] = ints(rng); break;
        case DType::Int8: t.data<int8_t>()[i] = int8_t(ints(rng)); break;
        case DType::UInt8: t.data<uint8_t>()[i] = uint8_t(ints(rng)); break;
        case DType::Bool: t.data<uint8_t>()[i] = uint8_t(ints(rng) & 1); break;
        }
    }
    return t;
}

double relativeL2Error(const Tensor& a, const Tensor& b) {
    if (a.shape() != b.shape()) return std::numeric_limits<double>::infinity();
    const auto x = toDoubles(a), y = toDoubles(b);
    double num = 0, den = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        num += (x[i] - y[i]) * (x[i] - y[i]);
        den += y[i] * y[i];
    }
    return std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
}

CompareResult compareTensors(const Tensor& actual, const Tensor& expected, double rtol,
                             double atol) {
    CompareResult r;
    if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape()) {
        r.ok = false;
        r.message = std::string("got ") + dtypeName(actual.dtype()) + " " +
                    shapeString(actual.shape()) + ", expected " + dtypeName(expected.dtype()) +
                    " " + shapeString(expected.shape());
        return r;
    }
    const auto x = toDoubles(actual), y = toDoubles(expected);
    int64_t worst = -1;
    double worstExcess = -1;
    for (size_t i = 0; i < x.size(); ++i) {
        if (std::isnan(x[i]) && std::isnan(y[i])) continue;
        if (x[i] == y[i]) continue;   // equal infinities too
        const double err = std::fabs(x[i] - y[i]);
        const double allowed = atol + rtol * std::fabs(y[i]);
        if (!std::isnan(err)) r.maxAbsError = std::max(r.maxAbsError, err);
        if (!(err <= allowed)) {
            ++r.mismatches;
            const double excess = std::isnan(err) ? 1e300 : err - allowed;
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = int64_t(i);
            }
        }
    }
    if (r.mismatches) {
        r.ok = false;
        std::ostringstream s;
        s << r.mismatches << " of " << x.size() << " elements differ; worst at " << worst << ": "
          << x[size_t(worst)] << " vs " << y[size_t(worst)] << " (max abs error "
          << r.maxAbsError << ")";
        r.message = s.str();
    }
    return r;
}

}  // namespace sl::nn
