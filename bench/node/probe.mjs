// Diagnostic probe, loaded into a running Braid Node worker only for the profiled phase
// (`node:probe.mjs#start` ... `node:probe.mjs#stop`); the plain measurements never load it.
//
// Between start and stop it counts the gRPC messages and frames crossing the worker's stream
// both ways (wrapping `Worker.prototype._onBatch` and reading the `BatchWriter`'s own
// counters), the event loop's utilization, GC pauses, and a V8 CPU profile of the worker
// (node:inspector, sampling), whose self time per function it summarises. The worker's modules
// are imported by file URL, so they are the very instances `node-worker/src/main.mjs` runs.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Worker } from '../../node-worker/src/worker.mjs';
import { BatchWriter } from '../../node-worker/src/writer.mjs';

let state = null;

/** Starts counting and profiling. */
export async function start(samplingUs = 200) {
  if (state !== null) await stop(null);
  const st = {
    batchesIn: 0,
    framesIn: 0,
    writer: null,
    written0: null,
    gcMs: 0,
    gcCount: 0,
    elu: performance.eventLoopUtilization(),
    t0: performance.now(),
    origOnBatch: Worker.prototype._onBatch,
    origFlush: BatchWriter.prototype._flush,
    session: new Session(),
    gc: new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        st.gcMs += e.duration;
        st.gcCount += 1;
      }
    }),
  };
  const { origOnBatch, origFlush } = st;
  Worker.prototype._onBatch = function countedOnBatch(batch) {
    st.batchesIn += 1;
    st.framesIn += batch.frames?.length ?? 0;
    return origOnBatch.call(this, batch);
  };
  // the writer is found on its next flush; from then on the original runs again (its own
  // batchesWritten / framesWritten counters are what we read)
  BatchWriter.prototype._flush = function findWriter() {
    BatchWriter.prototype._flush = origFlush;
    st.writer = this;
    st.written0 = [this.batchesWritten, this.framesWritten];
    return origFlush.call(this);
  };
  st.gc.observe({ entryTypes: ['gc'] });
  st.session.connect();
  await st.session.post('Profiler.enable');
  await st.session.post('Profiler.setSamplingInterval', { interval: samplingUs });
  await st.session.post('Profiler.start');
  state = st;
  return true;
}

/** Stops; returns the counts and the top functions by self time; writes the profile. */
export async function stop(profilePath) {
  const st = state;
  if (st === null) throw new Error('probe not started');
  state = null;
  const { profile } = await st.session.post('Profiler.stop');
  st.session.disconnect();
  st.gc.disconnect();
  Worker.prototype._onBatch = st.origOnBatch;
  BatchWriter.prototype._flush = st.origFlush;
  const seconds = (performance.now() - st.t0) / 1000;
  const elu = performance.eventLoopUtilization(st.elu);
  if (profilePath) writeFileSync(profilePath, JSON.stringify(profile));
  const w = st.writer;
  const batchesOut = w ? w.batchesWritten - st.written0[0] : 0;
  const framesOut = w ? w.framesWritten - st.written0[1] : 0;
  return {
    seconds,
    gateway_messages: st.batchesIn,
    gateway_frames: st.framesIn,
    worker_messages: batchesOut,
    worker_frames: framesOut,
    event_loop_utilization: elu.utilization,
    gc_ms: st.gcMs,
    gc_count: st.gcCount,
    ...summarise(profile),
  };
}

/** Self time per function (and per category), from a V8 CPU profile. */
function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = dt[i + 1] ?? 0; // time until the next sample is charged to this one
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const cats = {};
  for (const [key, us] of self) {
    const c = category(key);
    cats[c] = (cats[c] ?? 0) + us;
  }
  const stages = {};
  for (const [key, us] of self) {
    const stage = stageOf(key);
    if (stage !== null) stages[stage] = (stages[stage] ?? 0) + us / 1000;
  }
  return {
    profile_total_ms: total / 1000,
    profile_stages_ms: stages,
    profile_top: top.map(([fn, us]) => ({ function: fn, self_ms: us / 1000 })),
    profile_categories_ms: Object.fromEntries(Object.entries(cats).map(([k, v]) => [k, v / 1000])),
  };
}

function shortUrl(url) {
  if (!url) return '';
  for (const marker of ['node_modules/', 'node-worker/src/', 'bench/node/']) {
    const i = url.indexOf(marker);
    if (i >= 0) return url.slice(i + (marker === 'node_modules/' ? marker.length : 0));
  }
  return url.replace(/^node:/, 'node:');
}

/** The per-frame conversions, by the generated protobufjs function names and the worker's JSON codec. */
function stageOf(key) {
  const name = key.split(' ')[0];
  if (/\$decode$/.test(name) || key.includes('protobufjs/src/reader')) return 'protobuf decode';
  if (/\$toObject$/.test(name)) return 'protobuf toObject (decoded message -> plain object)';
  if (/\$fromObject$/.test(name)) return 'protobuf fromObject (plain object -> message)';
  if (/\$encode$/.test(name) || key.includes('protobufjs/src/writer')) return 'protobuf encode';
  if (key.includes('node-worker/src/json.mjs')) return 'JSON payloads (decodePayload, stringify)';
  return null;
}

function category(key) {
  if (key.startsWith('(idle)')) return 'idle';
  if (key.startsWith('(garbage collector)')) return 'gc';
  if (key.startsWith('(program)')) return 'program (native, outside JS)';
  if (key.includes('@grpc/') || key.includes('protobufjs') || key.includes('@protobufjs')) {
    return 'grpc-js + protobufjs';
  }
  if (key.includes('node-worker/src/')) return 'braid worker';
  if (key.includes('bench/node/')) return 'the function';
  if (key.includes('node:')) return 'node core (streams, http2, net)';
  return 'other (native, builtins)';
}
