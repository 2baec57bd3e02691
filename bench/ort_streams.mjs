#!/usr/bin/env node
// ONNX Runtime peer for Sightline's multi-stream benchmark: how many real-time video sources one
// onnxruntime-node InferenceSession (CPU) holds with YOLOX-Nano detection on every frame, so
// `sightline monitor` numbers can be printed beside it as ratios. Bench only, not CI.
// Install the peer first: packaging/fetch-bench-peers.sh
//
//   node bench/ort_streams.mjs --check [--sightline BIN | --reference detect.json]
//   node bench/ort_streams.mjs --streams N | --sweep  [--seconds S] [--warmup W] [--video PATH]
//                              [--model FILE.onnx] [--threads T] [--json]
//   node bench/ort_streams.mjs --make-video OUT.mp4   (1080p30 H.264 made from vtest.avi)
//
// Model contract (YOLOX-Nano, as engine/vision/yolox_decoder.h): input "images" 1x3x416x416 float,
// BGR 0..255 not normalised, letterboxed top-left with pad 114; output 1x3549x85, grids 52/26/13
// for strides 8/16/32, rows [dx, dy, log w, log h, obj, 80 classes] with sigmoid applied;
// centre = (d + cell) * stride, size = exp(v) * stride, score = obj * best class > 0.3, class-aware
// NMS at IoU 0.45, boxes mapped back through the letterbox and clipped to the frame.
//
// Measurement:
// - Each source is an ffmpeg child (`-re -stream_loop -1`) that decodes, letterboxes (bilinear
//   scale, pad 114 in BGR) and writes bgr24 frames at the video's own rate. A frame is delivered
//   when its last byte is read from the pipe; that instant starts its latency.
// - A source holds at most one pending frame: a newer one replaces it and the replaced one counts
//   as dropped (OBS video-io.c skips and counts, never queues without bound).
// - One scheduler serves the source served least recently that has a pending frame (round robin,
//   fair share) and sends that newest frame to one inference worker: HWC uint8 -> CHW float32,
//   session.run, decode + NMS in JS. Latency = result back on the main thread - delivery.
//   The session lives in a worker thread because onnxruntime-node's run() blocks its thread for
//   the whole inference: on the main thread the pipes would go unread and delivery times would be
//   stamped late, hiding up to one inference of latency.
// - Warm-up, then the measured window: only frames delivered inside it count. At its end the
//   sources stop and the frames still pending are served, so each counted frame is either
//   processed or dropped.
// - N holds when every source processed >= 99% of its frames and its p95 latency <= 200 ms.
//   --sweep tries N = 1, 2, ... while N holds and reports the largest N that held.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const SIZE = 416;
const PAD = 114;
const STRIDES = [8, 16, 32];
const NUM_CLASSES = 80;
const SCORE_THRESHOLD = 0.3;
const NMS_THRESHOLD = 0.45;
const HOLD_FRACTION = 0.99;
const HOLD_P95_MS = 200;
const FRAME_BYTES = SIZE * SIZE * 3;

const COCO = ['person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
  'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
  'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
  'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant',
  'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone',
  'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
  'teddy bear', 'hair drier', 'toothbrush'];

// ---------------------------------------------------------------------------------------------
// onnxruntime-node, from the cache packaging/fetch-bench-peers.sh installs into.

function peersDir() {
  if (process.env.SIGHTLINE_BENCH_PEERS) return process.env.SIGHTLINE_BENCH_PEERS;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'sightline', 'bench-peers');
}

