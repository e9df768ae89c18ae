/**
 * A fake gateway for end-to-end tests: a real grpc-js WorkerHub server on a Unix socket in
 * a temp dir, and real worker processes (`node src/main.mjs`) started against it.
 *
 * Each worker connection becomes a `Session`: the test sends GatewayFrames and awaits the
 * worker's frames by kind and call id, every wait bounded by a timeout.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_PATH } from '../../src/proto.mjs';

export const WAIT_MS = 10_000;
export const MAIN = fileURLToPath(new URL('../../src/main.mjs', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

// The gateway's view: enums as names and defaults filled in, for readable assertions.
const definition = loadSync(PROTO_PATH, {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const SERVICE = definition['braid.worker.v1.WorkerHub'];

/** Resolves to `promise`'s value, or rejects with a TimeoutError naming `what`. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** A short temp dir (Unix socket paths are limited to ~107 bytes). */
export function shortTmp() {
  return mkdtempSync(path.join(tmpdir(), 'bnw-'));
}

/** One worker's stream, seen from the gateway. */
export class Session {
  constructor(call) {
    this.stream = call;
    /** @type {any[]} */
    this.frames = [];
    this.taken = new Set();
    this.batchSizes = [];
    this._waiters = new Set();
    this._nextId = 1;
    this.halfClosed = new Promise((resolve) => {
      call.on('end', resolve);
    });
    call.on('data', (batch) => {
      this.batchSizes.push(batch.frames.length);
      this.frames.push(...batch.frames);
      for (const waiter of [...this._waiters]) waiter();
    });
    call.on('error', () => {}); // the worker went away: tests look at the process instead
  }

  /** Writes all `frames` as one GatewayBatch. */
  send(...frames) {
    this.stream.write({ frames });
  }

  /**
   * The oldest not yet taken frame of `kind` (and `callId`, and `where`): its payload.
   *
   * @returns {Promise<any>}
   */
  expect(kind, callId, { timeout = WAIT_MS, where } = {}) {
    const find = () => {
      for (let i = 0; i < this.frames.length; i++) {
        const frame = this.frames[i];
        if (this.taken.has(i) || frame.kind !== kind) continue;
        const msg = frame[kind];
        if (callId !== undefined && msg.call_id !== callId) continue;
        if (where !== undefined && !where(msg)) continue;
        this.taken.add(i);
        return msg;
      }
      return undefined;
    };
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    let waiter;
    const promise = new Promise((resolve) => {
      waiter = () => {
        const msg = find();
        if (msg !== undefined) {
          this._waiters.delete(waiter);
          resolve(msg);
        }
      };
      this._waiters.add(waiter);
    });
    return within(promise, timeout, `a '${kind}' frame${callId === undefined ? '' : ` for call ${callId}`}`).finally(
      () => this._waiters.delete(waiter),
    );
  }

  /** Kinds of all frames received so far, in order. */
  kinds() {
    return this.frames.map((f) => f.kind);
  }

  /** Every frame of `kind` (and `callId`) received so far, taken or not. */
  framesOf(kind, callId) {
    return this.frames.filter((f) => f.kind === kind && (callId === undefined || f[kind].call_id === callId)).map((f) => f[kind]);
  }

  /** Sends an Invoke; returns its call id. */
  invoke(fn, args = [], options = {}) {
    const callId = options.callId ?? this._nextId++;
    this.send(invokeFrame(callId, fn, args, options));
    return callId;
  }

  /** Invokes and waits for the Outcome. */
  call(fn, args = [], options = {}) {
    return this.expect('outcome', this.invoke(fn, args, options));
  }

  cancel(callId, reason = 'cancelled') {
    this.send({ cancel: { call_id: callId, reason } });
  }

  credit(callId, credit) {
    this.send({ credit: { call_id: callId, credit } });
  }

  ping(seq) {
    this.send({ ping: { seq } });
  }

  shutdown(graceMs, reason = 'shutdown') {
    this.send({ shutdown: { grace_ms: graceMs, reason } });
  }

  /** Ends the stream from the gateway side with status OK. */
  end() {
    this.stream.end();
  }
}

