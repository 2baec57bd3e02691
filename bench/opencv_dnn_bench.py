#!/usr/bin/env python3
"""Peer for bench_model: runs an ONNX model with OpenCV's DNN module (Debian python3-opencv) on the
same random input and prints one machine-readable line:

    opencv <version> backend=<name> median_ms=<m> min_ms=<m> warmup=<n> runs=<n>

usage: opencv_dnn_bench.py MODEL.onnx WIDTH HEIGHT WARMUP RUNS [cpu|opencl|opencl_fp16]
"opencl" selects DNN_TARGET_OPENCL (OpenCV's own OpenCL path), "opencl_fp16" DNN_TARGET_OPENCL_FP16
(OpenCV stores and computes in half there; it falls back to fp32 OpenCL on devices without
cl_khr_fp16, and says so on stderr); the default is OpenCV's CPU path.
"""
import statistics
import sys
import time

import cv2
import numpy as np


def main():
    model, w, h, warmup, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5])
    target = sys.argv[6] if len(sys.argv) > 6 else "cpu"
    net = cv2.dnn.readNetFromONNX(model)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    targets = {"cpu": cv2.dnn.DNN_TARGET_CPU, "opencl": cv2.dnn.DNN_TARGET_OPENCL,
               "opencl_fp16": cv2.dnn.DNN_TARGET_OPENCL_FP16}
    if target not in targets:
        sys.exit("opencv_dnn_bench.py: unknown target '%s' (cpu, opencl, opencl_fp16)" % target)
    net.setPreferableTarget(targets[target])
    rng = np.random.default_rng(42)
    blob = rng.uniform(0, 255, size=(1, 3, h, w)).astype(np.float32)
    times = []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        net.setInput(blob)
        net.forward()
        t = (time.perf_counter() - t0) * 1e3
        if i >= warmup:
            times.append(t)
    ocl = ""
    if target != "cpu":
        ocl = " opencl_device=%s" % (cv2.ocl.Device.getDefault().name().replace(" ", "_")
                                     if cv2.ocl.haveOpenCL() else "none")
    print("opencv %s backend=%s median_ms=%.3f min_ms=%.3f warmup=%d runs=%d threads=%d%s" %
          (cv2.__version__, target, statistics.median(times), min(times), warmup, runs,
           cv2.getNumThreads(), ocl))


if __name__ == "__main__":
    main()
