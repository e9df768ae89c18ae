package dev.braid.gateway.sandbox.internal;

import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.Script;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle, single-use sandboxes of one language, all started with the same limits, their runners
 * blocked on stdin. {@link #take()} hands one out (never twice); {@link #refill()} starts new ones
 * in the background on one thread. A spawn failure stops refilling until the next take, so a broken
 * machine does not spin. Thread-safe.
 */
public final class WarmPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

  private final Launcher launcher;
  private final Script.Lang lang;
  private final Limits limits;
  private final int size;
  private final Deque<SandboxProcess> idle = new ArrayDeque<>();
  private final ExecutorService refiller;
  private int starting;
  private boolean closed;

  public WarmPool(Launcher launcher, Script.Lang lang, Limits limits, int size) {
    this.launcher = launcher;
    this.lang = lang;
    this.limits = limits;
    this.size = size;
    this.refiller =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "braid-sandbox-pool-" + lang.word());
              t.setDaemon(true);
              return t;
            });
    refill();
  }

  public Limits limits() {
    return limits;
  }

  /**
   * A live idle sandbox, or null when there is none (the caller then starts a cold one). One whose
   * runner is ready is preferred; else one still starting, which is ready sooner than a new one.
   */
  public SandboxProcess take() {
    List<SandboxProcess> dead = new ArrayList<>();
    SandboxProcess got = null;
    synchronized (this) {
      for (SandboxProcess sp : idle) {
        if (!sp.isAlive()) {
          dead.add(sp);
        } else if (got == null && sp.channel.isReady()) {
          got = sp;
        }
      }
      idle.removeAll(dead);
      if (got == null) {
        got = idle.pollFirst();
      } else {
        idle.remove(got);
      }
    }
    for (SandboxProcess sp : dead) {
      sp.kill();
      sp.cleanup();
    }
    if (got == null) {
      refill(); // drained by a burst: start refilling now
    }
    return got;
  }

  /** How many idle sandboxes are waiting now with their runner ready. */
  public synchronized int idle() {
    return (int) idle.stream().filter(sp -> sp.isAlive() && sp.channel.isReady()).count();
  }

  /**
   * Starts sandboxes in the background until the pool is full again. The caller of {@link #take()}
   * calls it when its run is over, so that on a small machine starting the next sandbox does not
   * compete with the run for CPU.
   */
  public void refill() {
    synchronized (this) {
      if (closed) {
        return;
      }
      int missing = size - idle.size() - starting;
      if (missing <= 0) {
        return;
      }
      starting += missing;
    }
    refiller.execute(this::spawnMissing);
  }

  private void spawnMissing() {
    while (true) {
      synchronized (this) {
        if (closed || starting == 0) {
          starting = 0;
          return;
        }
      }
      SandboxProcess sp;
      try {
        sp = launcher.spawn(lang, limits);
      } catch (IOException | RuntimeException e) {
        log.warn("cannot start a warm {} sandbox: {}", lang.word(), e.toString());
        synchronized (this) {
          starting = 0;
        }
        return;
      }
      boolean keep;
      synchronized (this) {
        starting = Math.max(0, starting - 1);
        keep = !closed;
        if (keep) {
          idle.addLast(sp);
        }
      }
      if (!keep) {
        sp.kill();
        sp.cleanup();
      }
    }
  }

  /** Kills every idle sandbox; later takes return null. */
  @Override
  public void close() {
    List<SandboxProcess> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(idle);
      idle.clear();
    }
    refiller.shutdownNow();
    for (SandboxProcess sp : all) {
      sp.kill();
      sp.cleanup();
    }
  }
}
