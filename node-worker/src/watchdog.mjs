/**
 * Parent watchdog: the worker must not outlive the gateway that started it.
 *
 * A `worker_threads` thread, not a timer on the main loop: it has to work while the event
 * loop is stuck in user code (`while (true) {}`). It polls `process.ppid`; when the parent
 * changes (the gateway died and the worker was re-parented) it SIGKILLs the worker's process
 * group when the worker leads one (so whatever its functions started goes too), then the
 * worker itself.
 *
 * @module
 */

import { Worker } from 'node:worker_threads';

export const DEFAULT_INTERVAL_MS = 200;

const THREAD_SOURCE = `
'use strict';
const { readFileSync, writeSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const { parent, pid, interval } = workerData;

function leadsGroup() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === pid; // state, ppid, pgrp
  } catch {
    return false;
  }
}

setInterval(() => {
  if (process.ppid === parent) return;
  try {
    // Straight to fd 2: the main thread, which owns process.stderr, may be blocked.
    writeSync(2, 'braid-node-worker: parent ' + parent + ' is gone; exiting\\n');
  } catch {}
  try {
    if (leadsGroup()) process.kill(-pid, 'SIGKILL');
  } catch {}
  process.kill(pid, 'SIGKILL');
}, interval);
`;

/**
 * Starts watching the current parent.
 *
 * @param {number} [intervalMs]
 * @returns {Worker | null} the thread (unref'd: it never keeps the process alive), or null
 *   when there is no parent worth watching (already re-parented to init)
 */
export function startParentWatchdog(intervalMs = DEFAULT_INTERVAL_MS) {
  const parent = process.ppid;
  if (parent <= 1) return null;
  const thread = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { parent, pid: process.pid, interval: intervalMs },
    // The thread needs almost nothing; keep its heap small.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
    stdout: false,
    stderr: false,
  });
  thread.unref();
  return thread;
}
