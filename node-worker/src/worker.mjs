/**
 * The connection: dial the gateway, say Hello, dispatch gateway frames, shut down.
 *
 * Frame handlers are synchronous and quick; user code runs inside `CallRunner.run` (up to
 * its first await) and in the promise jobs it schedules, so a Ping is answered as long as
 * the event loop itself is free - and not at all while a function blocks it, which is how
 * the gateway detects a blocked loop.
 *
 * @module
 */

import * as grpc from '@grpc/grpc-js';
import { CallContext } from './context.mjs';
import { Code, CONNECT_PATH, LANGUAGE, PROTOCOL_VERSION, loadConnect } from './proto.mjs';
import { BraidError, failure } from './failures.mjs';
import { HeartbeatPump } from './heartbeat.mjs';
import { encodeLoose, payload } from './json.mjs';
import { log } from './log.mjs';
import { NestedCalls } from './nested.mjs';
import { Resolver } from './resolve.mjs';
import { CallRunner } from './runner.mjs';
import { BatchWriter } from './writer.mjs';

export const WORKER_LOST = 'worker_lost';
export const SHUTDOWN = 'shutdown';
// The shutdown waits. The gateway chooses them in Welcome (cancel_grace_ms, lost_grace_ms,
// close_wait_ms); these are the fallbacks for a field it leaves at 0, and the values in force
// before the Welcome arrives.
/** After a shutdown's abort, how long calls get to settle before they are reported abandoned. */
export const CANCEL_GRACE_MS = 1000;
/** When the gateway is gone, how long aborted calls get to run their finally blocks. */
export const LOST_GRACE_MS = 500;
/** How long to wait for pending frames to leave, and for the gateway to end the stream. */
export const CLOSE_WAIT_MS = 1000;

/** Longest delay setTimeout honours; a longer one would fire at once (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wait from Welcome: 0 (not sent) means the fallback; capped at what a timer can wait. */
function waitFrom(ms, fallback) {
  return ms ? Math.min(ms, MAX_TIMER_MS) : fallback;
}

/**
 * A standalone worker that hears nothing from the gateway (not even a Ping) for this long treats
 * the link as cut, before HTTP/2 keepalive would: the gateway pings every
 * Welcome.ping_interval_ms, and SILENCE_PINGS missed pings are no longer a hiccup.
 */
export const SILENCE_LIMIT_MS = 3000;
const SILENCE_PINGS = 6;

/** How a gateway refuses a worker it will never accept: a wrong token, a bad Hello. */
const REFUSALS = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.FAILED_PRECONDITION,
]);

export const EXIT_OK = 0;
export const EXIT_LOST = 1;

const CHANNEL_OPTIONS = Object.freeze({
  // Payload limits are the gateway's (Welcome.max_payload_bytes), not gRPC's.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  'grpc.enable_retries': 0,
});

/**
 * One worker process's connection to its gateway.
 *
 * `serve()` runs until the gateway shuts the worker down, ends the stream or goes away, and
 * resolves to the process exit code. `requestShutdown()` starts a graceful stop (also what
 * SIGTERM does). Event-loop only.
 */
export class Worker {
  /**
   * @param {import('./config.mjs').Config} config
   * @param {{resolver?: Resolver}} [options]
   */
  constructor(config, { resolver } = {}) {
    this.config = config;
    this._resolver = resolver ?? new Resolver(config.nodePath, config.roots ?? null);
    /** @type {Map<number, CallContext>} */
    this._calls = new Map();
    this._closing = false;
    this._welcomed = false;
    this._cancelGraceMs = CANCEL_GRACE_MS;
    this._lostGraceMs = LOST_GRACE_MS;
    this._closeWaitMs = CLOSE_WAIT_MS;
    this._shutdown = null;
    this._ending = false;
    this._stopped = false;
    this._resolveStopped = null;
    /** @type {Set<() => void>} */
    this._idleWaiters = new Set();
    this._streamDone = null;
    this._resolveStreamDone = null;
    /** @type {[number, string] | null} a shutdown asked for before the stream was up */
    this._earlyShutdown = null;
    /** @type {BatchWriter | undefined} set once the stream is open */
    this._writer = undefined;
    this._silenceLimitMs = SILENCE_LIMIT_MS;
    this._lastRead = 0;
    this._silenceTimer = null;
    /** True when the gateway refused this worker's Hello: dialing again is futile. */
    this.refused = false;
  }

