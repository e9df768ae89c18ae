package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Outside code cannot fake a call's outcome; only the call machinery settles it. */
class RemoteCallTest {
  @Test
  void completingOrObtrudingFromOutsideIsRefused() {
    RemoteCall call = new RemoteCall();
    JsonNode v = IntNode.valueOf(1);
    assertThatThrownBy(() -> call.complete(v)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> call.completeExceptionally(new RuntimeException()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> call.obtrudeValue(v))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> call.obtrudeException(new RuntimeException()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> call.completeAsync(() -> v))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> call.toCompletableFuture().complete(v))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(call).isNotDone();
  }

  @Test
  void theMachinerySettlesItAndTimedCopiesLeaveTheCallAlone() throws Exception {
    RemoteCall call = new RemoteCall();
    CompletableFuture<JsonNode> timed =
        call.completeOnTimeout(TextNode.valueOf("late"), 1, TimeUnit.MILLISECONDS);
    assertThat(timed.get(10, TimeUnit.SECONDS).asText()).isEqualTo("late");
    assertThat(call).isNotDone();

    call.outcome().complete(IntNode.valueOf(7));

    assertThat(call.get(10, TimeUnit.SECONDS).asInt()).isEqualTo(7);
    assertThatThrownBy(() -> call.obtrudeValue(IntNode.valueOf(8)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(call.join().asInt()).isEqualTo(7);
  }
}