function loadOrt() {
  const dirs = [peersDir(), path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers')];
  for (const dir of dirs) {
    if (!existsSync(path.join(dir, 'node_modules', 'onnxruntime-node'))) continue;
    return createRequire(path.join(dir, 'package.json'))('onnxruntime-node');
  }
  throw new Error(`ort_streams: onnxruntime-node not found in ${dirs.join(' or ')}; ` +
                  'run packaging/fetch-bench-peers.sh');
}

async function createSession(ort, model, threads) {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
}

// ---------------------------------------------------------------------------------------------
// Pre- and post-processing (pure functions; the worker and --check share them).

// Letterbox of a srcW x srcH picture into SIZE x SIZE, top-left (engine/vision/preprocess.h).
function letterbox(srcW, srcH) {
  const s = Math.min(SIZE / srcW, SIZE / srcH);
  return { width: Math.max(1, Math.round(srcW * s)), height: Math.max(1, Math.round(srcH * s)),
           offsetX: 0, offsetY: 0 };
}

// bgr24 HWC bytes -> CHW float32 in `out` (channel order kept: the model wants BGR).
function toChw(hwc, out) {
  const plane = SIZE * SIZE;
  for (let i = 0, j = 0; i < plane; ++i, j += 3) {
    out[i] = hwc[j];
    out[plane + i] = hwc[j + 1];
    out[2 * plane + i] = hwc[j + 2];
  }
}

function iou(a, b) {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

// Rows -> detections in source pixels: best class per row, class-aware NMS, then clipping
// (NMS first, as YOLOX's postprocess and engine/vision/yolox_decoder.cpp do).
function decodeYolox(out, box, srcW, srcH) {
  const cols = 5 + NUM_CLASSES;
  const sx = srcW / box.width, sy = srcH / box.height;
  const cand = [];
  let r = 0;
  for (const stride of STRIDES) {
    const g = SIZE / stride;
    for (let gy = 0; gy < g; ++gy) {
      for (let gx = 0; gx < g; ++gx, r += cols) {
        const obj = out[r + 4];
        if (obj <= SCORE_THRESHOLD) continue;   // obj * class <= obj
        let best = 0, bestScore = obj * out[r + 5];
        for (let c = 1; c < NUM_CLASSES; ++c) {
          const s = obj * out[r + 5 + c];
          if (s > bestScore) { best = c; bestScore = s; }
        }
        if (bestScore <= SCORE_THRESHOLD) continue;
        const cx = (out[r] + gx) * stride, cy = (out[r + 1] + gy) * stride;
        const w = Math.exp(out[r + 2]) * stride, h = Math.exp(out[r + 3]) * stride;
        cand.push({ classId: best, score: bestScore,
                    x1: (cx - w / 2 - box.offsetX) * sx, y1: (cy - h / 2 - box.offsetY) * sy,
                    x2: (cx + w / 2 - box.offsetX) * sx, y2: (cy + h / 2 - box.offsetY) * sy });
      }
    }
  }
  cand.sort((a, b) => b.score - a.score);   // stable: equal scores keep row order
  const kept = [];
  for (const d of cand) {
    if (kept.some((k) => k.classId === d.classId && iou(k, d) > NMS_THRESHOLD)) continue;
    kept.push(d);
  }
  const clip = (v, hi) => Math.min(Math.max(v, 0), hi);
  for (const d of kept) {
    d.x1 = clip(d.x1, srcW); d.x2 = clip(d.x2, srcW);
    d.y1 = clip(d.y1, srcH); d.y2 = clip(d.y2, srcH);
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Inference worker: owns the session; one frame at a time. Replies with the detections and how
// long each stage took.

async function workerMain() {
  const { model, threads, srcW, srcH } = workerData;
  const ort = loadOrt();
  const session = await createSession(ort, model, threads);
  const inputName = session.inputNames[0], outputName = session.outputNames[0];
  const input = new Float32Array(3 * SIZE * SIZE);
  const tensor = new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]);
  const box = letterbox(srcW, srcH);
  parentPort.on('message', async (msg) => {
    const t0 = performance.now();
    toChw(new Uint8Array(msg.frame), input);
    const t1 = performance.now();
    const result = await session.run({ [inputName]: tensor });
    const t2 = performance.now();
    const dets = decodeYolox(result[outputName].data, box, srcW, srcH);
    const t3 = performance.now();
    parentPort.postMessage({ id: msg.id, detections: dets.length,
                             preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 });
  });
  parentPort.postMessage({ ready: true, inputName, outputName,
                           version: ort.env.versions.node || ort.env.versions.common });
}

class InferenceWorker {
  constructor(opts, video) {
    this.worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { model: opts.model, threads: opts.threads, srcW: video.width, srcH: video.height },
    });
    this.waiting = null;
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', resolve);
    });
    this.worker.on('error', (e) => {   // a lost worker would leave run() waiting for ever
      console.error(`ort_streams: inference worker failed: ${e.stack || e}`);
      process.exit(1);
    });
    this.worker.on('message', (m) => {
      if ('ready' in m) return;
      const w = this.waiting;
      this.waiting = null;
      w(m);
    });
  }

  // Hands `frame` (a Uint8Array that owns its ArrayBuffer) over to the worker; resolves with its
  // reply. One call at a time.
  run(frame) {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.worker.postMessage({ id: 0, frame: frame.buffer }, [frame.buffer]);
    });
  }

  terminate() { return this.worker.terminate(); }
}