  /** Whether the gateway accepted this worker (sent Welcome) on this connection. */
  get welcomed() {
    return this._welcomed;
  }

  /**
   * Connects, serves calls, and resolves to the exit code: 0 after an orderly end (shutdown,
   * or the gateway ending the stream with OK), 1 when the gateway could not be reached or
   * the connection was lost.
   *
   * @returns {Promise<number>}
   */
  async serve() {
    const stopped = new Promise((resolve) => {
      this._resolveStopped = resolve;
    });
    this._streamDone = new Promise((resolve) => {
      this._resolveStreamDone = resolve;
    });
    // Modules that fail to load go in Hello with their cause, so that the gateway's error about
    // a missing function says why (not only this log).
    const moduleErrors = [];
    const catalog = await this._resolver.preload(this.config.preload, (file, err) => {
      log.error(`preload of ${file} failed: ${err.message}`);
      const message = String(err.message).replace(/^cannot load module '.*?' for '.*?': /s, '');
      if (!moduleErrors.some((m) => m.module === file)) moduleErrors.push({ module: file, message });
    });
    const connect = loadConnect();
    const client = new grpc.Client(this.config.target, credentials(this.config), channelOptions(this.config));
    const call = client.makeBidiStreamRequest(CONNECT_PATH, connect.requestSerialize, connect.responseDeserialize);
    this._call = call;
    this._writer = new BatchWriter(call);
    this._nested = new NestedCalls(this._writer);
    this._runner = new CallRunner(this._writer, this._resolver, this._calls, this._nested);
    this._runner.onIdle = () => this._notifyIdle();
    const pump = new HeartbeatPump((ctx, details) => this._sendHeartbeat(ctx, details));
    this._host = { armHeartbeat: (ctx) => pump.arm(ctx), nested: this._nested };
    call.on('data', (batch) => this._onBatch(batch));
    call.on('error', (err) => {
      if (!this._welcomed && REFUSALS.has(err?.code)) this.refused = true;
      this._streamEnded(describe(err), true);
    });
    call.on('status', (status) => {
      if (status.code === grpc.status.OK) this._streamEnded(`OK: ${status.details}`, false);
    });
    this._writer.frame({
      hello: {
        language: LANGUAGE,
        runtime_version: `Node ${process.version}`,
        worker_id: this.config.workerId,
        token: this.config.token,
        max_in_flight: this.config.maxInFlight,
        catalog,
        module_errors: moduleErrors,
        pid: process.pid,
        protocol_version: PROTOCOL_VERSION,
        ...(this.config.pool ? { pool: this.config.pool } : {}),
      },
    });
    if (this.config.pool) this._watchSilence();
    if (this._earlyShutdown !== null) this.requestShutdown(...this._earlyShutdown);
    try {
      return await stopped;
    } finally {
      clearTimeout(this._silenceTimer);
      client.close();
    }
  }

  /**
   * Refuses new calls, gives running ones `graceMs`, aborts the rest with `reason`, sends
   * their outcomes, ends the stream; `serve()` then resolves to 0. Idempotent.
   *
   * @param {number} graceMs
   * @param {string} [reason]
   */
  requestShutdown(graceMs, reason = SHUTDOWN) {
    if (this._writer === undefined) {
      // Still starting (e.g. SIGTERM while preloading): shut down as soon as the stream is up.
      this._earlyShutdown ??= [graceMs, reason];
      return;
    }
    if (this._shutdown !== null || this._stopped) return;
    this._closing = true; // now, not when the task starts: Invokes after this are refused
    this._shutdown = this._runShutdown(graceMs, reason);
  }

  // -- reading ----------------------------------------------------------------------------

  /**
   * Standalone workers: end the stream when the gateway went silent past the limit (its pings
   * stopped: the link is cut or the gateway hangs), so calls are aborted with worker_lost and
   * the worker can reconnect.
   */
  _watchSilence() {
    this._lastRead = performance.now();
    const check = () => {
      const silent = performance.now() - this._lastRead;
      if (this._welcomed && silent > this._silenceLimitMs) {
        this._streamEnded(`no frame from the gateway for ${(silent / 1000).toFixed(1)}s (link cut?)`, true);
        this._call.cancel();
        return;
      }
      this._silenceTimer = setTimeout(check, this._silenceLimitMs / 4);
      this._silenceTimer.unref?.();
    };
    check();
  }

