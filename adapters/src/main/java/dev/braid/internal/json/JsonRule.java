package dev.braid.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Braid's JSON rule on the Java side: the one place where Java values become payload bytes, so
 * arguments encoded by the gateway, results and stream items of {@code java:} functions, and their
 * nested calls all follow the same rule as the Python and Node workers (docs/architecture.md, "The
 * JSON rule").
 *
 * <p>Refused, with {@link NotSerializableException} naming the path to the first bad value ({@code
 * $.items[3].price is NaN}): NaN and infinite {@code double}/{@code float} (Jackson would write the
 * string {@code "NaN"}), {@code byte[]}/{@code ByteBuffer} (Jackson would write base64), objects
 * Jackson has no form for (no properties, {@code Optional} and {@code java.time} without their
 * modules), cycles, and nesting deeper than {@link #MAX_DEPTH} arrays/objects. The checks run
 * inside Jackson's own generator ({@link RuleGenerator}), so a good value costs one pass.
 *
 * <p>Thread-safe: mappers from {@link #newMapper()} are as thread-safe as any {@link ObjectMapper}.
 */
public final class JsonRule {
  /**
   * Most arrays/objects a value may be nested in (a scalar inside 512 arrays is fine, 513 not): the
   * same in every language, and below the gateway's parser limit (Jackson's default 1,000), so a
   * value too deep is refused where it is produced, never by the reader.
   */
  public static final int MAX_DEPTH = 512;

  /** The failure {@code type} of a value that breaks the rule. */
  public static final String NOT_SERIALIZABLE = "NotSerializable";

  /** The failure {@code type} of a payload over the limit. */
  public static final String PAYLOAD_TOO_LARGE = "PayloadTooLarge";

  private static final int MAX_PATH_SEGMENTS = 16;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private JsonRule() {}

  /** A mapper whose every write follows the rule (reads are Jackson's defaults). */
  public static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder().addDecorator((f, g) -> new RuleGenerator(g)).build();
    // Our own cycle check names the path; Jackson's would stop only direct self-references.
    return new ObjectMapper(factory).disable(SerializationFeature.FAIL_ON_SELF_REFERENCES);
  }

  /**
   * Encodes {@code value} with {@code json} (a mapper from {@link #newMapper()}).
   *
   * @throws NotSerializableException the value breaks the rule; {@link
   *     NotSerializableException#problem()} says where and why
   */
  public static byte[] encode(ObjectMapper json, Object value) throws NotSerializableException {
    try {
      return json.writeValueAsBytes(value);
    } catch (NotSerializableException e) {
      throw e;
    } catch (InvalidDefinitionException e) {
      String type = e.getType() == null ? "?" : simpleName(e.getType().getRawClass());
      throw new NotSerializableException(render(path(e)) + " has no JSON form (" + type + ")");
    } catch (JsonMappingException e) {
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
        if (c instanceof NotSerializableException ours) {
          throw ours; // our own check, wrapped by a serializer on its way out
        }
      }
      // a getter that threw, a null map key...: Jackson says what, we say where
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String why = cause == e ? e.getOriginalMessage() : String.valueOf(cause.getMessage());
      throw new NotSerializableException(render(path(e)) + " could not be read (" + why + ")");
    } catch (JsonProcessingException e) {
      throw new NotSerializableException(
          "$ could not be converted (" + e.getOriginalMessage() + ")");
    }
  }

  /**
   * The failure of a value that breaks the rule, worded the same in every language: {@code cannot
   * send the result of REF as JSON: $.x is NaN}.
   *
   * @param what {@code result}, {@code stream item} or {@code arguments}
   */
  public static Failure notSerializable(String what, String ref, String problem) {
    return Failure.of(
        FailureCode.INVALID_ARGUMENT,
        NOT_SERIALIZABLE,
        "cannot send the " + what + " of " + ref + " as JSON: " + problem);
  }

  /** The failure of a payload over {@code limit} bytes, worded the same in every language. */
  public static Failure tooLarge(String what, String ref, long size, long limit) {
    return Failure.of(
        FailureCode.RESOURCE_EXHAUSTED,
        PAYLOAD_TOO_LARGE,
        "cannot send the "
            + what
            + " of "
            + ref
            + ": "
            + size
            + " bytes, more than max_payload_bytes "
            + limit);
  }

  /** {@code $.items[3].price}; past 16 segments the rest is shown as {@code ...}. */
  static String render(List<Object> path) {
    StringBuilder sb = new StringBuilder("$");
    int n = Math.min(path.size(), MAX_PATH_SEGMENTS);
    for (int i = 0; i < n; i++) {
      Object seg = path.get(i);
      if (seg instanceof Integer index) {
        sb.append('[').append(index).append(']');
      } else if (NAME.matcher((String) seg).matches()) {
        sb.append('.').append(seg);
      } else {
        try {
          sb.append('[').append(PLAIN.writeValueAsString(seg)).append(']');
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("a string is always JSON", e);
        }
      }
    }
    if (path.size() > MAX_PATH_SEGMENTS) {
      sb.append("...");
    }
    return sb.toString();
  }

  private static List<Object> path(JsonMappingException e) {
    List<Object> out = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      out.add(r.getFieldName() != null ? r.getFieldName() : (Object) r.getIndex());
    }
    return out;
  }

  static String simpleName(Class<?> c) {
    return c.isArray() ? simpleName(c.getComponentType()) + "[]" : c.getSimpleName();
  }
}
