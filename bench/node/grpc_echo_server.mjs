// The naive gRPC baseline for Node: a @grpc/grpc-js server with one unary method echoing its
// bytes, the Node twin of ../python/grpc_echo_server.py.
//
//   node grpc_echo_server.mjs SOCKET_PATH
//   node grpc_echo_server.mjs tcp:127.0.0.1:PORT
//
// No code generation: a generic service definition with identity (de)serializers, so the
// request bytes are handed back as they came. @grpc/grpc-js is the Node worker's own copy
// (node-worker/node_modules). Listens on `unix:SOCKET_PATH` (or on the TCP address after `tcp:`,
// for the API section), prints `ready grpc-js/<v> node/<v>`,
// serves until stdin closes (the bench closes it to stop the server).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../node-worker/package.json', import.meta.url));
const grpc = require('@grpc/grpc-js');
const version = require('@grpc/grpc-js/package.json').version;

const identity = (b) => b;
const SERVICE = {
  Echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

const server = new grpc.Server();
server.addService(SERVICE, {
  Echo: (call, callback) => callback(null, call.request),
});
const where = process.argv[2];
const address = where.startsWith('tcp:') ? where.slice('tcp:'.length) : `unix:${where}`;
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) {
    process.stderr.write(`cannot listen: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`ready grpc-js/${version} node/${process.version}\n`);
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
