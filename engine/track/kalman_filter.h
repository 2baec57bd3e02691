#pragma once
// KalmanFilter: the constant-velocity filter of SORT / DeepSORT / ByteTrack on the measurement
// (cx, cy, a, h) = box centre, aspect ratio w / h and height, state = measurement + its velocity.
// Noise is proportional to the height, with the paper's weights (position 1/20, velocity 1/160);
// the aspect ratio gets fixed small noise. It knows nothing of tracks.
//
// Templated on the scalar: the official ncnn deployment computes in float (the `ncnn` preset's
// parity needs the same rounding), the official Python implementation in float64 (`reference`).

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace sl::track {

template <class S>
class KalmanFilter {
public:
    using Measurement = Eigen::Matrix<S, 4, 1>;
    using Mean = Eigen::Matrix<S, 8, 1>;
    using Covariance = Eigen::Matrix<S, 8, 8>;

    static constexpr S kStdWeightPosition = S(1) / S(20);
    static constexpr S kStdWeightVelocity = S(1) / S(160);

    // A new track from an unassociated measurement: zero velocity, uncertainty from its height.
    static void initiate(const Measurement& z, Mean& mean, Covariance& cov) {
        mean.template head<4>() = z;
        mean.template tail<4>().setZero();
        const S h = z(3);
        Mean std;
        std << 2 * kStdWeightPosition * h, 2 * kStdWeightPosition * h, S(1e-2),
            2 * kStdWeightPosition * h, 10 * kStdWeightVelocity * h, 10 * kStdWeightVelocity * h,
            S(1e-5), 10 * kStdWeightVelocity * h;
        cov = std.array().square().matrix().asDiagonal();
    }

    // One step ahead (dt = 1 frame): x += v, P = F P F^T + Q. F is sparse (identity plus the
    // velocity block), so the products are written out instead of multiplying 8x8 matrices.
    static void predict(Mean& mean, Covariance& cov) {
        const S h = mean(3);
        Mean std;
        std << kStdWeightPosition * h, kStdWeightPosition * h, S(1e-2), kStdWeightPosition * h,
            kStdWeightVelocity * h, kStdWeightVelocity * h, S(1e-5), kStdWeightVelocity * h;
        mean.template head<4>() += mean.template tail<4>();
        // F P: rows 0..3 += rows 4..7; then (F P) F^T: columns 0..3 += columns 4..7.
        cov.template topRows<4>() += cov.template bottomRows<4>();
        cov.template leftCols<4>() += cov.template rightCols<4>();
        cov.diagonal() += std.array().square().matrix();
    }

    // Measurement update: K = P H^T S^-1 by Cholesky of the projected covariance S.
    static void update(Mean& mean, Covariance& cov, const Measurement& z) {
        const S h = mean(3);
        Eigen::Matrix<S, 4, 1> stdR;
        stdR << kStdWeightPosition * h, kStdWeightPosition * h, S(1e-1), kStdWeightPosition * h;
        // H = [I 0]: H x is the first four states, H P H^T the top-left block.
        Eigen::Matrix<S, 4, 4> projectedCov = cov.template topLeftCorner<4, 4>();
        projectedCov.diagonal() += stdR.array().square().matrix();
        const Eigen::Matrix<S, 4, 1> innovation = z - mean.template head<4>();
        // P H^T = the first four columns of P; K^T = S^-1 (P H^T)^T.
        const Eigen::Matrix<S, 4, 8> pht = cov.template leftCols<4>().transpose();
        const Eigen::Matrix<S, 8, 4> gain = projectedCov.llt().solve(pht).transpose();
        mean += gain * innovation;
        cov -= gain * projectedCov * gain.transpose();
    }
};

}  // namespace sl::track
