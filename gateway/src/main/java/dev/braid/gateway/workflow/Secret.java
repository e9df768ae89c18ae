package dev.braid.gateway.workflow;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A secret the workflow declares under {@code secrets:}: its name, and where its value comes from.
 * With neither {@code env} nor {@code file} it comes from the default places: the file {@code NAME}
 * in the secrets folder ({@code --secrets-dir}), else the environment variable {@code
 * BRAID_SECRET_NAME} (docs/workflows.md "secrets").
 *
 * @param name the name expressions use ({@code ${{ secrets.NAME }}}) and functions ask for ({@code
 *     ctx.secret("NAME")})
 * @param at where the name is written
 * @param env an explicit environment variable to read, or empty
 * @param file an explicit file to read (relative paths from the workflow's folder), or empty
 */
public record Secret(
    String name, Location at, Optional<Located<String>> env, Optional<Located<String>> file) {

  /** A secret's name: typed in environment variable names and file names, so kept plain. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");

  /** The prefix of the default environment variable: {@code BRAID_SECRET_<NAME>}. */
  public static final String ENV_PREFIX = "BRAID_SECRET_";

  /** The environment variable read by default: {@code BRAID_SECRET_<NAME>}. */
  public String defaultEnv() {
    return ENV_PREFIX + name;
  }
}
