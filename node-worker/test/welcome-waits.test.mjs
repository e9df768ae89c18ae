// The shutdown waits come from the gateway's Welcome (0 = the worker's own fallback). Each test
// sends a wait far longer than the fallback and shows the worker still honours it after the
// fallback would have run out: the difference is what the call or the stream ends with, never
// how fast. Every wait is bounded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { json, shortTmp, sleep, startWorker, valueOf } from './helpers/gateway.mjs';

const T = { timeout: 30_000 };
const LONG_MS = 30_000;

const welcome = (waits) => ({ welcome: { max_payload_bytes: 1 << 20, grace_ms: 2000, ...waits } });

async function started(session, callId) {
  const beat = await session.expect('heartbeat', callId);
  assert.equal(json(beat.details), 'started');
}

describe('shutdown waits from Welcome', T, () => {
  let w;
  afterEach(() => w?.cleanup());

  test('cancel_grace_ms lets a call that ignores its abort outlive the fallback', async () => {
    w = await startWorker({}, welcome({ cancel_grace_ms: LONG_MS }));
    // settles 2 s after it started: past the 1 s fallback it would be abandoned at shutdown
    const callId = w.session.invoke('samples.mjs#ignoreAbort', [2000]);
    await started(w.session, callId);
    w.session.shutdown(100);
    assert.equal(valueOf(await w.session.expect('outcome', callId)), 'ignored');
    await w.session.halfClosed;
    w.session.end();
    assert.equal(await w.proc.wait(), 0);
  });

  test('lost_grace_ms gives a call its cleanup when the gateway is gone', async () => {
    w = await startWorker({}, welcome({ lost_grace_ms: LONG_MS }));
    const marker = path.join(shortTmp(), 'marker');
    // cleans up for 2.5 s: past the 0.5 s fallback the worker has exited
    const callId = w.session.invoke('samples.mjs#slowCleanup', [marker, 2500]);
    await started(w.session, callId);
    w.gateway.stop();
    assert.equal(await w.proc.wait(15_000), 1);
    assert.equal(readFileSync(marker, 'utf8'), 'cleaned up after worker_lost');
  });

  test('close_wait_ms keeps waiting for the gateway to end the stream', async () => {
    w = await startWorker({}, welcome({ close_wait_ms: LONG_MS }));
    w.session.shutdown(100);
    await w.session.halfClosed;
    // the 1 s fallback would have given up on the gateway by now
    await sleep(2000);
    assert.equal(w.proc.child.exitCode, null, w.proc.output);
    w.session.end();
    assert.equal(await w.proc.wait(), 0);
  });
});