// ---------------------------------------------------------------------------------------------
// Sources.

function probe(video) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries',
    'stream=width,height,avg_frame_rate,r_frame_rate,codec_name', '-of', 'json', video]);
  const s = JSON.parse(out).streams?.[0];
  if (!s) throw new Error(`ort_streams: ${video}: no video stream`);
  const rate = (q) => { const [n, d] = String(q).split('/').map(Number); return d ? n / d : n; };
  let fps = rate(s.avg_frame_rate);
  if (!(fps > 0)) fps = rate(s.r_frame_rate);
  return { width: s.width, height: s.height, fps, codec: s.codec_name };
}

function ffmpegFilter(video) {
  const box = letterbox(video.width, video.height);
  // Scale in the decoder's format, convert the small picture to BGR, then pad in BGR so the
  // border is exactly 114 (0x72) in every channel.
  return `scale=${box.width}:${box.height}:flags=bilinear,format=bgr24,` +
         `pad=${SIZE}:${SIZE}:0:0:color=0x727272`;
}

// One ffmpeg child at the video's own rate, looping. onFrame(bytes, tDelivered) per frame.
class Source {
  constructor(index, videoPath, video, onFrame) {
    this.index = index;
    this.onFrame = onFrame;
    this.stopped = false;
    this.fill = new Uint8Array(FRAME_BYTES);
    this.filled = 0;
    this.stderr = '';
    this.child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
      '-stream_loop', '-1', '-i', videoPath, '-vf', ffmpegFilter(video), '-an',
      '-f', 'rawvideo', '-pix_fmt', 'bgr24', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.closed = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-2000); });
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
    this.child.once('close', (code, signal) => {
      if (!this.stopped) {
        console.error(`ort_streams: source ${index}: ffmpeg exited (${code ?? signal}): ` +
                      this.stderr.trim());
        process.exitCode = 1;
      }
    });
  }

  onData(chunk) {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      const n = Math.min(FRAME_BYTES - this.filled, chunk.length - at);
      this.fill.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === FRAME_BYTES) {
        const frame = this.fill;
        this.fill = new Uint8Array(FRAME_BYTES);
        this.filled = 0;
        this.onFrame(frame, performance.now());
      }
    }
  }

  async stop() {
    this.stopped = true;
    this.child.kill('SIGTERM');
    await this.closed;
  }
}

// ---------------------------------------------------------------------------------------------
// One run at N streams.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));   // nearest rank
  return sorted[Math.min(rank, sorted.length) - 1];
}

function median(values) {
  return percentile([...values].sort((a, b) => a - b), 50);
}

