package dev.braid.gateway.secrets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.model.Failure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Shows the values of a run's secrets as {@value #MASK} in everything that leaves the engine:
 * events (progress views, {@code --json}, traces, the server's event stream), the journal (stored
 * step results and failures, what {@code braid show} prints), the run's result and its failure. One
 * instance per run, made from the values the run resolved; the engine applies it where a value
 * leaves ({@code WorkflowEngine.start}), so no output channel needs to know about secrets.
 *
 * <p>It finds the literal value, in strings and object keys, and in a failure's {@code details}
 * also its JSON-escaped form; a value the function transformed (base64, split, reversed) is not
 * recognised. Immutable and thread-safe. Nothing is changed in place: a value with a secret in it
 * comes back as a copy, any other value as itself.
 */
public final class Redactor {
  /** What a secret's value is replaced with. */
  public static final String MASK = "***";

  /** Redacts nothing: for runs without secrets. */
  public static final Redactor NONE = new Redactor(List.of());

  // longest first: a secret that contains another is masked whole
  private final List<String> values;
  private final List<String> escaped;

  private Redactor(List<String> values) {
    this.values = values;
    List<String> e = new ArrayList<>();
    for (String v : values) {
      String json = new String(JsonStringEncoder.getInstance().quoteAsString(v));
      if (!json.equals(v)) {
        e.add(json);
      }
    }
    this.escaped = List.copyOf(e);
  }

  /** A redactor of {@code secretValues} (empty strings are ignored). */
  public static Redactor of(Collection<String> secretValues) {
    List<String> v =
        secretValues.stream()
            .filter(s -> s != null && !s.isEmpty())
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
    return v.isEmpty() ? NONE : new Redactor(v);
  }

  /** A redactor of the values of {@code secrets} (name to value). */
  public static Redactor of(Map<String, String> secrets) {
    return of(secrets.values());
  }

  /** True if this redactor masks nothing. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** {@code text} with every secret value masked; null stays null. */
  public String redact(String text) {
    if (text == null || values.isEmpty()) {
      return text;
    }
    String out = text;
    for (String v : values) {
      if (out.contains(v)) {
        out = out.replace(v, MASK);
      }
    }
    return out;
  }

  /** {@code node}, or a copy of it with every secret value masked in strings and keys. */
  public JsonNode redact(JsonNode node) {
    if (node == null || values.isEmpty()) {
      return node;
    }
    return json(node, 0);
  }

  // JSON values that reach here were read or produced under the nesting limit of the JSON rule
  // (512 levels), so the recursion is bounded; deeper than that is left as is
  private JsonNode json(JsonNode node, int depth) {
    if (depth > 1000) {
      return node;
    }
    if (node.isTextual()) {
      String r = redact(node.textValue());
      return r.equals(node.textValue()) ? node : TextNode.valueOf(r);
    }
    if (node instanceof ArrayNode a) {
      ArrayNode copy = null;
      for (int i = 0; i < a.size(); i++) {
        JsonNode r = json(a.get(i), depth + 1);
        if (r != a.get(i) && copy == null) {
          copy = a.deepCopy();
        }
        if (copy != null) {
          copy.set(i, r);
        }
      }
      return copy != null ? copy : a;
    }
    if (node instanceof ObjectNode o) {
      boolean changed = false;
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = redact(e.getKey());
        JsonNode v = json(e.getValue(), depth + 1);
        changed |= !k.equals(e.getKey()) || v != e.getValue();
        copy.set(k, v);
      }
      return changed ? copy : o;
    }
    return node;
  }

  /** {@code f} with every text of it and of its causes masked; null stays null. */
  public Failure redact(Failure f) {
    if (f == null || values.isEmpty()) {
      return f;
    }
    return failure(f, 0);
  }

  private Failure failure(Failure f, int depth) {
    // causes are chained by the workers up to a bound; past 64 the rest is dropped, not shown
    Failure cause = f.cause() == null || depth >= 64 ? null : failure(f.cause(), depth + 1);
    String details = f.detailsJson();
    if (details != null) {
      details = redact(details);
      for (String e : escaped) {
        details = details.replace(e, MASK);
      }
    }
    return new Failure(
        f.code(),
        redact(f.type()),
        redact(f.message()),
        f.language(),
        redact(f.stack()),
        cause,
        f.retryable(),
        details,
        f.reason());
  }

  /**
   * {@code e} with its failure, value and function masked (an {@code http} step's function is its
   * method and URL, which may hold a secret in its path).
   */
  public RunEvent redact(RunEvent e) {
    String function = redact(e.function());
    if (values.isEmpty()
        || (e.failure() == null && e.value() == null && Objects.equals(function, e.function()))) {
      return e;
    }
    return new RunEvent(
        e.type(),
        e.atNanos(),
        e.step(),
        e.kind(),
        function,
        e.language(),
        e.attempt(),
        e.status(),
        redact(e.failure()),
        e.retryWait(),
        redact(e.value()),
        e.replayed());
  }

  /** {@code o} with its value or failure masked. */
  public StepOutcome redact(StepOutcome o) {
    if (values.isEmpty() || o == null) {
      return o;
    }
    return o.isOk() ? StepOutcome.ok(redact(o.value())) : StepOutcome.failed(redact(o.failure()));
  }

  /** {@code e} with its failure masked. */
  public StepFailedException redact(StepFailedException e) {
    if (values.isEmpty()) {
      return e;
    }
    return new StepFailedException(redact(e.failure()), e.step(), e.at());
  }
}
