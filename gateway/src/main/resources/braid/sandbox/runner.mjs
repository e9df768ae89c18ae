// Braid sandbox runner for JavaScript modules (node, no dependencies).
//
// Protocol: open the result channel (argv[2], /run/braid/result inside the sandbox) and write
// "R" (ready); read ONE JSON request {"code", "filename", "input"} from stdin until EOF (a warm
// sandbox blocks here); write the code to a private file under $TMPDIR and import it as an ES
// module (or CommonJS for *.cjs); then close stdout and stderr and write ONE JSON line to the channel:
// {"ok": true, "value": V} when the module exports main (async allowed), {"ok": true, "plain":
// true} for a plain script (its stdout is the result), or {"ok": false, "type", "message",
// "stack"} when it threw or rejected.
//
// The script runs in this process and may patch anything shared: JSON.stringify, Buffer, String,
// fs (through syncBuiltinESMExports), Array.prototype[Symbol.iterator], Object.prototype (a
// toJSON, or a setter for a field of the record). So everything used once the script has run is
// bound below, before it runs, the records have no prototype, and no loop iterates an array.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// import bindings of node:fs are live (module.syncBuiltinESMExports): copy them now
const { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } = fs;
const stringify = JSON.stringify;
const parse = JSON.parse;
const toString = String;
const round = Math.round;
const ErrorType = Error;
const utf8 = TextEncoder.prototype.encode.bind(new TextEncoder());
const resourceUsage = process.resourceUsage.bind(process);
const exit = process.exit.bind(process);
const onProcess = process.on.bind(process);

const fd = openSync(process.argv[2] ?? '/run/braid/result', 'w');
let sent = false;
let hasMain = false;

function write(text) {
  const buf = utf8(text + '\n');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

// Records have no prototype: an Object.prototype.toJSON or setter planted by the script cannot
// touch them.
function failure(e) {
  try {
    if (e instanceof ErrorType) {
      return {
        __proto__: null,
        ok: false,
        type: toString(e.name || e.constructor?.name || 'Error'),
        message: toString(e.message ?? ''),
        stack: toString(e.stack ?? ''),
      };
    }
    return { __proto__: null, ok: false, type: 'Throw', message: toString(e), stack: '' };
  } catch {
    return { __proto__: null, ok: false, type: 'Error', message: '<unprintable thrown value>', stack: '' };
  }
}

function usage() {
  // self-reported; the gateway prefers the kernel's cgroup accounting where it has it
  try {
    const u = resourceUsage();
    return { __proto__: null, cpu_ms: round((u.userCPUTime + u.systemCPUTime) / 1000), rss_kb: u.maxRSS };
  } catch {
    return { __proto__: null };
  }
}

// The last resort when even the failure record cannot be encoded.
const UNENCODABLE =
  '{"ok":false,"type":"TypeError","message":"the result could not be encoded as JSON","stack":""}';

function line(rec) {
  try {
    const text = stringify(rec);
    if (typeof text === 'string') return text;
  } catch (e) {
    try {
      const f = failure(e);
      f.type = 'TypeError';
      f.message = `main() returned a value that is not JSON: ${f.message}`;
      f.stack = '';
      f.usage = rec.usage;
      return stringify(f);
    } catch {
      // fall through
    }
  }
  return UNENCODABLE;
}

function send(rec) {
  if (sent) return;
  sent = true;
  rec.usage = usage();
  const text = line(rec);
  // The gateway settles the run as soon as the answer arrives: closing the output first tells it
  // that the output is complete (unless a child of the script still holds it). Writes to pipes
  // are synchronous on Linux, so nothing is left in a buffer here.
  for (let out = 1; out <= 2; out++) {
    try {
      closeSync(out);
    } catch {
      // already closed
    }
  }
  write(text);
  closeSync(fd);
}

onProcess('uncaughtException', (e) => {
  send(failure(e));
  exit(1);
});
onProcess('exit', (code) => {
  // a plain script ends when its event loop is empty
  if (code === 0 && !hasMain) send({ __proto__: null, ok: true, plain: true });
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
  parse(line({ __proto__: null, ok: true, value: [1, 'x', null] }));
  usage();
}

write('R');
const request = parse(readFileSync(0, 'utf8'));
const base = String(request.filename || 'script.mjs').replace(/^.*\//, '').replace(/[^A-Za-z0-9._-]/g, '_');
const file = join(dir, /\.(mjs|cjs)$/.test(base) ? base : base.replace(/\.js$/, '') + '.mjs');
writeFileSync(file, request.code);
const input = request.input ?? null;
const mod = await import(pathToFileURL(file).href);
const main = typeof mod.main === 'function' ? mod.main : mod.default?.main;
if (typeof main === 'function') {
  hasMain = true;
  let value;
  try {
    value = await main(input);
  } catch (e) {
    send(failure(e));
    exit(1);
  }
  send({ __proto__: null, ok: true, value: value === undefined ? null : value });
  exit(0);
}
