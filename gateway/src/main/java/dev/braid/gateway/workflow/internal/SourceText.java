package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Location;
import java.util.Arrays;

/**
 * The text of a workflow file, for turning parser offsets into lines and columns. The YAML parser
 * counts offsets and columns in code points, the JSON parser in chars; {@code codePoints} says
 * which, so that a file with characters outside the BMP still gets exact columns.
 */
public final class SourceText {
  private final String name;
  private final String text;
  private final boolean codePoints;
  private final int[] lineStarts;

  /** Code point offset to char offset, or null when the two are the same. */
  private final int[] charAt;

  public SourceText(String name, String text, boolean codePoints) {
    this.name = name;
    this.text = text;
    boolean surrogates = text.length() != text.codePointCount(0, text.length());
    this.codePoints = codePoints && surrogates;
    int[] starts = new int[16];
    int n = 0;
    starts[n++] = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
        }
        starts[n++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, n);
    if (this.codePoints) {
      int[] map = new int[text.codePointCount(0, text.length()) + 1];
      int cp = 0;
      for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
        map[cp++] = i;
      }
      map[cp] = text.length();
      this.charAt = map;
    } else {
      this.charAt = null;
    }
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** A location from the parser's 1-based line and column. */
  public Location at(int line, int column) {
    return new Location(name, Math.max(1, line), Math.max(1, column));
  }

  /** The char index of a parser offset. */
  public int charIndex(long parserOffset) {
    int o = (int) Math.max(0, parserOffset);
    if (charAt == null) {
      return Math.min(o, text.length());
    }
    return charAt[Math.min(o, charAt.length - 1)];
  }

  /** The location of a char index. */
  public Location locateChar(int index) {
    int i = Math.max(0, Math.min(index, text.length()));
    int line = Arrays.binarySearch(lineStarts, i);
    if (line < 0) {
      line = -line - 2;
    }
    int start = lineStarts[line];
    int column = (codePoints ? text.codePointCount(start, i) : i - start) + 1;
    return new Location(name, line + 1, column);
  }
}
