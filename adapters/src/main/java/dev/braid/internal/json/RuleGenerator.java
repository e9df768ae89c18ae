package dev.braid.internal.json;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Jackson's generator with the JSON rule's checks in front of it: a non-finite number, binary data,
 * a container that is one of its own ancestors, or one nested deeper than {@link
 * JsonRule#MAX_DEPTH} throws {@link NotSerializableException} before anything is written. The path
 * comes from the generator's own output context. Jackson has no option for any of these (it writes
 * NaN as {@code "NaN"}, bytes as base64, and finds only direct self-references), hence this class.
 *
 * <p>Not thread-safe, like any generator.
 */
final class RuleGenerator extends JsonGeneratorDelegate {
  /** The values of the open containers, outermost first (null when Jackson did not say). */
  private final List<Object> open = new ArrayList<>();

  RuleGenerator(JsonGenerator g) {
    // false: writeObject/writeTree/copy* come back through this class, so they are checked too
    super(g, false);
  }

  @Override
  public void writeStartArray() throws IOException {
    enter(null);
    super.writeStartArray();
  }

  @Override
  public void writeStartArray(int size) throws IOException {
    enter(null);
    super.writeStartArray(size);
  }

  @Override
  public void writeStartArray(Object forValue) throws IOException {
    enter(forValue);
    super.writeStartArray(forValue);
  }

  @Override
  public void writeStartArray(Object forValue, int size) throws IOException {
    enter(forValue);
    super.writeStartArray(forValue, size);
  }

  @Override
  public void writeStartObject() throws IOException {
    enter(null);
    super.writeStartObject();
  }

  @Override
  public void writeStartObject(Object forValue) throws IOException {
    enter(forValue);
    super.writeStartObject(forValue);
  }

  @Override
  public void writeStartObject(Object forValue, int size) throws IOException {
    enter(forValue);
    super.writeStartObject(forValue, size);
  }

  @Override
  public void writeEndArray() throws IOException {
    super.writeEndArray();
    leave();
  }

  @Override
  public void writeEndObject() throws IOException {
    super.writeEndObject();
    leave();
  }

  @Override
  public void writeNumber(double v) throws IOException {
    if (!Double.isFinite(v)) {
      throw problem(Double.isNaN(v) ? "is NaN" : v > 0 ? "is Infinity" : "is -Infinity");
    }
    super.writeNumber(v);
  }

  @Override
  public void writeNumber(float v) throws IOException {
    if (!Float.isFinite(v)) {
      throw problem(Float.isNaN(v) ? "is NaN" : v > 0 ? "is Infinity" : "is -Infinity");
    }
    super.writeNumber(v);
  }

  @Override
  public void writeBinary(Base64Variant b64variant, byte[] data, int offset, int len)
      throws IOException {
    throw problem("has no JSON form (byte[])");
  }

  @Override
  public int writeBinary(Base64Variant b64variant, InputStream data, int dataLength)
      throws IOException {
    throw problem("has no JSON form (byte[])");
  }

  private void enter(Object value) throws NotSerializableException {
    if (value != null) {
      for (int i = 0; i < open.size(); i++) {
        if (open.get(i) == value) {
          throw new NotSerializableException(
              JsonRule.render(path())
                  + " refers back to "
                  + JsonRule.render(path().subList(0, i))
                  + " (a cycle)");
        }
      }
    }
    if (open.size() >= JsonRule.MAX_DEPTH) {
      throw problem("is nested deeper than " + JsonRule.MAX_DEPTH + " levels");
    }
    open.add(value);
  }

  private void leave() {
    if (!open.isEmpty()) {
      open.remove(open.size() - 1);
    }
  }

  private NotSerializableException problem(String words) {
    return new NotSerializableException(JsonRule.render(path()) + " " + words);
  }

  /**
   * The path of the value about to be written: for each open container, the slot that leads to it.
   * The innermost container has not counted the pending value yet (its entry count is its index);
   * the outer ones already counted the container they hold (their current index).
   */
  private List<Object> path() {
    List<Object> out = new ArrayList<>();
    boolean innermost = true;
    for (JsonStreamContext c = getOutputContext(); c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        out.add(innermost ? c.getEntryCount() : c.getCurrentIndex());
      } else {
        String name = c.getCurrentName();
        out.add(name == null ? "?" : name);
      }
      innermost = false;
    }
    Collections.reverse(out);
    return out;
  }
}
