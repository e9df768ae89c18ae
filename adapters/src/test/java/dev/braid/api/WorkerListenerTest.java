package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A worker listener is checked when it is made, before anything binds. */
class WorkerListenerTest {
  static final Map<String, Path> POOLS = Map.of("gpu", Path.of("gpu.token"));
  static final Path CERT = Path.of("hub.crt");
  static final Path KEY = Path.of("hub.key");

  @Test
  void plaintextIsAllowedOnLoopbackOnly() {
    assertThat(new WorkerListener("127.0.0.1", 0, null, null, null, POOLS, null).tls()).isFalse();
    assertThat(new WorkerListener("::1", 0, null, null, null, POOLS, null).tls()).isFalse();
    assertThat(new WorkerListener("localhost", 0, null, null, null, POOLS, null).tls()).isFalse();
    for (String host : new String[] {"0.0.0.0", "198.18.0.1", "::", "gateway.internal"}) {
      assertThatThrownBy(() -> new WorkerListener(host, 7071, null, null, null, POOLS, null))
          .as(host)
          .hasMessageContaining("refusing a plaintext worker listener on " + host);
    }
    assertThat(new WorkerListener("0.0.0.0", 7071, CERT, KEY, null, POOLS, null).tls()).isTrue();
  }

  @Test
  void aNameIsNeverTrustedAsLoopbackWithoutALookup() {
    assertThat(WorkerListener.isLoopback("127.0.0.2")).isTrue();
    assertThat(WorkerListener.isLoopback("[::1]")).isTrue();
    assertThat(WorkerListener.isLoopback("loopback.example")).isFalse();
  }

  @Test
  void refusesHalfConfiguredTls() {
    assertThatThrownBy(() -> new WorkerListener("0.0.0.0", 1, CERT, null, null, POOLS, null))
        .hasMessageContaining("go together");
    assertThatThrownBy(
            () -> new WorkerListener("127.0.0.1", 1, null, null, Path.of("ca.pem"), POOLS, null))
        .hasMessageContaining("--worker-tls-client-ca needs TLS");
  }

  @Test
  void refusesNoPoolsBadNamesBadPortsAndTinyKeepalives() {
    assertThatThrownBy(() -> new WorkerListener("127.0.0.1", 0, null, null, null, Map.of(), null))
        .hasMessageContaining("at least one --worker-pool-token");
    assertThatThrownBy(
            () ->
                new WorkerListener(
                    "127.0.0.1", 0, null, null, null, Map.of("Bad Name", CERT), null))
        .hasMessageContaining("invalid pool name 'Bad Name'");
    assertThatThrownBy(() -> new WorkerListener("127.0.0.1", 70000, null, null, null, POOLS, null))
        .hasMessageContaining("70000");
    assertThatThrownBy(
            () ->
                new WorkerListener("127.0.0.1", 0, null, null, null, POOLS, Duration.ofMillis(10)))
        .hasMessageContaining("keepalive < 100ms");
  }

  @Test
  void parsesHostAndPort() {
    assertThat(WorkerListener.parseAddress("0.0.0.0:7071")).isEqualTo(Map.entry("0.0.0.0", 7071));
    assertThat(WorkerListener.parseAddress("[::1]:7071")).isEqualTo(Map.entry("::1", 7071));
    assertThatThrownBy(() -> WorkerListener.parseAddress("7071")).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> WorkerListener.parseAddress("h:x"))
        .hasMessageContaining("invalid port");
  }
}
