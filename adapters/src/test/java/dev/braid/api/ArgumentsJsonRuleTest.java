package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Arguments encoded by the gateway follow the JSON rule: nothing is sent, no worker starts. */
@Timeout(60)
class ArgumentsJsonRuleTest {
  @Test
  void nanInArgumentsIsNotSerializableAndNothingIsSent() throws Exception {
    try (Braid braid = Braid.start(BraidConfig.builder().build())) {
      RemoteCall c =
          braid
              .function("python:m:f")
              .call(List.of(Map.of("a", List.of(Double.NaN))), CallOptions.DEFAULT);
      Throwable t = null;
      try {
        c.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        t = e.getCause();
      }
      assertThat(t).isInstanceOf(RemoteException.class);
      RemoteException r = (RemoteException) t;
      assertThat(r.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
      assertThat(r.type()).isEqualTo("NotSerializable");
      assertThat(r.failure().message())
          .isEqualTo("cannot send the arguments of python:m:f as JSON: $[0].a[0] is NaN");
      assertThat(braid.workers()).as("no worker was started").isEmpty();
    }
  }
}