async function runStreams(n, opts, video, worker) {
  let measuring = false;
  let wake = null;
  const state = Array.from({ length: n }, () => ({
    pending: null, lastServed: 0, delivered: 0, processed: 0, dropped: 0, latencies: [],
  }));
  const stages = { preMs: [], inferMs: [], postMs: [] };

  const sources = state.map((st, i) => new Source(i, opts.video, video, (bytes, t) => {
    const counted = measuring;
    if (counted) st.delivered++;
    if (st.pending && st.pending.counted) st.dropped++;
    st.pending = { bytes, t, counted };
    if (wake) { const w = wake; wake = null; w(); }
  }));

  let draining = false;
  let served = 0;
  const scheduler = (async () => {
    for (;;) {
      let pick = null;
      for (const st of state)
        if (st.pending && (!pick || st.lastServed < pick.lastServed)) pick = st;
      if (!pick) {
        if (draining) return;
        await new Promise((r) => { wake = r; });
        continue;
      }
      const frame = pick.pending;
      pick.pending = null;
      pick.lastServed = ++served;
      const reply = await worker.run(frame.bytes);
      const done = performance.now();
      if (frame.counted) {
        pick.processed++;
        pick.latencies.push(done - frame.t);
      }
      if (measuring) {
        stages.preMs.push(reply.preMs);
        stages.inferMs.push(reply.inferMs);
        stages.postMs.push(reply.postMs);
      }
    }
  })();

  const stopAll = () => Promise.all(sources.map((s) => s.stop()));
  try {
    await sleep(opts.warmup * 1000);
    measuring = true;
    await sleep(opts.seconds * 1000);
    measuring = false;
    await stopAll();
  } finally {
    await stopAll();
    draining = true;
    if (wake) { const w = wake; wake = null; w(); }
  }
  await scheduler;

  const perSource = state.map((st) => {
    const lat = st.latencies.sort((a, b) => a - b);
    const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
    return { delivered: st.delivered, processed: st.processed, dropped: st.dropped,
             fraction: st.delivered ? Math.round((st.processed / st.delivered) * 1e4) / 1e4 : 0,
             p50_ms: round(percentile(lat, 50)), p95_ms: round(percentile(lat, 95)) };
  });
  const holds = perSource.every((s) => s.delivered > 0 && s.fraction >= HOLD_FRACTION &&
                                       s.p95_ms !== null && s.p95_ms <= HOLD_P95_MS);
  const r1 = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    peer: 'onnxruntime-node', version: worker.version, streams: n,
    video: path.basename(opts.video), fps: Math.round(video.fps * 1000) / 1000, holds,
    sources: perSource,
    inference_ms_median: r1(median(stages.inferMs)),
    preprocess_ms_median: r1(median(stages.preMs)),
    postprocess_ms_median: r1(median(stages.postMs)),
    seconds: opts.seconds, warmup: opts.warmup, threads: opts.threads,
    input: `${video.width}x${video.height}`,
  };
}

function printTable(r) {
  const verdict = r.holds ? 'holds' : 'does not hold';
  console.log(`N=${r.streams} ${verdict}  (${r.video} ${r.input} @ ${r.fps} fps, ${r.seconds} s ` +
              `after ${r.warmup} s warm-up; inference median ${r.inference_ms_median} ms, ` +
              `pre ${r.preprocess_ms_median} ms, post ${r.postprocess_ms_median} ms)`);
  const cols = ['source', 'delivered', 'processed', 'dropped', 'fraction', 'p50_ms', 'p95_ms'];
  console.log('  ' + cols.map((c) => c.padStart(9)).join(' '));
  r.sources.forEach((s, i) => {
    const cells = [i, s.delivered, s.processed, s.dropped, s.fraction.toFixed(4),
                   s.p50_ms ?? '-', s.p95_ms ?? '-'];
    console.log('  ' + cells.map((c) => String(c).padStart(9)).join(' '));
  });
}

// ---------------------------------------------------------------------------------------------
// --check: frame 0 through the same preprocessing, session and decoder.

function readFirstFrame(videoPath, video) {
  const bytes = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin',
    '-i', videoPath, '-frames:v', '1', '-vf', ffmpegFilter(video), '-an',
    '-f', 'rawvideo', '-pix_fmt', 'bgr24', '-'], { maxBuffer: FRAME_BYTES * 2 });
  if (bytes.length !== FRAME_BYTES)
    throw new Error(`ort_streams: frame 0 has ${bytes.length} bytes, expected ${FRAME_BYTES}`);
  return bytes;
}

