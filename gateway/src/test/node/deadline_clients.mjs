// Clients whose gRPC deadline passes while the server still works: each of CLIENTS concurrent
// clients makes CALLS calls of KIND (run: RunWorkflow 'ticks'; stream: InvokeStream of the ticks
// generator; invoke: a unary Invoke of a function that sleeps 5 s) with a DEADLINE_MS deadline, and the script prints how the calls ended, as one JSON
// line of status counts. @grpc/grpc-js reports a server's RST_STREAM as CANCELLED (it does not
// re-check its own deadline), so it shows what the server answered. Bounded: CALLS x CLIENTS
// calls of at most DEADLINE_MS each, to BRAID_TARGET only (the test passes 127.0.0.1).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const home = new URL('../../../../', import.meta.url);
const require = createRequire(new URL('node-worker/package.json', home));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const target = process.env.BRAID_TARGET;
const kind = process.env.KIND ?? 'run';
const clients = Number(process.env.CLIENTS ?? 8);
const calls = Number(process.env.CALLS ?? 10);
const deadlineMs = Number(process.env.DEADLINE_MS ?? 200);

const definition = protoLoader.loadSync('braid/api/v1/api.proto', {
  includeDirs: [fileURLToPath(new URL('proto', home))],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const api = grpc.loadPackageDefinition(definition).braid.api.v1;
const metadata = new grpc.Metadata();
metadata.set('authorization', `Bearer ${process.env.BRAID_TOKEN}`);

const counts = {};
const details = {};

/** Counts an ending by status, keeping up to five distinct details of each. */
function count(name, detail) {
  counts[name] = (counts[name] ?? 0) + 1;
  const seen = (details[name] ??= []);
  if (seen.length < 5 && !seen.includes(detail)) {
    seen.push(detail);
  }
}

function once(client) {
  return new Promise((resolve) => {
    const options = { deadline: new Date(Date.now() + deadlineMs) };
    if (kind === 'invoke') {
      client.Invoke({ function: 'python:ticker:pause', args_json: '[5]' }, metadata, options, (err, r) => {
        if (err) {
          count(grpc.status[err.code], err.details);
        } else {
          count('OK', JSON.stringify(r));
        }
        resolve();
      });
      return;
    }
    const call =
      kind === 'run'
        ? client.RunWorkflow(
            { name: 'ticks', input_json: JSON.stringify({ n: 1000, delay: 0.05 }) },
            metadata,
            options,
          )
        : client.InvokeStream(
            { function: 'python:ticker:ticks', args_json: '[1000, 0.05]' },
            metadata,
            options,
          );
    let last;
    call.on('data', (m) => {
      last = m;
    });
    call.on('error', (err) => {
      count(grpc.status[err.code], err.details);
      resolve();
    });
    call.on('status', (s) => {
      // an OK status: the server completed the stream before the deadline
      if (s.code === grpc.status.OK) {
        count('OK', JSON.stringify(last?.error ?? last?.step ?? null));
        resolve();
      }
    });
  });
}

async function loop() {
  const client = new api.Braid(target, grpc.credentials.createInsecure());
  for (let i = 0; i < calls; i++) {
    await once(client);
  }
  client.close();
}

/** One short call with a generous deadline, so the workers are up before the clients start. */
function warmUp() {
  const client = new api.Braid(target, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const options = { deadline: new Date(Date.now() + 60_000) };
    if (kind === 'invoke') {
      client.Invoke({ function: 'python:ticker:pause', args_json: '[0]' }, metadata, options, (err) => {
        client.close();
        if (err) {
          reject(err);
        } else {
          resolve();
        }
      });
      return;
    }
    const call =
      kind === 'run'
        ? client.RunWorkflow({ name: 'ticks', input_json: '{"n": 1, "delay": 0}' }, metadata, options)
        : client.InvokeStream({ function: 'python:ticker:ticks', args_json: '[1, 0]' }, metadata, options);
    call.on('data', () => {});
    call.on('error', reject);
    call.on('status', (s) => {
      client.close();
      if (s.code === grpc.status.OK) {
        resolve();
      }
    });
  });
}

// the steady state of the report this reproduces (clients looping against running workers)
await warmUp();
await Promise.all(Array.from({ length: clients }, loop));
console.log(JSON.stringify({ counts, details }));
