#!/usr/bin/env node
// Rough throughput/latency check of one Node worker: a minimal in-process gateway (grpc-js
// on a Unix socket) drives a real `node src/main.mjs` with `async function echo(x)`
// (test/fixtures/plain.mjs; BENCH_FUNCTION=samples.mjs#echo for a module that imports
// @braid/worker).
//
//   node scripts/bench.mjs [--seconds 3] [--window 512] [--latency 5000]
//
// Pipelined: keeps `window` calls open, refilling in one batch whenever outcomes arrive.
// Latency: one call at a time, round trip measured at the gateway. Not a test: numbers
// depend on the machine; bench/ at the repository root is where speed is judged.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_PATH } from '../src/proto.mjs';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    window: { type: 'string', default: '512' },
    latency: { type: 'string', default: '5000' },
  },
});
const SECONDS = Number(opts.seconds);
const WINDOW = Number(opts.window);
const LATENCY_CALLS = Number(opts.latency);
const MAIN = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const FN = process.env.BENCH_FUNCTION ?? 'plain.mjs#echo';

const definition = loadSync(PROTO_PATH, { keepCase: true, longs: Number, enums: Number, defaults: false, oneofs: true });
const dir = mkdtempSync(path.join(tmpdir(), 'bnw-bench-'));
const socketPath = path.join(dir, 'gw.sock');
const ARGS = { encoding: 'json', data: Buffer.from('[1]') };

let onOutcomes = () => {};
let stream;
const connected = new Promise((resolve) => {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  server.addService(definition['braid.worker.v1.WorkerHub'], {
    Connect: (call) => {
      stream = call;
      call.on('data', (batch) => {
        let outcomes = 0;
        for (const frame of batch.frames) {
          if (frame.kind === 'hello') resolve(frame.hello);
          else if (frame.kind === 'outcome') {
            if (frame.outcome.failure) throw new Error(JSON.stringify(frame.outcome.failure));
            outcomes += 1;
          }
        }
        if (outcomes) onOutcomes(outcomes);
      });
      call.on('error', () => {});
      call.on('end', () => call.end());
    },
  });
  server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) throw err;
  });
  process.on('exit', () => server.forceShutdown());
});

// BENCH_NODE_ARGS (e.g. "--cpu-prof") is passed to the worker's node.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const worker = spawn(process.execPath, [...nodeArgs, MAIN], {
  env: {
    PATH: process.env.PATH,
    BRAID_SOCKET: socketPath,
    BRAID_NODE_PATH: FIXTURES,
    BRAID_PRELOAD: FN.split('#')[0],
    BRAID_LOG_LEVEL: 'WARNING',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

let nextId = 1;
function invokes(n) {
  const frames = new Array(n);
  for (let i = 0; i < n; i++) frames[i] = { invoke: { call_id: nextId++, function: FN, args: ARGS, attempt: 1 } };
  return { frames };
}

/** The worker's user+system CPU time in ms (Linux /proc; NaN elsewhere). */
function workerCpuMs() {
  try {
    const stat = readFileSync(`/proc/${worker.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

async function pipelined(seconds) {
  let done = 0;
  let open = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await new Promise((resolve) => {
    onOutcomes = (n) => {
      done += n;
      open -= n;
      if (performance.now() >= end) {
        if (open === 0) resolve();
        return;
      }
      const refill = WINDOW - open;
      if (refill > 0) {
        open += refill;
        stream.write(invokes(refill));
      }
    };
    open = WINDOW;
    stream.write(invokes(WINDOW));
  });
  return { rate: done / ((performance.now() - start) / 1000), calls: done };
}

async function latency(calls) {
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await new Promise((resolve) => {
      onOutcomes = resolve;
      stream.write(invokes(1));
    });
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] * 1000;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

try {
  const hello = await connected;
  stream.write({ frames: [{ welcome: { max_payload_bytes: 16 << 20 } }] });
  console.log(`worker pid ${hello.pid}, ${hello.runtime_version}, max_in_flight ${hello.max_in_flight}`);
  await pipelined(1); // warm-up: JIT, caches
  await latency(500);
  const cpu0 = workerCpuMs();
  const { rate, calls } = await pipelined(SECONDS);
  const cpuPerCall = ((workerCpuMs() - cpu0) * 1000) / calls;
  console.log(
    `pipelined (window ${WINDOW}): ${Math.round(rate).toLocaleString('en-US')} calls/s, ` +
      `worker CPU ${cpuPerCall.toFixed(1)} µs/call`,
  );
  const lat = await latency(LATENCY_CALLS);
  console.log(
    `sequential round trip (${LATENCY_CALLS} calls): p50 ${lat.p50.toFixed(0)} µs, p90 ${lat.p90.toFixed(0)} µs, p99 ${lat.p99.toFixed(0)} µs`,
  );
} finally {
  // An orderly shutdown, so that a profiling worker writes its profile.
  const exited = new Promise((resolve) => {
    worker.once('exit', resolve);
  });
  stream?.write({ frames: [{ shutdown: { grace_ms: 0, reason: 'shutdown' } }] });
  const grace = new Promise((resolve) => {
    setTimeout(resolve, 3000).unref();
  });
  await Promise.race([exited, grace]);
  worker.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
