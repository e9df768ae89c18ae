package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.store.GatewayLease;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several gateways on one PostgreSQL (docs/durability.md, "Several gateways"), on {@code
 * BRAID_BENCH_PG_URL}:
 *
 * <ul>
 *   <li><b>claim rate</b>: 2,000 runs released by a gateway that left are claimed by two gateways
 *       at once, each claim being {@link GatewayLease#claimReleased} ({@code FOR UPDATE SKIP
 *       LOCKED}) then {@link RunStore#claim} (epoch bump and the journal loaded), one run per
 *       claim and 32 per claim;
 *   <li><b>failover</b>: a gateway with 20 runs of 50 recorded steps stops renewing right after a
 *       renewal (the worst case: a kill just after it); the other, on the server's cadence (a poll
 *       of max(1 s, lease/4)), fences it and claims and loads every run: the time from the last
 *       renewal until the last run is loaded, for two lease lengths. Replay and the calls after it
 *       are not in it: the durable section's recovery figure and MultiGatewayServeTest cover them.
 * </ul>
 */
final class MultiGatewayBench {
  private static final Logger log = LoggerFactory.getLogger(MultiGatewayBench.class);
  private static final String DEFINITION = "name: bench\nsteps:\n  a: { call: python:m:f }\n";

  private final BenchConfig cfg;

  MultiGatewayBench(BenchConfig cfg) {
    this.cfg = cfg;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    String pg = System.getenv("BRAID_BENCH_PG_URL");
    if (pg == null || pg.isBlank()) {
      log.info("multi_gateway: BRAID_BENCH_PG_URL is not set; skipped");
      out.put("skipped", "BRAID_BENCH_PG_URL is not set");
      return out;
    }
    int runs = cfg.quick() ? 200 : 2000;
    ObjectNode claim = out.putObject("claim_rate");
    claim.put("runs", runs);
    claim.put("gateways", 2);
    for (int batch : new int[] {1, 32}) {
      double perSecond = claimRate(pg, runs, batch);
      claim.put("claims_per_s_batch_" + batch, Math.round(perSecond));
      log.info(
          "multi_gateway: {} released runs claimed by 2 gateways, {} per claim: {} claims/s",
          runs,
          batch,
          Math.round(perSecond));
    }
    ArrayNode failover = out.putArray("failover");
    for (Duration lease : List.of(Duration.ofSeconds(2), Duration.ofSeconds(5))) {
      for (int rep = 0; rep < (cfg.quick() ? 1 : 2); rep++) {
        long ms = failover(pg, lease, 20, 50);
        ObjectNode f = failover.addObject();
        f.put("lease_ms", lease.toMillis());
        f.put("poll_ms", poll(lease).toMillis());
        f.put("runs", 20);
        f.put("steps_per_run", 50);
        f.put("ms", ms);
        log.info(
            "multi_gateway: failover with lease {} ms (poll {} ms): 20 runs loaded by the other"
                + " gateway {} ms after the dead one's last renewal",
            lease.toMillis(),
            poll(lease).toMillis(),
            ms);
      }
    }
    return out;
  }

  private static Duration poll(Duration lease) {
    Duration q = lease.dividedBy(4);
    return q.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : q;
  }

  private static RunStore open(String pg) {
    return RunStores.open(
        new StoreConfig(pg, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false));
  }

  private static String id(String what) {
    return "bench-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private double claimRate(String pg, int runs, int batch) throws Exception {
    try (RunStore a = open(pg);
        RunStore b = open(pg);
        RunStore c = open(pg)) {
      GatewayLease la = a.join(id("a"), Duration.ofSeconds(30));
      Set<String> created = new HashSet<>();
      for (int i = 0; i < runs; i++) {
        created.add(a.create("bench", DEFINITION, IntNode.valueOf(i), null).run().runId());
      }
      GatewayLease lb = b.join(id("b"), Duration.ofSeconds(30));
      GatewayLease lc = c.join(id("c"), Duration.ofSeconds(30));
      la.close(); // leaving releases its runs
      AtomicInteger claimed = new AtomicInteger();
      long t0 = System.nanoTime();
      CompletableFuture<Void> byB =
          CompletableFuture.runAsync(() -> claimAll(b, lb, batch, created, claimed));
      claimAll(c, lc, batch, created, claimed);
      byB.get(10, TimeUnit.MINUTES);
      long ns = System.nanoTime() - t0;
      if (claimed.get() != runs) {
        throw new IllegalStateException("claimed " + claimed.get() + " of " + runs + " runs");
      }
      return runs / (ns / 1e9);
    }
  }

  /** Claims released runs until none of {@code ours} is left (other benches' runs are ignored). */
  private static void claimAll(
      RunStore store, GatewayLease lease, int batch, Set<String> ours, AtomicInteger claimed) {
    List<String> got;
    while (!(got = lease.claimReleased(batch)).isEmpty()) {
      for (String id : got) {
        // another bench's released run stays with this gateway: leaving hands it back
        if (ours.contains(id)) {
          store.claim(id);
          claimed.incrementAndGet();
        }
      }
      if (claimed.get() >= ours.size()) {
        return;
      }
    }
  }

  private long failover(String pg, Duration lease, int runs, int steps) throws Exception {
    try (RunStore a = open(pg);
        RunStore b = open(pg)) {
      GatewayLease la = a.join(id("dead"), lease);
      GatewayLease lb = b.join(id("live"), Duration.ofSeconds(30));
      Set<String> ids = new HashSet<>();
      for (int r = 0; r < runs; r++) {
        // kept alive while it records (slower than a short lease on a loaded machine)
        if (!la.renew()) {
          throw new IllegalStateException("the lease of the gateway about to die was lost early");
        }
        RunStore.Claimed c = a.create("bench", DEFINITION, IntNode.valueOf(r), null);
        RunJournal j = c.journal();
        for (int s = 0; s < steps; s++) {
          j.attemptStarting("s" + s, 1).get(60, TimeUnit.SECONDS);
          j.settled("s" + s, StepOutcome.ok(IntNode.valueOf(s)));
        }
        j.attemptStarting("last", 1).get(60, TimeUnit.SECONDS);
        ids.add(c.run().runId());
      }
      if (!la.renew()) {
        throw new IllegalStateException("the lease of the gateway about to die was lost early");
      }
      long died = System.nanoTime(); // a renews no more from here
      long pollNs = poll(lease).toNanos();
      Set<String> loaded = new HashSet<>();
      long deadline = died + lease.toNanos() + TimeUnit.SECONDS.toNanos(60);
      while (!loaded.containsAll(ids)) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("failover took over a minute beyond the lease");
        }
        // the server's round: fence, claim, (resume); then sleep on LISTEN up to the poll
        lb.fenceExpired();
        List<String> got = lb.claimReleased(32);
        for (String id : got) {
          if (ids.contains(id)) {
            b.claim(id);
            loaded.add(id);
          }
        }
        if (got.isEmpty() && !loaded.containsAll(ids)) {
          lb.awaitWakeUp(Duration.ofNanos(pollNs));
        }
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
    }
  }
}
