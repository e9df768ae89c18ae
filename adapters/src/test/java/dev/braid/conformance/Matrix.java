package dev.braid.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects pass/fail per scenario and column, and renders them as a Markdown table. */
final class Matrix {
  private final List<String> columns;
  private final Map<String, Map<String, String>> cells = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  Matrix(List<String> columns) {
    this.columns = columns;
  }

  synchronized void pass(String scenario, String column) {
    cells.computeIfAbsent(scenario, s -> new LinkedHashMap<>()).put(column, "pass");
  }

  synchronized void fail(String scenario, String column, String reason) {
    cells.computeIfAbsent(scenario, s -> new LinkedHashMap<>()).put(column, "**FAIL**");
    notes.add(scenario + " / " + column + ": " + reason.replace('\n', ' '));
  }

  synchronized String render(String title) {
    StringBuilder sb = new StringBuilder("## ").append(title).append("\n\n| scenario |");
    columns.forEach(c -> sb.append(' ').append(c).append(" |"));
    sb.append("\n|---|");
    columns.forEach(c -> sb.append("---|"));
    sb.append('\n');
    cells.forEach(
        (scenario, row) -> {
          sb.append("| ").append(scenario).append(" |");
          columns.forEach(c -> sb.append(' ').append(row.getOrDefault(c, "")).append(" |"));
          sb.append('\n');
        });
    if (!notes.isEmpty()) {
      sb.append("\nFailures:\n\n");
      notes.forEach(n -> sb.append("- ").append(n).append('\n'));
    }
    return sb.toString();
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
