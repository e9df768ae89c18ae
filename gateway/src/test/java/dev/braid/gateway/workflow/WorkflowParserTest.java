package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.workflow.expr.Bindings;
import dev.braid.gateway.workflow.expr.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading files into the model: every element keeps the place it was written. */
@Timeout(10)
class WorkflowParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String FLOW =
      """
      name: demo
      input:
        userId: integer
      timeout: 5s
      defaults:
        timeout: 2s
        retry: { max_attempts: 4, backoff: 3 }
      steps:
        profile:
          call: python:shop.users:get_profile
          with: { user_id: "${{ input.userId }}" }
          retry: { max_attempts: 2 }
        label:
          call: python:util:work
          args:
            - 'it''s ${{ steps.profile.id }}!'
            - "\\t${{ input.userId }}"
            - "\uD83D\uDE42 ${{ input.userId * 2 }}"
            - >-
              folded ${{ input.userId + 1 }}
            - ${{ steps.profile }}
      """;

  private static Workflow parse(String name, String text) throws WorkflowSyntaxException {
    ParsedWorkflow p = ParsedWorkflow.parse(Path.of(name), text);
    assertThat(p.problems()).extracting(Diagnostic::render).isEmpty();
    return p.workflow();
  }

  private static String at(Location l) {
    return l.line() + ":" + l.column();
  }

  private static String at(Template.Single s, Reference r) {
    return at(s.locate(r.pos()));
  }

  @Test
  void keysAndValuesKeepTheirLineAndColumn() throws Exception {
    Workflow wf = parse("flow.yaml", FLOW);
    assertThat(wf.name().value()).isEqualTo("demo");
    assertThat(at(wf.name().at())).isEqualTo("1:7");
    assertThat(wf.name().at().file()).isEqualTo("flow.yaml");
    assertThat(at(wf.input().get("userId").at())).isEqualTo("3:3");
    assertThat(at(wf.input().get("userId").type().at())).isEqualTo("3:11");
    assertThat(at(wf.timeout().orElseThrow().at())).isEqualTo("4:10");

    Step profile = wf.steps().steps().get("profile");
    assertThat(at(profile.at())).isEqualTo("9:3");
    Step.Call call = (Step.Call) profile.action();
    assertThat(at(call.at())).isEqualTo("10:5");
    assertThat(at(call.function().at())).isEqualTo("10:11");
    Template.ObjectOf with = (Template.ObjectOf) call.with().orElseThrow();
    assertThat(at(with.at())).isEqualTo("11:11");
    Template.Single userId = (Template.Single) with.fields().get("user_id");
    assertThat(at(userId.at())).isEqualTo("11:23");
    assertThat(at(userId, userId.expression().references().get(0))).isEqualTo("11:27");
  }

  @Test
  void callSettingsAreTheStepsOverTheDefaultsKeyByKey() throws Exception {
    Workflow wf = parse("flow.yaml", FLOW);
    CallPolicy p = ((Step.Call) wf.steps().steps().get("profile").action()).policy();
    assertThat(p.timeout().orElseThrow().value()).isEqualTo(Duration.ofSeconds(2));
    assertThat(at(p.timeout().orElseThrow().at())).isEqualTo("6:12");
    RetryPolicy r = p.retry().orElseThrow();
    assertThat(r.maxAttempts().value()).isEqualTo(2);
    assertThat(at(r.maxAttempts().at())).isEqualTo("12:28");
    assertThat(r.backoff().value()).isEqualTo(3.0);
    assertThat(at(r.backoff().at())).isEqualTo("7:38");
    assertThat(r.initialInterval().value()).isEqualTo(RetryPolicy.DEFAULT_INITIAL_INTERVAL);
    assertThat(r.jitter().value()).isEqualTo(Jitter.FULL);
    assertThat(p.circuitBreaker()).isEmpty();
  }

  @Test
  void expressionColumnsAccountForQuotesEscapesFoldingAndWideCharacters() throws Exception {
    Workflow wf = parse("flow.yaml", FLOW);
    Template.ListOf args =
        (Template.ListOf)
            ((Step.Call) wf.steps().steps().get("label").action()).args().orElseThrow();
    List<String> columns =
        args.items().stream()
            .map(t -> t.expressions().get(0))
            .map(s -> at(s, s.expression().references().get(0)))
            .toList();
    assertThat(columns).containsExactly("16:20", "17:16", "18:16", "20:20", "21:13");
    Template.Single first = args.items().get(0).expressions().get(0);
    assertThat(at(first.locate(first.expression().references().get(0).headPos())))
        .isEqualTo("16:26");
  }

  @Test
  void aStringThatIsOneExpressionKeepsItsTypeOthersBecomeText() throws Exception {
    Workflow wf = parse("flow.yaml", FLOW);
    Template args = ((Step.Call) wf.steps().steps().get("label").action()).args().orElseThrow();
    Bindings b =
        Bindings.of(
            Map.of(
                "input", JSON.readTree("{\"userId\": 7}"),
                "steps", JSON.readTree("{\"profile\": {\"id\": 42, \"tags\": [1]}}")));
    JsonNode v = args.evaluate(b);
    assertThat(v)
        .isEqualTo(
            JSON.readTree(
                "[\"it's 42!\", \"\\t7\", \"\uD83D\uDE42 14\", \"folded 8\","
                    + " {\"id\": 42, \"tags\": [1]}]"));
  }

  @Test
  void interpolationRendersNullAsNothingAndContainersAsJson() throws Exception {
    Workflow wf =
        parse(
            "t.yaml",
            """
            steps:
              a:
                call: python:util:work
                args: ["[${{ steps.none }}] ${{ steps.obj }} $${{ literal }}"]
            """);
    Template t = ((Step.Call) wf.steps().steps().get("a").action()).args().orElseThrow();
    JsonNode v =
        t.evaluate(
            Bindings.of(Map.of("steps", JSON.readTree("{\"none\": null, \"obj\": {\"a\": [1]}}"))));
    assertThat(v.get(0).textValue()).isEqualTo("[] {\"a\":[1]} ${{ literal }}");
  }

  @Test
  void evaluationErrorsNameThePlaceInTheFile() throws Exception {
    Workflow wf =
        parse(
            "t.yaml",
            """
            input: { name: string }
            steps:
              a: { call: python:util:work, if: "${{ input.name > 3 }}" }
            """);
    Template when = wf.steps().steps().get("a").when().orElseThrow();
    Bindings b = Bindings.of(Map.of("input", JSON.readTree("{\"name\": \"x\"}")));
    assertThatThrownBy(() -> when.evaluate(b))
        .isInstanceOfSatisfying(
            EvaluationException.class,
            e -> {
              assertThat(e.render()).isEqualTo("t.yaml:3:52: '>' cannot take (string, int)");
            });
  }

  @Test
  void jsonFilesGiveTheSameModelWithJsonLocations() throws Exception {
    Workflow wf =
        parse(
            "flow.json",
            """
            {
              "input": { "userId": "integer" },
              "steps": {
                "profile": {
                  "call": "python:shop.users:get_profile",
                  "args": ["${{ input.userId }}"],
                  "timeout": "1.5s"
                }
              }
            }
            """);
    Step profile = wf.steps().steps().get("profile");
    assertThat(at(profile.at())).isEqualTo("4:5");
    assertThat(profile.timeout().orElseThrow().value()).isEqualTo(Duration.ofMillis(1500));
    assertThat(at(profile.timeout().orElseThrow().at())).isEqualTo("7:18");
    Template.Single arg = ((Step.Call) profile.action()).args().orElseThrow().expressions().get(0);
    assertThat(at(arg, arg.expression().references().get(0))).isEqualTo("6:21");
    assertThat(wf.name().value()).isEqualTo("flow");
  }

  @Test
  void nestedStepsGetDottedIdsAndBuiltInDefaults() throws Exception {
    Workflow wf =
        parse(
            "t.yaml",
            """
            steps:
              fan:
                parallel: { branches: { a: { call: python:util:work }, b: { call: python:util:work } } }
              each:
                for_each: [1, 2]
                do: { call: python:util:work, args: ["${{ item }}"] }
              guarded:
                try: { steps: { inner: { call: python:util:work } } }
                finally: { steps: { after: { call: python:util:work } } }
              feed:
                stream: { call: python:feeds:batches }
            """);
    assertThat(wf.allSteps())
        .extracting(Step::id)
        .containsExactly(
            "fan", "fan.a", "fan.b", "each", "each.do", "guarded", "inner", "after", "feed");
    Step.Parallel fan = (Step.Parallel) wf.steps().steps().get("fan").action();
    assertThat(fan.mode().value()).isEqualTo(JoinMode.ALL);
    Step.ForEach each = (Step.ForEach) wf.steps().steps().get("each").action();
    assertThat(each.as().value()).isEqualTo("item");
    assertThat(each.concurrency().value()).isEqualTo(1);
    Step.Try t = (Step.Try) wf.steps().steps().get("guarded").action();
    assertThat(t.catches()).isEmpty();
    assertThat(t.finallyBlock().orElseThrow().timeout().value())
        .isEqualTo(Step.Handler.DEFAULT_TIMEOUT);
    Step.Stream feed = (Step.Stream) wf.steps().steps().get("feed").action();
    assertThat(feed.buffer().value()).isEqualTo(16);
    assertThat(feed.body()).isEmpty();
    assertThat(wf.functions()).extracting(Located::value).contains("python:feeds:batches");
  }

  @Test
  void aliasesAndMergeKeysAreResolved() throws Exception {
    Workflow wf =
        parse(
            "t.yaml",
            """
            x-base: &base { timeout: 1s, retry: { max_attempts: 2 } }
            steps:
              a: { <<: *base, call: python:util:work }
              b: { <<: *base, call: python:util:work, timeout: 3s }
            """);
    Step a = wf.steps().steps().get("a");
    Step b = wf.steps().steps().get("b");
    assertThat(a.timeout().orElseThrow().value()).isEqualTo(Duration.ofSeconds(1));
    assertThat(at(a.timeout().orElseThrow().at())).isEqualTo("1:26");
    assertThat(b.timeout().orElseThrow().value()).isEqualTo(Duration.ofSeconds(3));
    assertThat(((Step.Call) b.action()).policy().retry().orElseThrow().maxAttempts().value())
        .isEqualTo(2);
  }

  @Test
  void syntaxErrorsAreOneLineWithTheirPlace() {
    assertThatThrownBy(() -> ParsedWorkflow.parse(Path.of("x.yaml"), "steps:\n  a: [1,\n"))
        .isInstanceOfSatisfying(
            WorkflowSyntaxException.class,
            e -> {
              assertThat(e.render()).startsWith("x.yaml:3:1: error: not valid YAML: ");
              assertThat(e.getMessage()).doesNotContain("\n");
            });
    assertThatThrownBy(() -> ParsedWorkflow.parse(Path.of("x.json"), "{\"steps\": }"))
        .isInstanceOfSatisfying(
            WorkflowSyntaxException.class,
            e -> assertThat(e.render()).startsWith("x.json:1:11: error: not valid JSON: "));
    assertThatThrownBy(() -> ParsedWorkflow.read(Path.of("no/such/file.yaml")))
        .isInstanceOfSatisfying(
            WorkflowSyntaxException.class,
            e -> assertThat(e.render()).isEqualTo("error: no such file: no/such/file.yaml"));
  }

  @Test
  void anUnquotedExpressionInFlowStyleGetsAHintToQuoteIt() {
    String flowMapping = "steps:\n  a:\n    call: python:m:f\n    with: { x: ${{ input.x }} }\n";
    assertThatThrownBy(() -> ParsedWorkflow.parse(Path.of("x.yaml"), flowMapping))
        .isInstanceOfSatisfying(
            WorkflowSyntaxException.class,
            e ->
                assertThat(e.render())
                    .startsWith("x.yaml:4:17: error: not valid YAML: ")
                    .endsWith(
                        "hint: quote a value holding ${{ }} inside { } or [ ], e.g."
                            + " x: \"${{ input.x }}\""));
    String flowList = "steps:\n  a:\n    call: python:m:f\n    args: [${{ input.x }}]\n";
    assertThatThrownBy(() -> ParsedWorkflow.parse(Path.of("x.yaml"), flowList))
        .isInstanceOfSatisfying(
            WorkflowSyntaxException.class, e -> assertThat(e.getMessage()).contains("hint: quote"));
    // a quoted expression on the broken line is not the cause: no hint
    String quoted = "steps:\n  a: { call: python:m:f, with: { x: \"${{ input.x }}\" }\n";
    assertThatThrownBy(() -> ParsedWorkflow.parse(Path.of("x.yaml"), quoted))
        .isInstanceOfSatisfying(
            WorkflowSyntaxException.class, e -> assertThat(e.getMessage()).doesNotContain("hint"));
  }

  @Test
  void waitAndSignalStepsAreReadWithTheirPlaces() throws Exception {
    Workflow wf =
        parse(
            "waits.yaml",
            """
            steps:
              pause: { wait: 90s }
              ok: { signal: approve }
              until: { wait: { until: "${{ steps.ok.at }}" } }
              timed: { signal: { name: approve.v2, timeout: 1h } }
            """);
    Step.Wait pause = (Step.Wait) wf.steps().steps().get("pause").action();
    assertThat(pause.duration().orElseThrow().value()).isEqualTo(Duration.ofSeconds(90));
    assertThat(at(pause.duration().orElseThrow().at())).isEqualTo("2:18");
    assertThat(pause.until()).isEmpty();
    Step.Wait until = (Step.Wait) wf.steps().steps().get("until").action();
    assertThat(until.duration()).isEmpty();
    assertThat(until.until().orElseThrow()).isInstanceOf(Template.Single.class);
    assertThat(at(until.at())).isEqualTo("4:12");
    Step.Signal ok = (Step.Signal) wf.steps().steps().get("ok").action();
    assertThat(ok.name().value()).isEqualTo("approve");
    assertThat(at(ok.name().at())).isEqualTo("3:17");
    assertThat(ok.timeout()).isEmpty();
    Step.Signal timed = (Step.Signal) wf.steps().steps().get("timed").action();
    assertThat(timed.name().value()).isEqualTo("approve.v2");
    assertThat(timed.timeout().orElseThrow().value()).isEqualTo(Duration.ofHours(1));
    // a step the until expression reads is waited for, like any other reference
    assertThat(WorkflowChecker.dependencies(wf).get("until")).containsExactly("ok");
  }
}
