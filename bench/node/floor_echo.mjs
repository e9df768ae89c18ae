// The floor for Node: a plain Unix-socket echo of length-prefixed messages (no gRPC, no
// protobuf, no JSON), the Node twin of ../python/floor_echo.py.
//
//   node floor_echo.mjs SOCKET_PATH
//
// Listens on SOCKET_PATH, prints `ready node/<version>` once listening, serves one connection and exits when
// it closes (or when stdin closes). Each message is a 4-byte big-endian length and that many
// bytes; every complete message in a chunk is parsed and echoed, all of them in ONE write (so a
// pipelined client is answered at the speed of the socket, not one syscall per message).
import { existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';

const HEADER = 4;
const path = process.argv[2];
if (existsSync(path)) unlinkSync(path);

const server = net.createServer({ noDelay: true }, (conn) => {
  server.close(); // one connection only
  let pending = null; // bytes of an incomplete message, kept for the next chunk
  conn.on('data', (chunk) => {
    const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
    let pos = 0;
    while (buf.length - pos >= HEADER) {
      const size = buf.readUInt32BE(pos);
      if (buf.length - pos - HEADER < size) break;
      pos += HEADER + size;
    }
    if (pos > 0) conn.write(buf.subarray(0, pos));
    pending = pos === buf.length ? null : Buffer.from(buf.subarray(pos));
  });
  conn.on('error', () => {});
  conn.on('close', () => process.exit(0));
});
server.listen(path, () => {
  process.stdout.write(`ready node/${process.version}\n`);
});
// never linger: the bench closing stdin (or dying) stops the server
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
setTimeout(() => {
  if (server.listening) process.exit(3); // nobody connected within 60 s
}, 60_000).unref();
