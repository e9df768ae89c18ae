package dev.braid.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON rule on the Java side: what cannot be sent, and the path that names it. */
class JsonRuleTest {
  static final ObjectMapper JSON = JsonRule.newMapper();

  static String problem(Object value) {
    NotSerializableException e =
        catchThrowableOfType(NotSerializableException.class, () -> JsonRule.encode(JSON, value));
    assertThat(e).as("refused").isNotNull();
    return e.problem();
  }

  static String text(Object value) throws Exception {
    return new String(JsonRule.encode(JSON, value), StandardCharsets.UTF_8);
  }

  static Map<String, Object> priced(Object bad) {
    Map<String, Object> second = new LinkedHashMap<>();
    second.put("price", bad);
    return Map.of("items", List.of(Map.of("price", 1), second));
  }

  static List<Arguments> bad() {
    return List.of(
        Arguments.of(Double.NaN, "is NaN"),
        Arguments.of(Double.POSITIVE_INFINITY, "is Infinity"),
        Arguments.of(Double.NEGATIVE_INFINITY, "is -Infinity"),
        Arguments.of(Float.NaN, "is NaN"),
        Arguments.of(new byte[] {1}, "has no JSON form (byte[])"),
        Arguments.of(ByteBuffer.wrap(new byte[] {1}), "has no JSON form (byte[])"),
        Arguments.of(new Object(), "has no JSON form (Object)"),
        Arguments.of(Optional.of(1), "has no JSON form (Optional)"));
  }

  @ParameterizedTest
  @MethodSource("bad")
  void aBadValueIsNamedByItsPath(Object bad, String words) {
    assertThat(problem(priced(bad))).isEqualTo("$.items[1].price " + words);
  }

  @Test
  void aBadValueAtTheTopIsDollar() {
    assertThat(problem(Double.NaN)).isEqualTo("$ is NaN");
  }

  public record Item(String name, double price) {}

  @Test
  void beanPropertiesAreNamed() {
    assertThat(problem(List.of(new Item("a", 1), new Item("b", Double.NaN))))
        .isEqualTo("$[1].price is NaN");
  }

  @Test
  void treesFollowTheRuleToo() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.putArray("a b").add(Double.POSITIVE_INFINITY);
    assertThat(problem(n)).isEqualTo("$[\"a b\"][0] is Infinity");
  }

  @Test
  void aCycleNamesWhereItCloses() {
    Map<String, Object> second = new LinkedHashMap<>();
    Map<String, Object> root = Map.of("items", List.of(Map.of("price", 1), second));
    second.put("price", root);
    assertThat(problem(root)).isEqualTo("$.items[1].price refers back to $ (a cycle)");
  }

  public static final class Node {
    public Node next;
  }

  @Test
  void aBeanThatHoldsItselfIsACycle() {
    Node n = new Node();
    n.next = n;
    assertThat(problem(n)).isEqualTo("$.next refers back to $ (a cycle)");
  }

  @Test
  void aSharedValueIsNotACycle() throws Exception {
    List<Integer> shared = List.of(1);
    assertThat(text(List.of(shared, shared))).isEqualTo("[[1],[1]]");
  }

  static Object nested(int levels) {
    Object v = 0;
    for (int i = 0; i < levels; i++) {
      List<Object> l = new ArrayList<>();
      l.add(v);
      v = l;
    }
    return v;
  }

  @Test
  void theDepthLimitIs512Containers() throws Exception {
    assertThat(JsonRule.MAX_DEPTH).isEqualTo(512);
    assertThat(JSON.readTree(text(nested(512)))).isEqualTo(JSON.valueToTree(nested(512)));
    assertThat(problem(nested(513)))
        .isEqualTo("$" + "[0]".repeat(16) + "... is nested deeper than 512 levels");
    assertThat(problem(nested(100_000))).endsWith("is nested deeper than 512 levels");
  }

  public static final class Hostile {
    public int getX() {
      throw new IllegalStateException("trap");
    }
  }

  @Test
  void aThrowingGetterIsNamedNotThrown() {
    assertThat(problem(Map.of("h", new Hostile()))).isEqualTo("$.h.x could not be read (trap)");
  }

  @Test
  void goodValuesAreWrittenAsJacksonWritesThem() throws Exception {
    assertThat(text(Map.of("a", List.of(1, 2.5, "x", true))))
        .isEqualTo("{\"a\":[1,2.5,\"x\",true]}");
    assertThat(text(new Item("a", 1.5))).isEqualTo("{\"name\":\"a\",\"price\":1.5}");
  }

  @Test
  void failuresAreWordedLikeTheWorkers() {
    assertThat(JsonRule.notSerializable("result", "m.C#f", "$ is NaN").message())
        .isEqualTo("cannot send the result of m.C#f as JSON: $ is NaN");
    assertThat(JsonRule.tooLarge("stream item", "m.C#f", 20, 10).message())
        .isEqualTo(
            "cannot send the stream item of m.C#f: 20 bytes, more than max_payload_bytes 10");
  }
}
