// Braid sandbox runner for JavaScript modules (node, no dependencies).
//
// Protocol: open the result channel (argv[2], /run/braid/result inside the sandbox) and write
// "R" (ready); read ONE JSON request {"code", "filename", "input"} from stdin until EOF (a warm
// sandbox blocks here); write the code to a private file under $TMPDIR and import it as an ES
// module (or CommonJS for *.cjs); then close stdout and stderr and write ONE JSON line to the channel:
// {"ok": true, "value": V} when the module exports main (async allowed), {"ok": true, "plain":
// true} for a plain script (its stdout is the result), or {"ok": false, "type", "message",
// "stack"} when it threw or rejected.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const fd = openSync(process.argv[2] ?? '/run/braid/result', 'w');
let sent = false;
let hasMain = false;

function write(text) {
  const buf = Buffer.from(text + '\n', 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

function failure(e) {
  try {
    if (e instanceof Error) {
      return {
        ok: false,
        type: String(e.name || e.constructor?.name || 'Error'),
        message: String(e.message ?? ''),
        stack: String(e.stack ?? ''),
      };
    }
    return { ok: false, type: 'Throw', message: String(e), stack: '' };
  } catch {
    return { ok: false, type: 'Error', message: '<unprintable thrown value>', stack: '' };
  }
}

function usage() {
  // self-reported; the gateway prefers the kernel's cgroup accounting where it has it
  try {
    const u = process.resourceUsage();
    return { cpu_ms: Math.round((u.userCPUTime + u.systemCPUTime) / 1000), rss_kb: u.maxRSS };
  } catch {
    return {};
  }
}

function send(record) {
  if (sent) return;
  sent = true;
  record.usage = usage();
  let line;
  try {
    line = JSON.stringify(record);
  } catch (e) {
    line = JSON.stringify(failure(new TypeError(`main() returned a value that is not JSON: ${e.message}`)));
  }
  // The gateway settles the run as soon as the answer arrives: closing the output first tells it
  // that the output is complete (unless a child of the script still holds it). Writes to pipes
  // are synchronous on Linux, so nothing is left in a buffer here.
  for (const out of [1, 2]) {
    try {
      closeSync(out);
    } catch {
      // already closed
    }
  }
  write(line);
  closeSync(fd);
}

process.on('uncaughtException', (e) => {
  send(failure(e));
  process.exit(1);
});
process.on('exit', (code) => {
  // a plain script ends when its event loop is empty
  if (code === 0 && !hasMain) send({ ok: true, plain: true });
});

const dir = join(process.env.TMPDIR || '/tmp', '.braid');
mkdirSync(dir, { recursive: true, mode: 0o700 });
{
  // The first import of a file sets up the module loader (a few ms): a warm sandbox pays for it
  // here, before its script arrives. Scripts are written in dir itself, never in a subfolder.
  mkdirSync(join(dir, 'warm-up'), { mode: 0o700 });
  const warm = join(dir, 'warm-up', 'warm-up.mjs');
  writeFileSync(warm, 'export function main(i) { return i; }\n');
  (await import(pathToFileURL(warm).href)).main(1);
  JSON.parse(JSON.stringify({ ok: true, value: [1, 'x', null] }));
  usage();
}

write('R');
const request = JSON.parse(readFileSync(0, 'utf8'));
const base = String(request.filename || 'script.mjs').replace(/^.*\//, '').replace(/[^A-Za-z0-9._-]/g, '_');
const file = join(dir, /\.(mjs|cjs)$/.test(base) ? base : base.replace(/\.js$/, '') + '.mjs');
writeFileSync(file, request.code);
const mod = await import(pathToFileURL(file).href);
const main = typeof mod.main === 'function' ? mod.main : mod.default?.main;
if (typeof main === 'function') {
  hasMain = true;
  let value;
  try {
    value = await main(request.input ?? null);
  } catch (e) {
    send(failure(e));
    process.exit(1);
  }
  send({ ok: true, value: value === undefined ? null : value });
  process.exit(0);
}
