// A Node client of `braid serve`: run a workflow and stream its events, then cancel a run midway.
//
// Start a server (from the repository root), then run this with the same token:
//
//   BRAID_TOKENS=demo-token ./braid serve --workflows examples/clients/flows &
//   BRAID_TOKEN=demo-token node examples/clients/node/client.mjs
//
// The .proto is loaded at run time with @grpc/proto-loader. Every call sends
// `authorization: Bearer <token>` metadata.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

// In this repository the Node worker has @grpc/grpc-js and @grpc/proto-loader installed: use
// its copies. Elsewhere: `npm install @grpc/grpc-js @grpc/proto-loader` and import them directly.
const require = createRequire(new URL('../../../node-worker/package.json', import.meta.url));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs'); // proto-loader's own dependency: decodes the trailer

const PROTO_ROOT = fileURLToPath(new URL('../../../proto', import.meta.url));
const FAILURE_TRAILER = 'braid-failure-bin';

const definition = protoLoader.loadSync('braid/api/v1/api.proto', {
  includeDirs: [PROTO_ROOT],
  keepCase: true, // field names as in the .proto: run_id, input_json
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const api = grpc.loadPackageDefinition(definition).braid.api.v1;
const Failure = new protobuf.Root()
  .loadSync(`${PROTO_ROOT}/braid/api/v1/api.proto`, { keepCase: true })
  .lookupType('braid.api.v1.Failure');

/** One line per event: time, type, step and how it ended. */
function describe(event) {
  const kind = event.type.replace('EVENT_TYPE_', '').toLowerCase();
  let line = `${event.t_ms.toFixed(1).padStart(9)}ms  #${String(event.seq).padEnd(3)} ${kind.padEnd(16)} ${event.step}`;
  if (event.status !== 'EVENT_STATUS_UNSPECIFIED') {
    line += `  ${event.status.replace('EVENT_STATUS_', '').toLowerCase()}`;
  }
  if (event.error) {
    line += `  ${event.error.type}: ${event.error.message}`;
  }
  return line;
}

function deadline(seconds) {
  return new Date(Date.now() + seconds * 1000);
}

/** A unary call as a promise. */
function unary(client, method, request, metadata, seconds = 10) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: deadline(seconds) }, (err, reply) =>
      err ? reject(err) : resolve(reply),
    );
  });
}

/** RunWorkflow: print every event as it comes; the last one is the outcome. */
async function runAndStream(client, metadata, n) {
  // the client's deadline becomes the run's deadline on the server
  const call = client.RunWorkflow(
    { name: 'ticks', input_json: JSON.stringify({ n }) },
    metadata,
    { deadline: deadline(30) },
  );
  let outcome;
  for await (const event of call) {
    console.log(describe(event));
    outcome = event;
  }
  if (outcome.status === 'EVENT_STATUS_OK') {
    console.log(`run finished: ok, result ${outcome.result_json}`);
  } else {
    console.log(`run finished: ${outcome.status}: ${outcome.error.message}`);
  }
  return outcome.run_id;
}

/** Start a long run, cancel the RPC after `after` ticks: the server cancels the run. */
async function cancelMidway(client, metadata, after) {
  const call = client.RunWorkflow(
    { name: 'ticks', input_json: JSON.stringify({ n: 1000, delay: 0.05 }) },
    metadata,
    { deadline: deadline(60) },
  );
  let runId;
  let done = 0;
  try {
    for await (const event of call) {
      runId ??= event.run_id;
      console.log(describe(event));
      if (event.type === 'EVENT_TYPE_STEP_FINISHED' && event.step.startsWith('ticks.do')) {
        done += 1;
        if (done === after) {
          console.log(`cancelling run ${runId} after ${done} ticks`);
          call.cancel();
        }
      }
    }
  } catch (err) {
    if (err.code !== grpc.status.CANCELLED) {
      throw err;
    }
    console.log('the stream ended: CANCELLED (by us)');
  }
  // the run itself was cancelled on the server, and its functions saw it
  let info;
  for (let i = 0; i < 100; i++) {
    info = await unary(client, 'GetRun', { run_id: runId }, metadata);
    if (info.state !== 'RUN_STATE_RUNNING') {
      break;
    }
    await sleep(50);
  }
  console.log(`run ${runId} is now ${info.state}: ${info.failure?.message ?? ''}`);
}

/** How failures arrive: application failures as data, the rest as status + trailer. */
async function showErrors(client, metadata) {
  const r = await unary(
    client,
    'Invoke',
    { function: 'python:ticker:tick_at', args_json: '[-1]' },
    metadata,
  );
  console.log(
    `the function raised: ${r.failure.type}: ${r.failure.message} (${r.failure.language})`,
  );
  try {
    await unary(client, 'Invoke', { function: 'python:ticker:nope' }, metadata);
  } catch (err) {
    console.log(`unknown function: ${statusName(err.code)}: ${err.details}`);
    const [bytes] = err.metadata?.get(FAILURE_TRAILER) ?? [];
    if (bytes) {
      const failure = Failure.toObject(Failure.decode(bytes), { enums: String });
      console.log(`  failure record: code ${failure.code}, type ${failure.type}`);
    }
  }
  try {
    await unary(client, 'ListFunctions', {}, new grpc.Metadata());
  } catch (err) {
    console.log(`without a token: ${statusName(err.code)}: ${err.details}`);
  }
}

function statusName(code) {
  return Object.keys(grpc.status).find((k) => grpc.status[k] === code) ?? String(code);
}

async function main() {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: process.env.BRAID_TARGET ?? 'localhost:7070' },
      token: { type: 'string', default: process.env.BRAID_TOKEN ?? '' },
      ca: { type: 'string' },
      ticks: { type: 'string', default: '5' },
      'cancel-after': { type: 'string', default: '3' },
    },
  });
  if (!values.token) {
    console.error('no token: set BRAID_TOKEN or pass --token');
    return 2;
  }
  const credentials = values.ca
    ? grpc.credentials.createSsl(readFileSync(values.ca))
    : grpc.credentials.createInsecure();
  const client = new api.Braid(values.target, credentials);
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${values.token}`);
  try {
    console.log('== run a workflow, streaming its events');
    await runAndStream(client, metadata, Number(values.ticks));
    console.log('== cancel a run midway');
    await cancelMidway(client, metadata, Number(values['cancel-after']));
    console.log('== errors');
    await showErrors(client, metadata);
  } finally {
    client.close();
  }
  return 0;
}

process.exitCode = await main();