export function invokeFrame(callId, fn, args = [], { kwargs, remainingMs = 0, credit = 0, rawArgs, attempt = 1 } = {}) {
  const invoke = {
    call_id: callId,
    function: fn,
    args: { encoding: 'json', data: rawArgs ?? Buffer.from(JSON.stringify(args)) },
    remaining_ms: remainingMs,
    attempt,
    initial_credit: credit,
  };
  if (kwargs !== undefined) invoke.kwargs = { encoding: 'json', data: Buffer.from(JSON.stringify(kwargs)) };
  return { invoke };
}

/** The decoded value of a successful Outcome; throws with the failure otherwise. */
export function valueOf(outcome) {
  if (outcome.result !== 'value') {
    throw new Error(`expected a value, got ${JSON.stringify(outcome.failure)}`);
  }
  if (outcome.value.encoding !== 'json') throw new Error(`encoding ${outcome.value.encoding}`);
  return JSON.parse(outcome.value.data.toString('utf8'));
}

/** Parses a JSON Payload. */
export function json(payload) {
  return JSON.parse(payload.data.toString('utf8'));
}

/** A WorkerHub server on a Unix socket; `accept()` yields worker sessions. */
export class FakeGateway {
  constructor(dir = shortTmp()) {
    this.dir = dir;
    this.socketPath = path.join(dir, 'gw.sock');
    this._sessions = [];
    this._waiting = [];
    this.server = null;
  }

  async start() {
    this.server = new grpc.Server();
    this.server.addService(SERVICE, {
      Connect: (call) => {
        const session = new Session(call);
        const waiter = this._waiting.shift();
        if (waiter) waiter(session);
        else this._sessions.push(session);
      },
    });
    await new Promise((resolve, reject) => {
      this.server.bindAsync(`unix:${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      );
    });
    return this;
  }

  /** The next worker connection. */
  accept(timeout = WAIT_MS) {
    const ready = this._sessions.shift();
    if (ready) return Promise.resolve(ready);
    const next = new Promise((resolve) => {
      this._waiting.push(resolve);
    });
    return within(next, timeout, 'a worker to connect');
  }

  /** Stops serving at once: open streams are cancelled (the worker sees the gateway vanish). */
  stop() {
    if (this.server !== null) {
      this.server.forceShutdown();
      this.server = null;
    }
  }

  /** Stops and removes the temp dir. */
  close() {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The cleared environment + allowlist the gateway gives a worker. */
export function workerEnv(socketPath, extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    BRAID_SOCKET: socketPath,
    BRAID_WORKER_ID: 'worker-1',
    BRAID_TOKEN: 'token-1',
    BRAID_NODE_PATH: FIXTURES,
    BRAID_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A real `node src/main.mjs` subprocess with its stderr captured. */
export class WorkerProcess {
  constructor(env, { cwd = FIXTURES, argv = [MAIN] } = {}) {
    this.output = '';
    this.child = spawn(process.execPath, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.child.stdout.on('data', (d) => (this.output += d));
    this.child.stderr.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => resolve(code ?? signal));
    });
  }

  /** The exit code (or signal name); kills the worker and rejects on timeout. */
  async wait(timeout = WAIT_MS) {
    try {
      return await within(this.exited, timeout, `worker ${this.pid} to exit`);
    } catch (e) {
      this.kill();
      e.message += `\n--- worker output ---\n${this.output}`;
      throw e;
    }
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Starts a gateway and a worker; accepts the stream, checks Hello comes first, answers
 * Welcome. Returns everything plus `cleanup()`.
 */
export async function startWorker(env = {}, { welcome = { max_payload_bytes: 1 << 20, grace_ms: 2000 } } = {}) {
  const gateway = await new FakeGateway().start();
  const proc = new WorkerProcess(workerEnv(gateway.socketPath, env));
  let session;
  try {
    session = await gateway.accept();
    const hello = await session.expect('hello');
    if (session.kinds()[0] !== 'hello') throw new Error(`first frame was ${session.kinds()[0]}`);
    session.send({ welcome });
    return {
      gateway,
      proc,
      session,
      hello,
      cleanup() {
        proc.kill();
        gateway.close();
      },
    };
  } catch (e) {
    proc.kill();
    gateway.close();
    e.message += `\n--- worker output ---\n${proc.output}`;
    throw e;
  }
}
