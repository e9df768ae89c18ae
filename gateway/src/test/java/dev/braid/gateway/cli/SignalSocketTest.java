package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The socket a braid holding a SQLite store takes signals on from other processes. */
@Timeout(60)
class SignalSocketTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private RunStore store() {
    return RunStores.open(
        new StoreConfig(
            dir.resolve("runs.db").toString(),
            StoreConfig.Sync.NORMAL,
            StoreConfig.Budgets.DEFAULT,
            false));
  }

  @Test
  void onlySqliteFilesWithShortPathsGetASocket() {
    assertThat(SignalSocket.pathFor("memory")).isNull();
    assertThat(SignalSocket.pathFor("postgresql://braid@db:5432/braid")).isNull();
    assertThat(SignalSocket.pathFor("jdbc:postgresql://127.0.0.1:5/x")).isNull();
    assertThat(SignalSocket.pathFor("/" + "a".repeat(120) + ".db")).isNull();
    assertThat(SignalSocket.pathFor("/tmp/runs.db")).isEqualTo(Path.of("/tmp/runs.db.sock"));
  }

  @Test
  void aSignalSentThroughTheSocketIsJournaledAndDelivered() throws Exception {
    try (RunStore store = store()) {
      String id =
          store.create("flow.yaml", "steps: {}", JSON.createObjectNode(), null).run().runId();
      Path sock = SignalSocket.pathFor(dir.resolve("runs.db").toString());
      // a dead holder's socket file is replaced
      Files.writeString(sock, "stale");
      try (SignalSocket s = SignalSocket.listen(sock, store)) {
        assertThat(s).isNotNull();
        assertThat(Files.getPosixFilePermissions(sock))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        String refused = SignalSocket.send(sock, id, "approve", JSON.readTree("{\"ok\": true}"));
        String unknown = SignalSocket.send(sock, "nope", "approve", JSON.nullNode());

        assertThat(refused).isNull();
        assertThat(unknown).contains("nope");
        JsonNode got =
            store.claim(id).journal().nextSignal("approve", "wait").get(10, TimeUnit.SECONDS);
        assertThat(got).isEqualTo(JSON.readTree("{\"ok\": true}"));
      }
      assertThat(sock).as("removed on close").doesNotExist();
      assertThatThrownBy(() -> SignalSocket.send(sock, id, "approve", JSON.nullNode()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void garbageIsDroppedAndTheNextRequestIsStillServed() throws Exception {
    try (RunStore store = store()) {
      String id =
          store.create("flow.yaml", "steps: {}", JSON.createObjectNode(), null).run().runId();
      Path sock = SignalSocket.pathFor(dir.resolve("runs.db").toString());
      try (SignalSocket s = SignalSocket.listen(sock, store)) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(sock));
          ch.write(ByteBuffer.wrap("{not json\n".getBytes(StandardCharsets.UTF_8)));
          // no answer: the connection is closed
          assertThat(ch.read(ByteBuffer.allocate(64))).isEqualTo(-1);
        }

        assertThat(SignalSocket.send(sock, id, "go", JSON.nullNode())).isNull();
      }
    }
  }
}
