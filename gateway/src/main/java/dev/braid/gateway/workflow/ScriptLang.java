package dev.braid.gateway.workflow;

import java.util.Locale;

/** The languages of {@code script} steps (the same as {@code braid exec --lang}). */
public enum ScriptLang {
  PYTHON,
  JS;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
