package dev.braid.gateway.store;

import java.time.Duration;
import java.util.List;

/**
 * This gateway's membership of a store shared with other gateways (PostgreSQL only; see
 * docs/durability.md, "Several gateways"). Obtained from {@link RunStore#join}; from then on the
 * store's {@link RunStore#owner()} is the gateway id, runs it creates are refused once its lease is
 * lost, and every run write stays fenced by the run's owner and epoch.
 *
 * <p>Lease times are on the database's clock, so gateways on hosts whose clocks differ agree on
 * when a lease expired. {@link #awaitWakeUp}, {@link #renew} and {@link #rejoin} are called from
 * one thread (the server's lease loop); the other methods are safe from any thread.
 */
public interface GatewayLease extends AutoCloseable {
  String gatewayId();

  /** The epoch of this membership: bumped by every join and every fencing. */
  long epoch();

  /** How long a lease lasts without renewal. */
  Duration length();

  /**
   * Renews the lease with one UPDATE.
   *
   * @return false when the lease was lost (fenced by another gateway, or expired before this
   *     renewal): the runs this gateway ran have been released or are about to be, and it must stop
   *     running them, then {@link #rejoin}
   * @throws StoreException when the database cannot be reached (the lease may still be valid)
   */
  boolean renew();

  /**
   * Joins again after a lost lease, with a new epoch; the runs still marked as this gateway's are
   * released for any gateway (this one included) to claim.
   */
  void rejoin();

  /**
   * Fences, in one transaction per gateway, every other gateway whose lease has expired: its epoch
   * goes up and its unfinished runs are released (owner cleared, run epoch bumped, so the fenced
   * gateway's journal writes change nothing from now on).
   *
   * @return the gateways fenced
   */
  List<String> fenceExpired();

  /**
   * Takes up to {@code max} released runs for this gateway ({@code FOR UPDATE SKIP LOCKED}: two
   * gateways never take the same one), oldest first; each is then resumed with {@link
   * RunStore#claim}.
   *
   * @return their ids
   */
  List<String> claimReleased(int max);

  /**
   * Hands back a run {@link #claimReleased} gave this gateway but that it could not resume now (a
   * worker not up yet): released again, without a wake-up, so the next poll of any gateway retries.
   */
  void handBack(String runId);

  /** Unfinished runs of this gateway on which a cancel was requested (by any gateway). */
  List<String> cancelsRequested();

  /**
   * Hands the journaled, unconsumed signals of this gateway's runs to their live journals (each
   * signal is delivered once); returns how many runs had some.
   */
  int deliverSignals();

  /**
   * Waits up to {@code max} for a wake-up from another gateway ({@code LISTEN/NOTIFY}: runs
   * released, a cancel or a signal for a run here).
   *
   * @return true if woken, false on timeout
   */
  boolean awaitWakeUp(Duration max) throws InterruptedException;

  /** Leaves: releases this gateway's unfinished runs for the others, and wakes them. */
  @Override
  void close();
}