// Frame 0 at full size, bgr24, as FFmpeg converts it (the conversion Sightline's preprocessing
// reproduces), and resampled in JS the way engine/vision/preprocess.h specifies: bilinear in BGR,
// src = (dst + 0.5) * srcSize / rSize - 0.5, clamped to the edge, pad 114. It separates what the
// peer's FFmpeg scaling changes from what the session and the decoder compute.
function sightlineSampledFrame(videoPath, video) {
  const { width: w, height: h } = video;
  const full = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin',
    '-i', videoPath, '-frames:v', '1', '-sws_flags', 'bilinear+accurate_rnd+full_chroma_int',
    '-vf', 'format=bgr24', '-an', '-f', 'rawvideo', '-pix_fmt', 'bgr24', '-'],
    { maxBuffer: w * h * 3 * 2 });
  if (full.length !== w * h * 3)
    throw new Error(`ort_streams: frame 0 has ${full.length} bytes, expected ${w * h * 3}`);
  const box = letterbox(w, h);
  const plane = SIZE * SIZE;
  const out = new Float32Array(3 * plane).fill(PAD);
  const fx = w / box.width, fy = h / box.height;
  for (let y = 0; y < box.height; ++y) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), h - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, h - 1), ay = sy - y0;
    for (let x = 0; x < box.width; ++x) {
      const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), w - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, w - 1), ax = sx - x0;
      for (let c = 0; c < 3; ++c) {
        const p = (yy, xx) => full[(yy * w + xx) * 3 + c];
        const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * ax;
        const bottom = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * ax;
        out[c * plane + y * SIZE + x] = top + (bottom - top) * ay;
      }
    }
  }
  return out;
}

function compareWith(reference, refSource, mine) {
  const r2 = (v) => Math.round(v * 100) / 100;
  const ref = reference.detections.filter((d) => (d.frame ?? 0) === 0);
  const used = new Set();
  const pairs = [];
  for (const r of ref) {
    let best = -1, bestIou = 0;
    mine.forEach((m, i) => {
      if (used.has(i) || m.class_id !== r.class_id) return;
      const v = iou({ x1: m.box[0], y1: m.box[1], x2: m.box[2], y2: m.box[3] },
                    { x1: r.box[0], y1: r.box[1], x2: r.box[2], y2: r.box[3] });
      if (v > bestIou) { best = i; bestIou = v; }
    });
    if (best < 0 || bestIou < 0.5) { pairs.push({ sightline: r, ort: null }); continue; }
    used.add(best);
    const m = mine[best];
    pairs.push({ sightline: r, ort: m, iou: Math.round(bestIou * 1e4) / 1e4,
                 max_box_diff_px: r2(Math.max(...m.box.map((v, k) => Math.abs(v - r.box[k])))),
                 score_diff: Math.round(Math.abs(m.score - r.score) * 1e4) / 1e4 });
  }
  const matched = pairs.filter((p) => p.ort);
  return {
    reference: refSource, reference_device: reference.device ?? null,
    sightline_detections: ref.length, ort_detections: mine.length, matched: matched.length,
    unmatched_sightline: pairs.filter((p) => !p.ort).map((p) => p.sightline),
    unmatched_ort: mine.filter((_, i) => !used.has(i)),
    max_box_diff_px: matched.length ? Math.max(...matched.map((p) => p.max_box_diff_px)) : null,
    max_score_diff: matched.length ? Math.max(...matched.map((p) => p.score_diff)) : null,
    pairs: matched.map((p) => ({ label: p.ort.label, iou: p.iou,
                                 max_box_diff_px: p.max_box_diff_px, score_diff: p.score_diff })),
  };
}

function printComparison(title, c) {
  console.log(`${title}: ${c.matched} of ${c.sightline_detections} matched (same class, IoU >= ` +
              `0.5), ${c.unmatched_ort.length} ORT-only; max box difference ` +
              `${c.max_box_diff_px} px, max score difference ${c.max_score_diff}`);
  for (const p of c.pairs)
    console.log(`  ${p.label.padEnd(10)} IoU ${p.iou.toFixed(4)}  box diff ${p.max_box_diff_px} px` +
                `  score diff ${p.score_diff}`);
  for (const d of c.unmatched_sightline)
    console.log(`  sightline only: ${d.label} ${d.score} [${d.box.join(', ')}]`);
  for (const d of c.unmatched_ort)
    console.log(`  ORT only: ${d.label} ${d.score} [${d.box.join(', ')}]`);
}

