#include "vision/yolox_decoder.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace sl::vision {

size_t yoloxRowCount(const YoloxDecodeParams& params) {
    size_t rows = 0;
    for (int s : params.strides)
        if (s > 0) rows += size_t(params.inputWidth / s) * size_t(params.inputHeight / s);
    return rows;
}

Expected<std::vector<Detection>> decodeYolox(std::span<const float> output,
                                             const YoloxDecodeParams& params, const Letterbox& box,
                                             int srcWidth, int srcHeight) {
    const size_t cols = size_t(5 + params.numClasses);
    const size_t rows = yoloxRowCount(params);
    if (params.numClasses <= 0 || params.strides.empty())
        return Status(StatusCode::InvalidArgument, "vision/yolox: no classes or no strides");
    for (int s : params.strides)
        if (s <= 0 || params.inputWidth % s || params.inputHeight % s)
            return Status(StatusCode::InvalidArgument,
                          "vision/yolox: stride " + std::to_string(s) + " does not divide the " +
                              std::to_string(params.inputWidth) + "x" +
                              std::to_string(params.inputHeight) + " input");
    if (output.size() != rows * cols)
        return Status(StatusCode::InvalidArgument,
                      "vision/yolox: output has " + std::to_string(output.size()) +
                          " values, expected " + std::to_string(rows) + " rows x " +
                          std::to_string(cols));
    if (srcWidth <= 0 || srcHeight <= 0 || box.width <= 0 || box.height <= 0)
        return Status(StatusCode::InvalidArgument, "vision/yolox: empty source frame or letterbox");

    // Allowed classes as a mask, so the per-row loop stays a plain scan.
    std::vector<char> allowed(size_t(params.numClasses), params.classFilter.empty() ? 1 : 0);
    for (int c : params.classFilter)
        if (c >= 0 && c < params.numClasses) allowed[size_t(c)] = 1;

    const float sx = float(srcWidth) / float(box.width);
    const float sy = float(srcHeight) / float(box.height);
    std::vector<Detection> candidates;
    const float* row = output.data();
    for (int stride : params.strides) {
        const int gw = params.inputWidth / stride, gh = params.inputHeight / stride;
        for (int gy = 0; gy < gh; ++gy) {
            for (int gx = 0; gx < gw; ++gx, row += cols) {
                const float obj = row[4];
                // obj * class <= obj: a row whose objectness is below the threshold cannot pass.
                if (obj <= params.scoreThreshold) continue;
                int best = -1;
                float bestScore = 0;
                for (int c = 0; c < params.numClasses; ++c) {
                    if (!allowed[size_t(c)]) continue;
                    const float s = obj * row[5 + c];
                    if (best < 0 || s > bestScore) {
                        best = c;
                        bestScore = s;
                    }
                }
                if (best < 0 || bestScore <= params.scoreThreshold) continue;
                const float cx = (row[0] + float(gx)) * float(stride);
                const float cy = (row[1] + float(gy)) * float(stride);
                const float w = std::exp(row[2]) * float(stride);
                const float h = std::exp(row[3]) * float(stride);
                Detection d;
                d.classId = best;
                d.score = bestScore;
                d.box.x1 = (cx - 0.5f * w - float(box.offsetX)) * sx;
                d.box.y1 = (cy - 0.5f * h - float(box.offsetY)) * sy;
                d.box.x2 = (cx + 0.5f * w - float(box.offsetX)) * sx;
                d.box.y2 = (cy + 0.5f * h - float(box.offsetY)) * sy;
                candidates.push_back(d);
            }
        }
    }
    // NMS before clipping, as YOLOX's own postprocess does: clipping first would change the IoU
    // of boxes that leave the frame.
    std::vector<Detection> kept =
        nmsClassAware(std::move(candidates), params.nmsThreshold, params.maxDetections);
    const float w = float(srcWidth), h = float(srcHeight);
    for (Detection& d : kept) {
        d.box.x1 = std::clamp(d.box.x1, 0.0f, w);
        d.box.x2 = std::clamp(d.box.x2, 0.0f, w);
        d.box.y1 = std::clamp(d.box.y1, 0.0f, h);
        d.box.y2 = std::clamp(d.box.y2, 0.0f, h);
    }
    return kept;
}

}  // namespace sl::vision
