package dev.braid.gateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Locale;
import java.util.Objects;

/**
 * One script to run in a sandbox.
 *
 * <p>Contract: a Python script may define {@code main(input)} (sync or {@code async}; a {@code
 * main()} without parameters is called without the input); a JavaScript module may export {@code
 * main} (async allowed; {@code *.cjs} file names are loaded as CommonJS). Its JSON-serializable
 * return value is the result. A script without {@code main} is a plain script: it runs top to
 * bottom and its stdout text is the result. Python runs isolated ({@code -I -S -B}: standard
 * library only); the module's {@code __name__} is {@code "script"}.
 *
 * @param lang the language
 * @param code the source text
 * @param filename the name shown in stack traces (a base name; default {@code script.py} / {@code
 *     script.mjs})
 * @param input the value passed to {@code main}; JSON null when absent
 */
public record Script(Lang lang, String code, String filename, JsonNode input) {
  /** The languages a sandbox runs. */
  public enum Lang {
    PYTHON("python", "script.py"),
    JS("js", "script.mjs");

    private final String word;
    private final String defaultFilename;

    Lang(String word, String defaultFilename) {
      this.word = word;
      this.defaultFilename = defaultFilename;
    }

    /** The CLI's name: {@code python} or {@code js}. */
    public String word() {
      return word;
    }

    /** Parses {@code python}/{@code py} or {@code js}/{@code javascript}/{@code node}. */
    public static Lang parse(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "python", "py", "python3" -> PYTHON;
        case "js", "javascript", "node", "mjs" -> JS;
        default ->
            throw new IllegalArgumentException("unknown language: " + text + " (python or js)");
      };
    }
  }

  public Script {
    Objects.requireNonNull(lang, "lang");
    Objects.requireNonNull(code, "code");
    filename = filename == null || filename.isBlank() ? lang.defaultFilename : filename;
    input = input == null ? NullNode.getInstance() : input;
  }

  public static Script python(String code) {
    return new Script(Lang.PYTHON, code, null, null);
  }

  public static Script js(String code) {
    return new Script(Lang.JS, code, null, null);
  }

  public Script withInput(JsonNode newInput) {
    return new Script(lang, code, filename, newInput);
  }

  public Script withFilename(String newFilename) {
    return new Script(lang, code, newFilename, input);
  }
}
