package dev.braid.gateway.server;

import dev.braid.gateway.secrets.SecretSources;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link BraidServer} listens, authenticates and bounds its work. Immutable; build with {@link
 * #builder()}. Every limit has a default sized for one machine; see docs/api.md.
 *
 * @param listen the TCP address to listen on (port 0: any free port)
 * @param tokens the bearer tokens accepted; empty only when {@code authDisabled}
 * @param authDisabled accept calls without a token (development only)
 * @param healthWithoutToken let {@code grpc.health.v1.Health} answer without a token (for probes)
 * @param tlsCert PEM certificate chain, or null for plaintext
 * @param tlsKey PEM private key (PKCS#8), with {@code tlsCert}
 * @param workflowsDir the folder of workflows runnable by name, or null
 * @param maxMessageBytes the largest request message accepted (larger: {@code RESOURCE_EXHAUSTED})
 * @param maxConcurrentRuns workflow runs executing at once (RunWorkflow and StartWorkflow)
 * @param maxConcurrentCalls Invoke and InvokeStream calls executing at once
 * @param maxConcurrentScripts ExecuteScript executions at once
 * @param maxQueued requests waiting for a free slot, all kinds together; beyond it requests are
 *     shed with {@code RESOURCE_EXHAUSTED} at once
 * @param queueTimeout how long a request may wait for a slot before it is shed
 * @param maxWatchers WatchRun streams open at once
 * @param runEventWindow per run, how many of the latest events are kept for streaming and replay
 * @param runEventBytes per run, how many bytes of events are kept (the outcome is always kept)
 * @param maxFinishedRuns finished runs kept for GetRun and WatchRun
 * @param finishedRunBytes bytes of events of finished runs kept, all runs together
 * @param finishedRunTtl how long a finished run is kept
 * @param drainGrace on shutdown, how long in-flight work may take to finish before it is cancelled
 * @param cancelGrace on shutdown, how long cancelled work may take to wind down
 * @param catalogTimeout how long checking a workflow waits for a worker's catalog
 * @param tokenScopes the scopes of tokens that have their own; every other token (and every caller
 *     under {@code authDisabled}) has {@link TokenScope#DEFAULTS}
 * @param exposure which functions clients may reach, or null for the policy derived from the
 *     workers' paths ({@link ExposurePolicy#of(dev.braid.api.BraidConfig)})
 * @param scriptCeilings the most an ExecuteScript request may ask for
 * @param maxInflightBytes payload bytes held for in-flight calls, runs and scripts, all together;
 *     beyond it requests are shed with {@code RESOURCE_EXHAUSTED}
 * @param retentionAge with a store: finished runs older than this are pruned
 * @param retentionKeep with a store: beyond the newest this many finished runs, the rest are pruned
 * @param retentionEvery with a store: how often retention prunes (and once at start)
 * @param secrets where the secrets of the {@code workflowsDir} workflows are read from; inline
 *     workflows may not declare secrets (docs/api.md "Trust model")
 */
public record ServerConfig(
    InetSocketAddress listen,
    List<String> tokens,
    boolean authDisabled,
    boolean healthWithoutToken,
    Path tlsCert,
    Path tlsKey,
    Path workflowsDir,
    int maxMessageBytes,
    int maxConcurrentRuns,
    int maxConcurrentCalls,
    int maxConcurrentScripts,
    int maxQueued,
    Duration queueTimeout,
    int maxWatchers,
    int runEventWindow,
    long runEventBytes,
    int maxFinishedRuns,
    long finishedRunBytes,
    Duration finishedRunTtl,
    Duration drainGrace,
    Duration cancelGrace,
    Duration catalogTimeout,
    Map<String, Set<TokenScope>> tokenScopes,
    ExposurePolicy exposure,
    ScriptCeilings scriptCeilings,
    long maxInflightBytes,
    Duration retentionAge,
    int retentionKeep,
    Duration retentionEvery,
    SecretSources secrets) {

  public ServerConfig {
    Objects.requireNonNull(secrets, "secrets");
    tokenScopes = Map.copyOf(tokenScopes);
    Objects.requireNonNull(listen, "listen");
    tokens = List.copyOf(tokens);
    if (tokens.isEmpty() && !authDisabled) {
      throw new IllegalArgumentException(
          "no tokens: give at least one, or disable authentication explicitly");
    }
    for (String t : tokens) {
      if (t.isBlank()) {
        throw new IllegalArgumentException("blank token");
      }
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("TLS needs both a certificate and a key");
    }
    atLeast("maxMessageBytes", maxMessageBytes, 1024);
    atLeast("maxConcurrentRuns", maxConcurrentRuns, 1);
    atLeast("maxConcurrentCalls", maxConcurrentCalls, 1);
    atLeast("maxConcurrentScripts", maxConcurrentScripts, 1);
    atLeast("maxQueued", maxQueued, 0);
    atLeast("maxWatchers", maxWatchers, 1);
    atLeast("runEventWindow", runEventWindow, 1);
    atLeast("runEventBytes", runEventBytes, 1024);
    atLeast("maxFinishedRuns", maxFinishedRuns, 0);
    atLeast("finishedRunBytes", finishedRunBytes, 0);
    positive("queueTimeout", queueTimeout);
    positive("finishedRunTtl", finishedRunTtl);
    notNegative("drainGrace", drainGrace);
    notNegative("cancelGrace", cancelGrace);
    positive("catalogTimeout", catalogTimeout);
    Objects.requireNonNull(scriptCeilings, "scriptCeilings");
    // one message of the largest size must fit, or nothing could ever be admitted
    atLeast("maxInflightBytes", maxInflightBytes, maxMessageBytes);
    positive("retentionAge", retentionAge);
    atLeast("retentionKeep", retentionKeep, 0);
    positive("retentionEvery", retentionEvery);
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean tls() {
    return tlsCert != null;
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " < " + min + ": " + value);
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " <= 0: " + d);
    }
  }

  private static void notNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " < 0: " + d);
    }
  }

  /** Builder for {@link ServerConfig}. Not thread-safe. */
  public static final class Builder {
    private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 7070);
    private List<String> tokens = List.of();
    private boolean authDisabled;
    private boolean healthWithoutToken;
    private Path tlsCert;
    private Path tlsKey;
    private Path workflowsDir;
    private SecretSources secrets = SecretSources.system(null);
    private int maxMessageBytes = 4 << 20;
    private int maxConcurrentRuns = 64;
    private int maxConcurrentCalls = 256;
    private int maxConcurrentScripts = 4;
    private int maxQueued = 256;
    private Duration queueTimeout = Duration.ofSeconds(10);
    private int maxWatchers = 1024;
    private int runEventWindow = 1000;
    private long runEventBytes = 1 << 20;
    private int maxFinishedRuns = 1000;
    private long finishedRunBytes = 64L << 20;
    private Duration finishedRunTtl = Duration.ofHours(1);
    private Duration drainGrace = Duration.ofSeconds(10);
    private Duration cancelGrace = Duration.ofSeconds(5);
    private Duration catalogTimeout = Duration.ofSeconds(60);
    private Map<String, Set<TokenScope>> tokenScopes = Map.of();
    private ExposurePolicy exposure;
    private ScriptCeilings scriptCeilings = ScriptCeilings.DEFAULTS;
    private long maxInflightBytes = 256L << 20;
    private Duration retentionAge = Duration.ofDays(7);
    private int retentionKeep = 10_000;
    private Duration retentionEvery = Duration.ofMinutes(1);

    private Builder() {}

    /** With a store: finished runs older than {@code age} are pruned (default 7 days). */
    public Builder retentionAge(Duration age) {
      retentionAge = age;
      return this;
    }

    /** With a store: only the newest {@code n} finished runs are kept (default 10,000). */
    public Builder retentionKeep(int n) {
      retentionKeep = n;
      return this;
    }

    /** With a store: how often retention prunes (default every minute, and at start). */
    public Builder retentionEvery(Duration d) {
      retentionEvery = d;
      return this;
    }

    /** Scopes of tokens that have their own (the others get {@link TokenScope#DEFAULTS}). */
    public Builder tokenScopes(Map<String, Set<TokenScope>> m) {
      tokenScopes = Map.copyOf(m);
      return this;
    }

    public Builder exposure(ExposurePolicy p) {
      exposure = p;
      return this;
    }

    public Builder listen(InetSocketAddress a) {
      listen = a;
      return this;
    }

    public Builder tokens(List<String> t) {
      tokens = List.copyOf(t);
      return this;
    }

    public Builder authDisabled(boolean b) {
      authDisabled = b;
      return this;
    }

    public Builder healthWithoutToken(boolean b) {
      healthWithoutToken = b;
      return this;
    }

    public Builder tls(Path cert, Path key) {
      tlsCert = cert;
      tlsKey = key;
      return this;
    }

    public Builder workflowsDir(Path p) {
      workflowsDir = p == null ? null : p.toAbsolutePath().normalize();
      return this;
    }

    public Builder maxMessageBytes(int n) {
      maxMessageBytes = n;
      return this;
    }

    public Builder maxConcurrentRuns(int n) {
      maxConcurrentRuns = n;
      return this;
    }

    public Builder maxConcurrentCalls(int n) {
      maxConcurrentCalls = n;
      return this;
    }

    public Builder maxConcurrentScripts(int n) {
      maxConcurrentScripts = n;
      return this;
    }

    public Builder maxQueued(int n) {
      maxQueued = n;
      return this;
    }

    public Builder queueTimeout(Duration d) {
      queueTimeout = d;
      return this;
    }

    public Builder maxWatchers(int n) {
      maxWatchers = n;
      return this;
    }

    public Builder runEventWindow(int n) {
      runEventWindow = n;
      return this;
    }

    public Builder runEventBytes(long n) {
      runEventBytes = n;
      return this;
    }

    public Builder maxFinishedRuns(int n) {
      maxFinishedRuns = n;
      return this;
    }

    public Builder finishedRunBytes(long n) {
      finishedRunBytes = n;
      return this;
    }

    public Builder finishedRunTtl(Duration d) {
      finishedRunTtl = d;
      return this;
    }

    public Builder drainGrace(Duration d) {
      drainGrace = d;
      return this;
    }

    public Builder cancelGrace(Duration d) {
      cancelGrace = d;
      return this;
    }

    public Builder catalogTimeout(Duration d) {
      catalogTimeout = d;
      return this;
    }

    public Builder scriptCeilings(ScriptCeilings c) {
      scriptCeilings = c;
      return this;
    }

    /** Where folder workflows' secrets come from; default the environment, no folder. */
    public Builder secrets(SecretSources s) {
      secrets = s;
      return this;
    }

    public Builder maxInflightBytes(long n) {
      maxInflightBytes = n;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          listen,
          tokens,
          authDisabled,
          healthWithoutToken,
          tlsCert,
          tlsKey,
          workflowsDir,
          maxMessageBytes,
          maxConcurrentRuns,
          maxConcurrentCalls,
          maxConcurrentScripts,
          maxQueued,
          queueTimeout,
          maxWatchers,
          runEventWindow,
          runEventBytes,
          maxFinishedRuns,
          finishedRunBytes,
          finishedRunTtl,
          drainGrace,
          cancelGrace,
          catalogTimeout,
          tokenScopes,
          exposure,
          scriptCeilings,
          maxInflightBytes,
          retentionAge,
          retentionKeep,
          retentionEvery,
          secrets);
    }
  }
}
