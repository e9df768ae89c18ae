package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Text of an untrusted script made safe to print on a person's terminal. A script's output may
 * carry escape sequences that retitle the window, clear the screen, move the cursor over earlier
 * lines, or (bidi controls) reorder what is shown; here each such character is rendered visibly
 * instead ({@code \x1b}, {@code \r}, {@code \u202e}). Line feeds and tabs stay. Hand-written: the
 * rule is one switch over code points, and the libraries' escapers (Guava's, commons-text's) are
 * built to escape for a language, not to neutralise a terminal, and are not dependencies here.
 */
final class TerminalText {
  private TerminalText() {}

  /** {@code text} with every terminal control character except {@code \n} and {@code \t} shown. */
  static String visible(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String shown = shown(c);
      if (shown != null && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (shown != null) {
          out.append(shown);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  /** How {@code c} is shown, or null when it is printed as it is. */
  private static String shown(char c) {
    if (c == '\n' || c == '\t') {
      return null;
    }
    if (c == '\r') {
      return "\\r";
    }
    // C0, DEL and C1 (U+009B is a one-character CSI for many terminals)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return String.format("\\x%02x", (int) c);
    }
    if (bidi(c)) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }

  /** Bidirectional formatting characters: they reorder how the rest of a line is displayed. */
  private static boolean bidi(char c) {
    return c == 0x061c
        || c == 0x200e
        || c == 0x200f
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /**
   * JSON escapes for a value printed on a terminal: Jackson escapes C0 already; these add DEL, C1
   * and the bidi controls as {@code \\uXXXX}, so the JSON still reads back to the exact value.
   */
  static final class JsonEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    JsonEscapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return (ch >= 0x80 && ch <= 0x9f) || bidi((char) ch)
          ? new SerializedString(String.format("\\u%04x", ch))
          : null;
    }
  }
}
