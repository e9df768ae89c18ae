package dev.braid.gateway.workflow.expr;

import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; every token keeps its offset. */
final class Lexer {
  enum Kind {
    NUMBER,
    STRING,
    IDENT,
    SYMBOL,
    END
  }

  record Token(Kind kind, String text, Object value, int pos) {
    boolean is(String symbol) {
      return kind == Kind.SYMBOL && text.equals(symbol);
    }
  }

  private static final String[] SYMBOLS = {
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "(", ")", "[", "]",
    ",", "."
  };

  private final String src;
  private int i;

  private Lexer(String src) {
    this.src = src;
  }

  static List<Token> tokens(String src) {
    Lexer lx = new Lexer(src);
    List<Token> out = new ArrayList<>();
    Token t;
    do {
      t = lx.next();
      out.add(t);
    } while (t.kind() != Kind.END);
    return out;
  }

  private Token next() {
    while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
      i++;
    }
    if (i >= src.length()) {
      return new Token(Kind.END, "", null, i);
    }
    int start = i;
    char c = src.charAt(i);
    if (Character.isDigit(c)) {
      return number(start);
    }
    if (c == '"' || c == '\'') {
      return string(start, c);
    }
    if (Character.isLetter(c) || c == '_') {
      while (i < src.length()
          && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) {
        i++;
      }
      return new Token(Kind.IDENT, src.substring(start, i), null, start);
    }
    for (String s : SYMBOLS) {
      if (src.startsWith(s, i)) {
        i += s.length();
        return new Token(Kind.SYMBOL, s, null, start);
      }
    }
    throw new ExpressionException(start, unexpected(c));
  }

  private static String unexpected(char c) {
    return switch (c) {
      case '=' -> "'=' is not an operator: write == to compare";
      case '&' -> "'&' is not an operator: write && for 'and'";
      case '|' -> "'|' is not an operator: write || for 'or'";
      case '?', ':' -> "there is no ?: operator: use default(x, fallback), or if: on the step";
      case '{', '}' -> "unexpected '" + c + "': object literals are not supported";
      default -> "unexpected character '" + c + "'";
    };
  }

  private Token number(int start) {
    while (i < src.length() && Character.isDigit(src.charAt(i))) {
      i++;
    }
    boolean fraction = false;
    if (i + 1 < src.length() && src.charAt(i) == '.' && Character.isDigit(src.charAt(i + 1))) {
      fraction = true;
      i++;
      while (i < src.length() && Character.isDigit(src.charAt(i))) {
        i++;
      }
    }
    if (i < src.length() && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
      int save = i;
      i++;
      if (i < src.length() && (src.charAt(i) == '+' || src.charAt(i) == '-')) {
        i++;
      }
      if (i < src.length() && Character.isDigit(src.charAt(i))) {
        fraction = true;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
          i++;
        }
      } else {
        i = save;
      }
    }
    if (i < src.length() && (Character.isLetter(src.charAt(i)) || src.charAt(i) == '_')) {
      throw new ExpressionException(start, "invalid number '" + src.substring(start, i + 1) + "'");
    }
    String text = src.substring(start, i);
    Object value;
    if (fraction) {
      value = Double.parseDouble(text);
    } else {
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new ExpressionException(start, "number " + text + " is too large");
      }
    }
    return new Token(Kind.NUMBER, text, value, start);
  }

  private Token string(int start, char quote) {
    StringBuilder sb = new StringBuilder();
    i++;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (c == quote) {
        i++;
        return new Token(Kind.STRING, src.substring(start, i), sb.toString(), start);
      }
      if (c == '\\') {
        if (i + 1 >= src.length()) {
          break;
        }
        char e = src.charAt(i + 1);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case '\\', '\'', '"' -> sb.append(e);
          default ->
              throw new ExpressionException(
                  i, "unknown escape '\\" + e + "' (use \\n, \\t, \\r, \\\\, \\' or \\\")");
        }
        i += 2;
        continue;
      }
      sb.append(c);
      i++;
    }
    throw new ExpressionException(start, "unterminated string: missing closing " + quote);
  }
}
