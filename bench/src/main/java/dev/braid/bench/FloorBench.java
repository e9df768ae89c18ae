package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The floor: Java and a worker language's echo server ({@link Peer#python}: a plain Python socket
 * loop; {@link Peer#node}: a Node {@code net} server) exchanging length-prefixed messages over a
 * raw Unix socket, with nothing else in the way (no gRPC, no protobuf, no JSON). Nothing that
 * crosses this boundary per message can be faster.
 *
 * <p>Sequential: one message out, wait for its echo. Pipelined: a writer keeps up to {@code window}
 * messages in flight, writing every message it may send in one {@code write}; a reader counts
 * echoes. Both ends coalesce, as Braid's batching does.
 */
final class FloorBench {
  private static final Logger log = LoggerFactory.getLogger(FloorBench.class);
  private static final int WINDOW = 1024;
  private static final int MAX_PER_WRITE = 256;

  /** The echo server at the other end of the socket, and how to name it in logs and results. */
  record Peer(String label, String description, Starter starter) {
    interface Starter {
      AutoCloseable start(Path socket) throws Exception;
    }

    static Peer python(BenchConfig cfg) {
      return new Peer(
          "floor",
          "python socket echo (bench/python/floor_echo.py)",
          sock -> PythonHelper.start(cfg, "floor_echo.py", sock.toString()));
    }

    static Peer node(BenchConfig cfg) {
      return new Peer(
          "node floor",
          "node net.createServer (bench/node/floor_echo.mjs)",
          sock -> NodeHelper.start(cfg, "floor_echo.mjs", sock.toString()));
    }
  }

  private final BenchConfig cfg;
  private final byte[] payload;
  private final Peer peer;

  FloorBench(BenchConfig cfg, byte[] payload, Peer peer) {
    this.cfg = cfg;
    this.payload = payload;
    this.peer = peer;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    Path sock = Files.createTempDirectory("braid-bench-floor-").resolve("echo.sock");
    String label = peer.label();
    ObjectNode out = json.createObjectNode();
    try (AutoCloseable server = peer.starter().start(sock);
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
      log.info("{}: sequential ping-pong with {}", label, server);
      if (server instanceof NodeHelper node) {
        out.put("node", node.banner());
      }
      ByteBuffer msg = frame(1);
      ByteBuffer reply = ByteBuffer.allocateDirect(4 + payload.length);
      long[] nanos =
          Harness.sequential(
              cfg.samples(20_000),
              cfg.samples(50_000),
              () -> {
                msg.rewind();
                while (msg.hasRemaining()) {
                  ch.write(msg);
                }
                reply.clear();
                readFully(ch, reply);
              });
      out.set("latency", Latency.of(nanos).toJson(json));
      log.info("{}: pipelined, window {}", label, WINDOW);
      pipelined(ch, Duration.ofMillis(500)); // warm-up
      Throughput t = pipelined(ch, cfg.phase(Duration.ofSeconds(2)));
      out.set("throughput", t.toJson(json));
      log.info("{}: {} msgs/s", label, Math.round(t.perSecond()));
    } finally {
      Files.deleteIfExists(sock);
      Files.deleteIfExists(sock.getParent());
    }
    out.put("payload_bytes", payload.length);
    out.put("server", peer.description());
    return out;
  }

  private Throughput pipelined(SocketChannel ch, Duration measure) throws Exception {
    Semaphore window = new Semaphore(WINDOW);
    AtomicLong received = new AtomicLong();
    // set once the writer is done: the reader stops after exactly this many echoes, so no byte
    // of this phase is left on the socket for the next one
    AtomicLong stopAt = new AtomicLong(-1);
    int frameSize = 4 + payload.length;
    CompletableFuture<Void> reader =
        CompletableFuture.runAsync(
            () -> {
              ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
              long bytes = 0;
              try {
                while (true) {
                  long stop = stopAt.get();
                  long msgs = bytes / frameSize;
                  if (stop >= 0 && msgs >= stop) {
                    return;
                  }
                  in.clear();
                  if (ch.read(in) < 0) {
                    throw new EOFException("floor server closed the socket");
                  }
                  bytes += in.position();
                  long fresh = bytes / frameSize - msgs;
                  if (fresh > 0) {
                    received.addAndGet(fresh);
                    window.release((int) fresh);
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    ByteBuffer batch = frame(MAX_PER_WRITE);
    long sent = 0;
    long t0 = System.nanoTime();
    long end = t0 + measure.toNanos();
    while (System.nanoTime() < end) {
      if (!window.tryAcquire(1, Harness.STALL.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new TimeoutException(
            peer.label() + ": no echo within " + Harness.STALL.toSeconds() + "s");
      }
      // only this thread takes permits, so what is available now stays available
      int extra = Math.min(MAX_PER_WRITE - 1, window.availablePermits());
      int n = extra > 0 && window.tryAcquire(extra) ? 1 + extra : 1;
      batch.limit(n * frameSize).position(0);
      while (batch.hasRemaining()) {
        ch.write(batch);
      }
      sent += n;
    }
    long done = received.get();
    double seconds = (System.nanoTime() - t0) / 1e9;
    // one last message wakes the reader if it already has every echo and sleeps in read()
    stopAt.set(sent + 1);
    ByteBuffer last = frame(1);
    while (last.hasRemaining()) {
      ch.write(last);
    }
    reader.get(Harness.STALL.toMillis(), TimeUnit.MILLISECONDS);
    return new Throughput(WINDOW, done, 0, seconds);
  }

  /** {@code n} copies of the message, back to back, ready to write. */
  private ByteBuffer frame(int n) {
    ByteBuffer b = ByteBuffer.allocateDirect(n * (4 + payload.length));
    for (int i = 0; i < n; i++) {
      b.putInt(payload.length).put(payload);
    }
    return b.flip();
  }

  private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("floor server closed the socket");
      }
    }
  }
}
