package dev.braid.gateway.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a bearer token may do on {@code braid serve}. A token line in the token file lists its
 * scopes after the token ({@code s3cret run,invoke}); a bare token gets {@link #DEFAULTS}.
 */
public enum TokenScope {
  /** Named workflows of the {@code --workflows} folder; GetRun, WatchRun, CancelRun. */
  RUN,
  /** Invoke, InvokeStream, ListFunctions (exposed functions only). */
  INVOKE,
  /** ExecuteScript (untrusted code in the sandbox). */
  SCRIPT,
  /** RunWorkflow/StartWorkflow with an inline definition. Off unless given explicitly. */
  INLINE;

  /**
   * The scopes of a bare token (and of every caller under {@code --no-auth}): what a token could do
   * before scopes existed, except inline workflows, which compose exposed functions freely and are
   * granted only by name.
   */
  public static final Set<TokenScope> DEFAULTS = Set.copyOf(EnumSet.of(RUN, INVOKE, SCRIPT));

  /** The scope's name in token files and messages ({@code run}, {@code inline}, ...). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the unknown scope and the known ones
   */
  public static TokenScope parse(String label) {
    for (TokenScope s : values()) {
      if (s.label().equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope '" + label + "': expected run, invoke, script or inline");
  }
}
