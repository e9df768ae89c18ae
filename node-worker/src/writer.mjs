/**
 * The batching writer: every outgoing frame goes through one buffer, flushed once per turn of
 * the event loop as ONE `WorkerBatch`.
 *
 * Frames are appended to the batch being filled; the first frame of a batch schedules a flush
 * as a microtask, queued behind the promise jobs already pending. A gateway batch is
 * dispatched synchronously, so the outcomes of every call it started that settle right away
 * (sync functions, async functions with nothing to wait for) leave together, in one message,
 * as soon as the dispatch is over. An idle link therefore sends each frame at once, a busy
 * one amortises the per-message cost, and there are no timers. (A `setImmediate` flush would
 * coalesce a little more under load, but costs every round trip a trip around the event
 * loop.) The stream's `write()` return value is honoured: once it says its buffer is full the
 * writer holds everything until `'drain'`.
 *
 * @module
 */

export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Estimated bytes of a frame's envelope (tags, lengths, call id, encoding tag). */
export const FRAME_OVERHEAD = 32;

/**
 * Coalesces frames into batches and writes them to a stream.
 *
 * Single-threaded like everything on the event loop; `frame()` never writes synchronously,
 * so callers may append from anywhere, including while a write is in progress.
 */
export class BatchWriter {
  /**
   * @param {{write(batch: {frames: object[]}): boolean, once(event: 'drain', fn: () => void): unknown}} stream
   *   an object-mode writable (the grpc-js client stream)
   * @param {object} [options]
   * @param {number} [options.maxBatchBytes] a batch is cut before it would grow past this;
   *   a larger frame travels alone
   * @param {(fn: () => void) => unknown} [options.schedule] how a flush is scheduled
   *   (default `queueMicrotask`)
   */
  constructor(stream, { maxBatchBytes = MAX_BATCH_BYTES, schedule = queueMicrotask } = {}) {
    if (!(maxBatchBytes >= 1)) throw new RangeError(`maxBatchBytes < 1: ${maxBatchBytes}`);
    this._stream = stream;
    this._max = maxBatchBytes;
    this._schedule = schedule;
    /** @type {object[][]} batches that are full, oldest first */
    this._full = [];
    /** @type {object[]} the batch being filled */
    this._frames = [];
    this._bytes = 0;
    this._scheduled = false;
    this._blocked = false;
    this._closed = false;
    /** @type {(() => void)[]} */
    this._idleWaiters = [];
    this._flushBound = () => this._flush();
    this._drainBound = () => {
      this._blocked = false;
      this._flush();
    };
    this.batchesWritten = 0;
    this.framesWritten = 0;
  }

  /**
   * Appends `frame` (a `WorkerFrame` object) to the pending batch.
   *
   * The frame must not be changed afterwards (it is serialized on a later turn).
   *
   * @param {object} frame
   * @param {number} [sizeHint] payload bytes, for cutting batches
   * @returns {boolean} false if the writer is closed and the frame was dropped
   */
  frame(frame, sizeHint = 0) {
    if (this._closed) return false;
    const size = sizeHint + FRAME_OVERHEAD;
    if (this._bytes + size > this._max && this._frames.length > 0) {
      this._full.push(this._frames);
      this._frames = [];
      this._bytes = 0;
    }
    this._frames.push(frame);
    this._bytes += size;
    if (!this._scheduled && !this._blocked) {
      this._scheduled = true;
      this._schedule(this._flushBound);
    }
    return true;
  }

  /** Number of frames not yet handed to the stream. */
  get pending() {
    let n = this._frames.length;
    for (const batch of this._full) n += batch.length;
    return n;
  }

  /** True after `close()` or `abort()`. */
  get closed() {
    return this._closed;
  }

  /**
   * Accepts no more frames; resolves once every pending frame was handed to the stream.
   *
   * Never rejects. If the stream never drains the promise never resolves: bound the wait.
   *
   * @returns {Promise<void>}
   */
  close() {
    this._closed = true;
    return new Promise((resolve) => {
      if (this.pending === 0) resolve();
      else {
        this._idleWaiters.push(resolve);
        if (!this._scheduled && !this._blocked) {
          this._scheduled = true;
          this._schedule(this._flushBound);
        }
      }
    });
  }

  /** Closes and drops everything pending (the stream is gone). */
  abort() {
    this._closed = true;
    this._full = [];
    this._frames = [];
    this._bytes = 0;
    this._wakeIdle();
  }

  _flush() {
    this._scheduled = false;
    while (!this._blocked) {
      let frames;
      if (this._full.length > 0) {
        frames = this._full.shift();
      } else if (this._frames.length > 0) {
        frames = this._frames;
        this._frames = [];
        this._bytes = 0;
      } else {
        break;
      }
      this.batchesWritten += 1;
      this.framesWritten += frames.length;
      if (this._stream.write({ frames }) === false) {
        // The transport buffer is full: frames pile up in the next batch until it drains.
        this._blocked = true;
        this._stream.once('drain', this._drainBound);
      }
    }
    if (!this._blocked && this.pending === 0) this._wakeIdle();
  }

  _wakeIdle() {
    const waiters = this._idleWaiters;
    if (waiters.length === 0) return;
    this._idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
