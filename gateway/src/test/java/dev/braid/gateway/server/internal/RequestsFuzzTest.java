package dev.braid.gateway.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes how the server decodes a request: its JSON fields, its durations and inline workflow
 * definitions. Every input ends in a value or an {@code INVALID_ARGUMENT} with a message, on the
 * launcher's 512 KiB stack: never another exception, which gRPC would send as {@code UNKNOWN} or
 * {@code INTERNAL}. Tries: see {@code WorkflowFuzzTest}.
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

  @Property
  void jsonFieldsDecodeOrAreInvalidArgument(@ForAll("json") String text) throws Exception {
    invalidArgumentOrValue(() -> Requests.array("args_json", text));
    invalidArgumentOrValue(() -> Requests.object("kwargs_json", text));
    invalidArgumentOrValue(() -> Requests.input("input_json", text));
    invalidArgumentOrValue(() -> Requests.value("input_json", text));
  }

  @Property
  void durationsDecodeOrAreInvalidArgument(
      @ForAll long seconds, @ForAll("nanos") int nanos, @ForAll boolean present) throws Exception {
    com.google.protobuf.Duration d =
        com.google.protobuf.Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    invalidArgumentOrValue(() -> Requests.duration("timeout", present, d));
  }

  @net.jqwik.api.Example
  void durationsPastProtobufsRangeAreInvalidArgumentNotAnOverflow() {
    // java.time overflowed on these (ArithmeticException: UNKNOWN to the client)
    for (long[] sn : new long[][] {{Long.MIN_VALUE, -1}, {Long.MAX_VALUE, 999_999_999}, {1, -5}}) {
      com.google.protobuf.Duration d =
          com.google.protobuf.Duration.newBuilder().setSeconds(sn[0]).setNanos((int) sn[1]).build();
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> Requests.duration("timeout", true, d));
      assertThat(t).isInstanceOf(StatusRuntimeException.class);
      assertThat(((StatusRuntimeException) t).getStatus().getDescription())
          .isEqualTo(
              "timeout is not a valid duration (seconds " + sn[0] + ", nanos " + sn[1] + ")");
    }
  }

  @Property(tries = 60)
  void inlineDefinitionsResolveOrAreInvalidArgument(
      @ForAll("definitions") String definition, @ForAll("json") String input) throws Exception {
    WorkflowResolver resolver =
        new WorkflowResolver(
            null,
            FunctionCatalog.acceptingAll(),
            new Permissions(
                dev.braid.gateway.server.ExposurePolicy.of(
                    dev.braid.api.BraidConfig.builder().build())));
    invalidArgumentOrValue(
        () -> resolver.resolve(null, definition, Requests.input("input_json", input)));
  }

  @Provide
  Arbitrary<Integer> nanos() {
    return Arbitraries.oneOf(
        Arbitraries.integers(), Arbitraries.of(0, 1, -1, 999_999_999, -999_999_999));
  }

  @Provide
  Arbitrary<String> json() {
    Arbitrary<String> mutated =
        Combinators.combine(
                Arbitraries.of(JSON_SAMPLES),
                Arbitraries.integers().between(0, 60),
                Arbitraries.integers().between(0, 10),
                Arbitraries.of(
                    "[", "]", "{", "}", ",", ":", "\"", "\\u", "1e99999", "-", "", "\u0000"))
            .as(
                (s, at, cut, splice) -> {
                  int i = Math.min(at, s.length());
                  int j = Math.min(s.length(), i + cut);
                  return s.substring(0, i) + splice + s.substring(j);
                });
    Arbitrary<String> deep =
        Combinators.combine(Arbitraries.integers().between(1, 3000), Arbitraries.of("[", "{\"a\":"))
            .as((n, open) -> open.repeat(n) + "1" + (open.equals("[") ? "]" : "}").repeat(n));
    return Arbitraries.oneOf(mutated, deep, Arbitraries.strings().ofMaxLength(40));
  }

  @Provide
  Arbitrary<String> definitions() {
    return Combinators.combine(
            Arbitraries.of(DEFINITIONS),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.integers().between(0, 40),
            Arbitraries.of("&a [1]", "*a", "${{ ", " }}", "[", "{", "\n  ", "needs: [", ": ", ""))
        .as(
            (s, at, cut, splice) -> {
              int i = (int) (at * s.length());
              int j = Math.min(s.length(), i + cut);
              return s.substring(0, i) + splice + s.substring(j);
            });
  }
}
