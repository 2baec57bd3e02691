#!/usr/bin/env python3
"""Independent YOLOX reference: OpenCV's DNN module (Debian python3-opencv) runs the same ONNX
model, with preprocessing, grid decoding and NMS written here in numpy/cv2 (no Sightline code
involved). Used by tests/engine/detect_image_test.cpp (at test time) and as the OpenCV peer of
bench/bench_analyze.cpp.

usage:
  yolox_opencv_reference.py image MODEL.onnx IMAGE [CONF] [NMS]
      prints one JSON object: {"width", "height", "detections": [{"class", "score", "box"}]}
      with boxes [x1, y1, x2, y2] in source pixels.
  yolox_opencv_reference.py video MODEL.onnx VIDEO FRAMES [CONF] [NMS]
      a complete OpenCV pipeline (VideoCapture, letterbox, DNN, decode, NMS, drawing the boxes)
      over the first FRAMES frames (0 = all) after one warm-up inference; prints one line:
      opencv <version> frames=<n> seconds=<s> fps=<f> detections=<n>

Preprocessing follows YOLOX's own demo (yolox/data/data_augment.py preproc): r = min(416/h, 416/w),
cv2.resize INTER_LINEAR to (int(w*r), int(h*r)), placed top-left on a 114-filled 416x416 canvas,
BGR 0..255 float, NCHW. Decoding follows yolox/utils/demo_utils.py demo_postprocess.
"""
import json
import sys
import time

import cv2
import numpy as np

SIZE = 416
STRIDES = (8, 16, 32)


def load(model):
    net = cv2.dnn.readNetFromONNX(model)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return net


def preprocess(img):
    h, w = img.shape[:2]
    r = min(SIZE / h, SIZE / w)
    resized = cv2.resize(img, (int(w * r), int(h * r)), interpolation=cv2.INTER_LINEAR)
    canvas = np.full((SIZE, SIZE, 3), 114, dtype=np.uint8)
    canvas[:resized.shape[0], :resized.shape[1]] = resized
    blob = canvas.transpose(2, 0, 1)[None].astype(np.float32)
    return blob, r


def grids():
    cells, strides = [], []
    for s in STRIDES:
        n = SIZE // s
        ys, xs = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        cells.append(np.stack([xs, ys], axis=-1).reshape(-1, 2))
        strides.append(np.full((n * n, 1), s))
    return np.concatenate(cells).astype(np.float32), np.concatenate(strides).astype(np.float32)


CELLS, CELL_STRIDES = grids()


def decode(out, r, w, h, conf, nms):
    out = out.reshape(-1, 85)
    xy = (out[:, :2] + CELLS) * CELL_STRIDES
    wh = np.exp(out[:, 2:4]) * CELL_STRIDES
    scores = out[:, 4:5] * out[:, 5:]
    cls = scores.argmax(1)
    score = scores[np.arange(len(cls)), cls]
    keep = score > conf
    xy, wh, cls, score = xy[keep], wh[keep], cls[keep], score[keep]
    x1y1 = (xy - wh / 2) / r
    x2y2 = (xy + wh / 2) / r
    dets = []
    # Class-aware NMS: one cv2.dnn.NMSBoxes per class.
    for c in np.unique(cls):
        idx = np.where(cls == c)[0]
        rects = [[float(x1y1[i, 0]), float(x1y1[i, 1]), float(x2y2[i, 0] - x1y1[i, 0]),
                  float(x2y2[i, 1] - x1y1[i, 1])] for i in idx]
        kept = cv2.dnn.NMSBoxes(rects, [float(score[i]) for i in idx], conf, nms)
        for k in np.array(kept).reshape(-1):
            i = idx[int(k)]
            box = [min(max(float(x1y1[i, 0]), 0.0), w), min(max(float(x1y1[i, 1]), 0.0), h),
                   min(max(float(x2y2[i, 0]), 0.0), w), min(max(float(x2y2[i, 1]), 0.0), h)]
            dets.append({"class": int(c), "score": float(score[i]), "box": box})
    dets.sort(key=lambda d: -d["score"])
    return dets


def run_image(model, path, conf, nms):
    net = load(model)
    img = cv2.imread(path)
    if img is None:
        sys.exit("cannot read " + path)
    blob, r = preprocess(img)
    net.setInput(blob)
    out = net.forward()
    h, w = img.shape[:2]
    print(json.dumps({"width": w, "height": h, "detections": decode(out, r, w, h, conf, nms)}))


def run_video(model, path, frames, conf, nms):
    net = load(model)
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        sys.exit("cannot open " + path)
    net.setInput(np.zeros((1, 3, SIZE, SIZE), np.float32))
    net.forward()   # warm-up, like the Sightline side's first-frame kernel builds
    n = total = 0
    t0 = time.perf_counter()
    while frames == 0 or n < frames:
        ok, img = cap.read()
        if not ok:
            break
        blob, r = preprocess(img)
        net.setInput(blob)
        out = net.forward()
        h, w = img.shape[:2]
        dets = decode(out, r, w, h, conf, nms)
        for d in dets:   # drawing, as a viewer would
            x1, y1, x2, y2 = (int(v) for v in d["box"])
            cv2.rectangle(img, (x1, y1), (x2, y2), (0, 255, 0), 2)
        total += len(dets)
        n += 1
    s = time.perf_counter() - t0
    print("opencv %s frames=%d seconds=%.3f fps=%.3f detections=%d threads=%d" %
          (cv2.__version__, n, s, n / s if s > 0 else 0, total, cv2.getNumThreads()))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, model, path = sys.argv[1:4]
    rest = sys.argv[4:]
    if mode == "image":
        conf = float(rest[0]) if len(rest) > 0 else 0.3
        nms = float(rest[1]) if len(rest) > 1 else 0.45
        run_image(model, path, conf, nms)
    elif mode == "video":
        frames = int(rest[0]) if rest else 0
        conf = float(rest[1]) if len(rest) > 1 else 0.3
        nms = float(rest[2]) if len(rest) > 2 else 0.45
        run_video(model, path, frames, conf, nms)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
