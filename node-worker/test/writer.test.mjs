import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { BatchWriter, FRAME_OVERHEAD } from '../src/writer.mjs';

/** An object-mode stream stand-in: records batches, returns `ok` from write(). */
class FakeStream extends EventEmitter {
  constructor() {
    super();
    this.batches = [];
    this.ok = true;
  }
  write(batch) {
    this.batches.push(batch.frames);
    return this.ok;
  }
}

/** A scheduler the test runs by hand. */
function manual() {
  const queue = [];
  const schedule = (fn) => queue.push(fn);
  schedule.run = () => {
    while (queue.length) queue.shift()();
  };
  schedule.pending = () => queue.length;
  return schedule;
}

test('frames of one turn leave as one batch', () => {
  const stream = new FakeStream();
  const schedule = manual();
  const writer = new BatchWriter(stream, { schedule });
  writer.frame({ pong: { seq: 1 } });
  writer.frame({ pong: { seq: 2 } });
  assert.equal(schedule.pending(), 1, 'one flush scheduled for many frames');
  assert.equal(stream.batches.length, 0, 'nothing is written synchronously');
  schedule.run();
  assert.deepEqual(stream.batches, [[{ pong: { seq: 1 } }, { pong: { seq: 2 } }]]);
  assert.equal(writer.pending, 0);
});

test('the default scheduler flushes after the current job and the promise jobs queued before it', async () => {
  const stream = new FakeStream();
  const writer = new BatchWriter(stream);
  Promise.resolve().then(() => writer.frame({ n: 2 })); // queued before the flush: joins
  writer.frame({ n: 1 });
  assert.equal(stream.batches.length, 0, 'nothing is written synchronously');
  await new Promise((resolve) => {
    setImmediate(resolve);
  });
  assert.deepEqual(stream.batches, [[{ n: 1 }, { n: 2 }]]);
});

test('a batch is cut before it grows past maxBatchBytes; a big frame travels alone', () => {
  const stream = new FakeStream();
  const schedule = manual();
  const writer = new BatchWriter(stream, { schedule, maxBatchBytes: 100 });
  writer.frame({ n: 1 }, 100 - FRAME_OVERHEAD); // exactly full
  writer.frame({ n: 2 }, 500); // too big: alone
  writer.frame({ n: 3 }, 1);
  schedule.run();
  assert.deepEqual(
    stream.batches.map((b) => b.map((f) => f.n)),
    [[1], [2], [3]],
  );
});

test('write() returning false holds frames until drain', () => {
  const stream = new FakeStream();
  const schedule = manual();
  const writer = new BatchWriter(stream, { schedule });
  stream.ok = false;
  writer.frame({ n: 1 });
  schedule.run();
  assert.equal(stream.batches.length, 1);
  writer.frame({ n: 2 });
  writer.frame({ n: 3 });
  assert.equal(schedule.pending(), 0, 'no flush while blocked');
  schedule.run();
  assert.equal(stream.batches.length, 1);
  assert.equal(writer.pending, 2);
  stream.ok = true;
  stream.emit('drain');
  assert.deepEqual(stream.batches[1], [{ n: 2 }, { n: 3 }]);
  assert.equal(writer.pending, 0);
});

test('close() resolves once everything pending was written; later frames are dropped', async () => {
  const stream = new FakeStream();
  const schedule = manual();
  const writer = new BatchWriter(stream, { schedule });
  writer.frame({ n: 1 });
  let closed = false;
  const done = writer.close().then(() => {
    closed = true;
  });
  assert.equal(writer.frame({ n: 2 }), false);
  await Promise.resolve();
  assert.equal(closed, false);
  schedule.run();
  await done;
  assert.deepEqual(stream.batches, [[{ n: 1 }]]);
});

test('abort() drops pending frames and resolves close()', async () => {
  const stream = new FakeStream();
  const schedule = manual();
  const writer = new BatchWriter(stream, { schedule });
  stream.ok = false;
  writer.frame({ n: 1 });
  schedule.run();
  writer.frame({ n: 2 });
  const closing = writer.close();
  writer.abort();
  await closing;
  assert.equal(writer.pending, 0);
  assert.equal(writer.frame({ n: 3 }), false);
});

test('maxBatchBytes < 1 is rejected, naming the value', () => {
  assert.throws(() => new BatchWriter(new FakeStream(), { maxBatchBytes: 0 }), /maxBatchBytes < 1: 0/);
});
