/**
 * A small stderr logger: one line per record, `time braid-node-worker[pid] LEVEL message`.
 *
 * stdout is never written: the gateway copies both streams into its log, and stdout is kept
 * free for whatever user functions print.
 *
 * @module
 */

const LEVELS = Object.freeze({ debug: 10, info: 20, warning: 30, error: 40 });
const ALIASES = Object.freeze({ warn: 'warning', fatal: 'error', critical: 'error' });

let threshold = LEVELS.info;

/**
 * Normalizes a level name (`"WARNING"`, `"warn"`, `"Info"`); unknown names give `"info"`.
 *
 * @param {string | undefined} name
 * @returns {'debug' | 'info' | 'warning' | 'error'}
 */
export function levelName(name) {
  const lower = String(name ?? '').trim().toLowerCase();
  const level = ALIASES[lower] ?? lower;
  return Object.hasOwn(LEVELS, level) ? level : 'info';
}

/** Sets the lowest level that is written. */
export function setLevel(name) {
  threshold = LEVELS[levelName(name)];
}

function write(level, message) {
  if (LEVELS[level] < threshold) return;
  const line = `${new Date().toISOString()} braid-node-worker[${process.pid}] ${level.toUpperCase()} ${message}\n`;
  try {
    process.stderr.write(line);
  } catch {
    // stderr is gone (the gateway closed its pipe): nobody is left to tell.
  }
}

/** The logger. Each method takes one already formatted message. */
export const log = Object.freeze({
  debug: (message) => write('debug', message),
  info: (message) => write('info', message),
  warning: (message) => write('warning', message),
  error: (message) => write('error', message),
  /** True when records of `level` are written (to skip building costly messages). */
  enabled: (level) => LEVELS[level] >= threshold,
});
