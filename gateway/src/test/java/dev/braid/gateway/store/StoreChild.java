package dev.braid.gateway.store;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A second process for the store tests, started with the test classpath: {@code hold LOCATION}
 * opens the store and holds it until its stdin closes; {@code write LOCATION} creates a run and
 * records steps forever, printing {@code ack N} once step N is durable — until it is killed.
 */
public final class StoreChild {
  private StoreChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    StoreConfig config =
        new StoreConfig(args[1], StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false);
    try (RunStore store = RunStores.open(config)) {
      if (args[0].equals("hold")) {
        out.println("ready " + ProcessHandle.current().pid());
        out.flush();
        System.in.read();
        return;
      }
      RunStore.Claimed c = store.create("crash", "name: crash\n", IntNode.valueOf(0), null);
      RunJournal j = c.journal();
      out.println("run " + c.run().runId());
      out.flush();
      for (int i = 0; ; i++) {
        j.settled("s" + i, StepOutcome.ok(IntNode.valueOf(i)));
        // waits for the step's outcome too: it was queued before, and commits go in order
        j.attemptStarting("s" + (i + 1), 1).get(30, TimeUnit.SECONDS);
        out.println("ack " + i);
        out.flush();
      }
    }
  }
}
