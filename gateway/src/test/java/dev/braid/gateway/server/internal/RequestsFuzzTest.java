package dev.braid.gateway.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.BraidConfig;
import dev.braid.gateway.fuzz.Fuzz;
import dev.braid.gateway.fuzz.Fuzz.Gen;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.server.ExposurePolicy;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.SmallStack;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes how the server decodes a request: its JSON fields, its durations and inline workflow
 * definitions. Every input ends in a value or an {@code INVALID_ARGUMENT} with a message, on the
 * launcher's 512 KiB stack: never another exception, which gRPC would send as {@code UNKNOWN} or
 * {@code INTERNAL}. Tries and seed: see {@link Fuzz}.
 */
class RequestsFuzzTest {
  private static final Duration MAX = Duration.ofSeconds(20);

  private static final List<String> JSON_SAMPLES =
      List.of(
          "[1, \"two\", 3.5, null, true, {\"a\": [1, 2]}]",
          "{\"userId\": 7, \"tags\": [\"a\", \"b\"], \"n\": {\"m\": {\"o\": 1e308}}}",
          "\"text\"",
          "123456789012345678901234567890",
          "[]",
          "{}");

  private static final List<String> DEFINITIONS = examples();

  private static List<String> examples() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("../examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        out.add(Files.readString(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void invalidArgumentOrValue(Runnable decode) throws Exception {
    SmallStack.call(
        MAX,
        () -> {
          try {
            decode.run();
          } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode())
                .as(e.getMessage())
                .isIn(
                    Status.Code.INVALID_ARGUMENT,
                    Status.Code.FAILED_PRECONDITION,
                    Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isNotBlank().hasSizeLessThan(5_000);
          }
          return null;
        });
  }

  @Test
  void jsonFieldsDecodeOrAreInvalidArgument() {
    Fuzz.forAll(
        "jsonFieldsDecodeOrAreInvalidArgument",
        json(),
        text -> {
          invalidArgumentOrValue(() -> Requests.array("args_json", text));
          invalidArgumentOrValue(() -> Requests.object("kwargs_json", text));
          invalidArgumentOrValue(() -> Requests.input("input_json", text));
          invalidArgumentOrValue(() -> Requests.value("input_json", text));
        });
  }

  /** The fields of a {@code google.protobuf.Duration} and whether the request set it. */
  record DurationInput(long seconds, int nanos, boolean present) {}

  @Test
  void durationsDecodeOrAreInvalidArgument() {
    Gen<Long> seconds = Fuzz.anyLong();
    Gen<Integer> nanos = nanos();
    Gen<Boolean> present = Fuzz.booleans();
    Fuzz.forAll(
        "durationsDecodeOrAreInvalidArgument",
        r -> new DurationInput(seconds.next(r), nanos.next(r), present.next(r)),
        in -> {
          com.google.protobuf.Duration d =
              com.google.protobuf.Duration.newBuilder()
                  .setSeconds(in.seconds())
                  .setNanos(in.nanos())
                  .build();
          invalidArgumentOrValue(() -> Requests.duration("timeout", in.present(), d));
        });
  }

  @Test
  void durationsPastProtobufsRangeAreInvalidArgumentNotAnOverflow() {
    // java.time overflowed on these (ArithmeticException: UNKNOWN to the client)
    for (long[] sn : new long[][] {{Long.MIN_VALUE, -1}, {Long.MAX_VALUE, 999_999_999}, {1, -5}}) {
      com.google.protobuf.Duration d =
          com.google.protobuf.Duration.newBuilder().setSeconds(sn[0]).setNanos((int) sn[1]).build();
      Throwable t = Assertions.catchThrowable(() -> Requests.duration("timeout", true, d));
      assertThat(t).isInstanceOf(StatusRuntimeException.class);
      assertThat(((StatusRuntimeException) t).getStatus().getDescription())
          .isEqualTo(
              "timeout is not a valid duration (seconds " + sn[0] + ", nanos " + sn[1] + ")");
    }
  }

  /** An inline workflow definition and the request's input JSON. */
  record DefinitionInput(String definition, String input) {}

  @Test
  void inlineDefinitionsResolveOrAreInvalidArgument() {
    Gen<String> definitions = definitions();
    Gen<String> json = json();
    Fuzz.forAll(
        "inlineDefinitionsResolveOrAreInvalidArgument",
        60,
        r -> new DefinitionInput(definitions.next(r), json.next(r)),
        in -> {
          WorkflowResolver resolver =
              new WorkflowResolver(
                  null,
                  FunctionCatalog.acceptingAll(),
                  new Permissions(ExposurePolicy.of(BraidConfig.builder().build())),
                  SecretSources.NONE);
          invalidArgumentOrValue(
              () ->
                  resolver.resolve(
                      null, in.definition(), Requests.input("input_json", in.input())));
        });
  }

  static Gen<Integer> nanos() {
    return Fuzz.oneOf(Fuzz.anyInt(), Fuzz.of(0, 1, -1, 999_999_999, -999_999_999));
  }

  static Gen<String> json() {
    Gen<String> samples = Fuzz.of(JSON_SAMPLES);
    Gen<Integer> ats = Fuzz.ints(0, 60);
    Gen<Integer> cuts = Fuzz.ints(0, 10);
    Gen<String> splices =
        Fuzz.of("[", "]", "{", "}", ",", ":", "\"", "\\u", "1e99999", "-", "", "\u0000");
    Gen<String> mutated =
        r -> {
          String s = samples.next(r);
          int at = ats.next(r);
          int cut = cuts.next(r);
          String splice = splices.next(r);
          int i = Math.min(at, s.length());
          int j = Math.min(s.length(), i + cut);
          return s.substring(0, i) + splice + s.substring(j);
        };
    Gen<Integer> counts = Fuzz.ints(1, 3000);
    Gen<String> opens = Fuzz.of("[", "{\"a\":");
    Gen<String> deep =
        r -> {
          int n = counts.next(r);
          String open = opens.next(r);
          return open.repeat(n) + "1" + (open.equals("[") ? "]" : "}").repeat(n);
        };
    return Fuzz.oneOf(mutated, deep, Fuzz.anyStrings(40));
  }

  static Gen<String> definitions() {
    Gen<String> bases = Fuzz.of(DEFINITIONS);
    Gen<Double> ats = Fuzz.unitDoubles();
    Gen<Integer> cuts = Fuzz.ints(0, 40);
    Gen<String> splices =
        Fuzz.of("&a [1]", "*a", "${{ ", " }}", "[", "{", "\n  ", "needs: [", ": ", "");
    return r -> {
      String s = bases.next(r);
      double at = ats.next(r);
      int cut = cuts.next(r);
      String splice = splices.next(r);
      int i = (int) (at * s.length());
      int j = Math.min(s.length(), i + cut);
      return s.substring(0, i) + splice + s.substring(j);
    };
  }
}