  _onBatch(batch) {
    this._lastRead = performance.now();
    const frames = batch.frames;
    if (frames === undefined) return;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      try {
        switch (frame.kind) {
          case 'invoke':
            this._onInvoke(frame.invoke);
            break;
          case 'cancel':
            this._onCancel(frame.cancel);
            break;
          case 'ping':
            this._writer.frame({ pong: { seq: frame.ping.seq ?? 0, in_flight: this._calls.size } });
            break;
          case 'credit':
            this._onCredit(frame.credit);
            break;
          case 'nested_outcome':
            this._nested.onOutcome(frame.nested_outcome);
            break;
          case 'welcome':
            this._onWelcome(frame.welcome);
            break;
          case 'shutdown':
            this.requestShutdown(frame.shutdown.grace_ms ?? 0, frame.shutdown.reason || SHUTDOWN);
            break;
          default:
            log.debug(`ignoring gateway frame '${frame.kind}'`);
        }
      } catch (e) {
        // A handler bug must not stop the reader (user code is not called from here
        // without its own try/catch).
        log.error(`error handling a ${frame.kind} frame: ${e?.stack ?? e}`);
      }
    }
  }

  _onWelcome(welcome) {
    if (welcome.max_payload_bytes) {
      this._runner.maxPayloadBytes = welcome.max_payload_bytes;
      this._nested.maxPayloadBytes = welcome.max_payload_bytes;
    }
    this._cancelGraceMs = waitFrom(welcome.cancel_grace_ms, CANCEL_GRACE_MS);
    this._lostGraceMs = waitFrom(welcome.lost_grace_ms, LOST_GRACE_MS);
    this._closeWaitMs = waitFrom(welcome.close_wait_ms, CLOSE_WAIT_MS);
    if (welcome.ping_interval_ms) {
      this._silenceLimitMs = Math.max(SILENCE_PINGS * welcome.ping_interval_ms, 1000);
    }
    if (!this._welcomed) {
      this._welcomed = true;
      log.info(
        `worker ${this.config.workerId || '-'} connected to ${this.config.target} ` +
          `(max_in_flight=${this.config.maxInFlight}, max_payload_bytes=${this._runner.maxPayloadBytes})`,
      );
    }
  }

  _onInvoke(inv) {
    const callId = inv.call_id ?? 0;
    const calls = this._calls;
    if (this._closing) {
      this._sendFailure(callId, failure(Code.UNAVAILABLE, 'Unavailable', 'worker shutting down'));
      return;
    }
    if (calls.has(callId)) {
      log.error(`duplicate call_id ${callId} from the gateway: ignored`);
      return;
    }
    if (calls.size >= this.config.maxInFlight) {
      this._sendFailure(
        callId,
        failure(Code.RESOURCE_EXHAUSTED, 'Overloaded', `worker has max_in_flight=${this.config.maxInFlight} calls open`),
      );
      return;
    }
    const remaining = inv.remaining_ms;
    const ctx = new CallContext(
      callId,
      inv.function ?? '',
      inv.attempt || 1,
      remaining ? performance.now() + remaining : null,
      this._host,
    );
    if (inv.idempotency_key) ctx.idempotencyKey = inv.idempotency_key;
    if (inv.secrets) ctx._setSecrets(inv.secrets);
    calls.set(callId, ctx);
    this._runner.run(ctx, inv);
  }

  _onCancel(cancel) {
    // Unknown: already finished (its Outcome is on the way) or never started.
    this._calls.get(cancel.call_id ?? 0)?._cancel(cancel.reason || 'cancelled');
  }

  _onCredit(credit) {
    const ctx = this._calls.get(credit.call_id ?? 0);
    if (ctx === undefined) return;
    ctx._credit += credit.credit ?? 0;
    const wake = ctx._creditWake;
    if (wake !== null && ctx._credit > 0) {
      ctx._creditWake = null;
      wake();
    }
  }

  // -- writing ----------------------------------------------------------------------------

  _sendFailure(callId, rec) {
    this._writer.frame({ outcome: { call_id: callId, failure: rec } });
  }

  _sendHeartbeat(ctx, details) {
    const heartbeat = { call_id: ctx.callId };
    if (details !== undefined) heartbeat.details = payload(encodeLoose(details));
    this._writer.frame({ heartbeat }, heartbeat.details?.data.length ?? 0);
  }

  // -- stopping ---------------------------------------------------------------------------

  async _runShutdown(graceMs, reason) {
    log.info(`shutting down (${reason}): ${this._calls.size} calls in flight, grace ${graceMs} ms`);
    await this._waitIdle(graceMs);
    if (this._calls.size > 0) {
      for (const ctx of [...this._calls.values()]) ctx._cancel(reason);
      await this._waitIdle(this._cancelGraceMs);
    }
    for (const ctx of [...this._calls.values()]) {
      // Still running (a function that ignores its signal): answer for it so the gateway
      // gets exactly one Outcome per call, then leave it behind.
      ctx._end();
      this._calls.delete(ctx.callId);
      const rec = failure(
        Code.CANCELLED,
        'AbortError',
        `${ctx.function} did not settle after the abort; abandoned at shutdown`,
        { reason: ctx.reason ?? reason },
      );
      this._writer.frame({ outcome: { call_id: ctx.callId, failure: rec, items: ctx._items || undefined } });
    }
    await withTimeout(this._writer.close(), this._closeWaitMs);
    this._call.end(); // half-close: the gateway ends the stream, then we stop
    await withTimeout(this._streamDone, this._closeWaitMs);
    this._stop(EXIT_OK);
  }

  /** The stream is over (an error, or the gateway ended it): stop serving. */
  _streamEnded(detail, error) {
    this._resolveStreamDone?.();
    if (this._stopped || this._ending) return;
    if (this._shutdown !== null && this._writer.closed) {
      return; // our own shutdown half-closed the stream and is finishing up
    }
    this._ending = true;
    if (!this._welcomed && error) log.error(`cannot connect to the gateway at ${this.config.target}: ${detail}`);
    else if (error) log.error(`gateway connection lost: ${detail}`);
    else log.info(`gateway ended the stream: ${detail}`);
    this._abandonAll(error ? EXIT_LOST : EXIT_OK);
  }

  /** Nobody is left to send Outcomes to: abort every call, give it a moment, stop. */
  async _abandonAll(code) {
    this._closing = true;
    this._writer.abort();
    for (const ctx of [...this._calls.values()]) ctx._cancel(WORKER_LOST);
    // A safety net: the aborts above already rejected the nested calls of running calls.
    this._nested.rejectAll(
      new BraidError('the gateway connection was lost', { code: 'UNAVAILABLE', type: 'Unavailable', retryable: true }),
    );
    await this._waitIdle(this._lostGraceMs);
    this._stop(code);
  }

  _stop(code) {
    if (this._stopped) return;
    this._stopped = true;
    this._resolveStopped(code);
  }

  _notifyIdle() {
    for (const wake of [...this._idleWaiters]) wake();
  }

  /** Resolves when no call is open, or after `ms`; never rejects. */
  _waitIdle(ms) {
    if (this._calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this._idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this._idleWaiters.add(done);
    });
  }
}

/** TLS when the config has it (a standalone worker off loopback), plaintext otherwise. */
function credentials(config) {
  if (!config.tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(config.tls.ca ?? null, config.tls.key ?? null, config.tls.cert ?? null);
}

/** Keepalive only across a network: HTTP/2 pings make a cut link fail the stream. */
function channelOptions(config) {
  if (!config.pool) return CHANNEL_OPTIONS;
  return {
    ...CHANNEL_OPTIONS,
    // dialing one address of a name: TLS and :authority still say the name
    ...(config.serverName
      ? { 'grpc.ssl_target_name_override': config.serverName, 'grpc.default_authority': config.serverName }
      : {}),
    'grpc.keepalive_time_ms': config.keepaliveMs,
    'grpc.keepalive_timeout_ms': config.keepaliveMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(err) {
  if (err && typeof err.code === 'number' && grpc.status[err.code] !== undefined) {
    return `${grpc.status[err.code]}: ${err.details ?? err.message}`;
  }
  return `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
}