async function check(opts, video) {
  const bytes = readFirstFrame(opts.video, video);
  const box = letterbox(video.width, video.height);
  // The padding must be exactly 114 in every channel, or the peer sees another picture.
  for (const [x, y] of [[SIZE - 1, 0], [0, SIZE - 1], [SIZE - 1, SIZE - 1]]) {
    if (x < box.width && y < box.height) continue;
    const p = (y * SIZE + x) * 3;
    if (bytes[p] !== PAD || bytes[p + 1] !== PAD || bytes[p + 2] !== PAD)
      throw new Error(`ort_streams: pad pixel (${x},${y}) is ${[...bytes.subarray(p, p + 3)]}`);
  }
  const ort = loadOrt();
  const session = await createSession(ort, opts.model, opts.threads);
  const detect = async (input) => {
    const result = await session.run({
      [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
    const out = result[session.outputNames[0]];
    if (out.dims.join('x') !== '1x3549x85')
      throw new Error(`ort_streams: output is ${out.dims.join('x')}, expected 1x3549x85`);
    const r2 = (v) => Math.round(v * 100) / 100;
    return decodeYolox(out.data, box, video.width, video.height).map((d) => ({
      class_id: d.classId, label: COCO[d.classId], score: Math.round(d.score * 1e4) / 1e4,
      box: [r2(d.x1), r2(d.y1), r2(d.x2), r2(d.y2)] }));
  };
  const input = new Float32Array(3 * SIZE * SIZE);
  toChw(bytes, input);
  const mine = await detect(input);
  const resampled = await detect(sightlineSampledFrame(opts.video, video));

  let reference = null, refSource = null;
  if (opts.sightline) {
    refSource = `${opts.sightline} detect ${opts.video} --frames 1 --json`;
    reference = JSON.parse(execFileSync(opts.sightline,
      ['detect', opts.video, '--frames', '1', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  } else if (opts.reference) {
    refSource = opts.reference;
    reference = JSON.parse(readFileSync(opts.reference, 'utf8'));
  }
  const comparison = reference && compareWith(reference, refSource, mine);
  const comparisonResampled = reference && compareWith(reference, refSource, resampled);

  const report = { peer: 'onnxruntime-node', version: ort.env.versions.node, check: true,
                   video: path.basename(opts.video), frame: 0, input: `${video.width}x${video.height}`,
                   letterbox: `${box.width}x${box.height}`, detections: mine, comparison,
                   sightline_sampling: { detections: resampled, comparison: comparisonResampled } };
  if (opts.json) { console.log(JSON.stringify(report)); return; }
  console.log(`frame 0 of ${report.video} (${report.input}, letterbox ${report.letterbox} in ` +
              `${SIZE}x${SIZE}), preprocessed as the streams are (FFmpeg scale): ` +
              `${mine.length} detections`);
  for (const d of mine)
    console.log(`  ${d.label.padEnd(10)} ${d.score.toFixed(4)}  [${d.box.join(', ')}]`);
  if (!reference) return;
  console.log(`reference: ${refSource} (device ${reference.device ?? '?'})`);
  printComparison('streams\' preprocessing vs sightline', comparison);
  printComparison('Sightline\'s sampling (full-size bgr24 + JS bilinear) vs sightline',
                  comparisonResampled);
}

// --make-video: a 1080p30 H.264 source made from the demo video, so the peer also pays for
// decoding and scaling a camera-sized stream (vtest.avi is 768x576 at 10 fps). 20 s of it: the
// sources loop. Kept if it exists.
const MADE_SECONDS = 20;

function makeVideo(out, from) {
  if (existsSync(out)) { console.log(`${out}: exists, kept`); return; }
  const tmp = `${out}.tmp${path.extname(out) || '.mp4'}`;
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', from,
    '-t', String(MADE_SECONDS), '-vf', 'scale=1920:1080:flags=bicubic,fps=30,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '60', '-an', tmp],
    { stdio: 'inherit' });
  renameSync(tmp, out);
  const v = probe(out);
  console.log(`${out}: ${v.codec} ${v.width}x${v.height} @ ${v.fps} fps, ${MADE_SECONDS} s ` +
              `from ${path.basename(from)}`);
}

// ---------------------------------------------------------------------------------------------

const USAGE = `usage: node bench/ort_streams.mjs (--streams N | --sweep | --check | --make-video OUT) [options]
  --streams N          run N real-time sources once
  --sweep              N = 1, 2, ... while N holds; report the largest N that holds
  --max-streams M      stop a sweep at M (default 32)
  --check              detect frame 0 and print the boxes (with --sightline BIN or
                       --reference FILE: compare with \`sightline detect --frames 1 --json\`)
  --make-video OUT     write a 1080p30 H.264 clip made from --video, for --video OUT
  --seconds S          measured seconds per N (default 15)
  --warmup W           seconds before measuring (default 5)
  --video PATH         default ~/.cache/sightline/vtest.avi (packaging/fetch-demo.sh)
  --model FILE.onnx    default $SIGHTLINE_MODEL or ../shared/models/yolox_nano.onnx beside the repository
  --threads T          intra-op threads (default: the number of cores, ${os.availableParallelism()})
  --json               one JSON object per N on stdout
holds: every source processes >= ${HOLD_FRACTION * 100}% of its frames with p95 latency <= ${HOLD_P95_MS} ms`;

function parseArgs(argv) {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const opts = { streams: null, sweep: false, check: false, seconds: 15, warmup: 5, json: false,
                 maxStreams: 32, threads: os.availableParallelism(),
                 video: path.join(cache, 'sightline', 'vtest.avi'),
                 model: process.env.SIGHTLINE_MODEL ||
                   path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../shared/models/yolox_nano.onnx'),
                 sightline: null, reference: null, makeVideo: null };
  const num = (name, v, min) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < min) throw new Error(`ort_streams: ${name} wants a number >= ${min}, got '${v}'`);
    return x;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`ort_streams: ${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--streams': opts.streams = Math.floor(num(a, value(), 1)); break;
      case '--sweep': opts.sweep = true; break;
      case '--max-streams': opts.maxStreams = Math.floor(num(a, value(), 1)); break;
      case '--check': opts.check = true; break;
      case '--seconds': opts.seconds = num(a, value(), 0.1); break;
      case '--warmup': opts.warmup = num(a, value(), 0); break;
      case '--video': opts.video = value(); break;
      case '--model': opts.model = value(); break;
      case '--threads': opts.threads = Math.floor(num(a, value(), 1)); break;
      case '--sightline': opts.sightline = value(); break;
      case '--reference': opts.reference = value(); break;
      case '--json': opts.json = true; break;
      case '--make-video': opts.makeVideo = value(); break;
      case '-h': case '--help': console.log(USAGE); process.exit(0);
      default: throw new Error(`ort_streams: unknown argument '${a}'\n${USAGE}`);
    }
  }
  const modes = [opts.streams !== null, opts.sweep, opts.check, opts.makeVideo !== null];
  if (modes.filter(Boolean).length !== 1)
    throw new Error('ort_streams: give exactly one of --streams N, --sweep, --check, ' +
                    `--make-video OUT\n${USAGE}`);
  for (const [what, p] of [['video', opts.video], ['model', opts.model]])
    if (!existsSync(p)) throw new Error(`ort_streams: ${what} ${p} not found`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.makeVideo) { makeVideo(opts.makeVideo, opts.video); return; }
  const video = probe(opts.video);
  if (opts.check) { await check(opts, video); return; }

  const worker = new InferenceWorker(opts, video);
  const ready = await worker.ready;
  if (!ready.ready) throw new Error(`ort_streams: inference worker: ${ready.error}`);
  worker.version = ready.version;
  const emit = (r) => (opts.json ? console.log(JSON.stringify(r)) : printTable(r));
  try {
    if (!opts.sweep) {
      emit(await runStreams(opts.streams, opts, video, worker));
      return;
    }
    let largest = 0;
    const summary = [];
    for (let n = 1; n <= opts.maxStreams; ++n) {
      const r = await runStreams(n, opts, video, worker);
      emit(r);
      summary.push(`N=${n} ${r.holds ? 'holds' : 'fails'} (min fraction ` +
                   `${Math.min(...r.sources.map((s) => s.fraction))}, max p95 ` +
                   `${Math.max(...r.sources.map((s) => s.p95_ms ?? Infinity))} ms)`);
      if (!r.holds) break;
      largest = n;
    }
    // In --json mode stdout holds only the per-N objects; the verdict goes to stderr.
    const line = `sweep: largest N that holds = ${largest}; ${summary.join('; ')}`;
    if (opts.json) console.error(line); else console.log(line);
  } finally {
    await worker.terminate();
  }
}

if (isMainThread) {
  main().catch((e) => { console.error(e.message || e); process.exit(1); });
} else {
  workerMain().catch((e) => { parentPort.postMessage({ ready: false, error: String(e) }); throw e; });
}
