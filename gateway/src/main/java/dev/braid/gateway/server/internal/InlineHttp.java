package dev.braid.gateway.server.internal;

import dev.braid.gateway.workflow.HttpUrls;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.Workflow;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code http} steps of a client's inline workflow, checked before it runs: the gateway must
 * not reach, on a client's behalf, hosts the operator did not name with {@code --allow-http}
 * (SSRF). The check is static: the scheme and host of each URL must be written out, so that no
 * input or step result can move the request elsewhere ({@code ${{ }}} only after the first {@code
 * /} of the path or the {@code ?}). Redirects are never followed, so the host checked is the host
 * reached. Thread-safe (stateless).
 */
final class InlineHttp {
  private static final Pattern ORIGIN = Pattern.compile("^(https?)://([^/?#]+)[/?#]");

  private InlineHttp() {}

  /** Each http step the patterns do not allow, as {@code (where, why)}. */
  static List<Refusal> refusals(Workflow wf, List<String> hosts) {
    List<Refusal> out = new ArrayList<>();
    for (Step top : wf.steps().steps().values()) {
      Workflow.walk(
          top,
          s -> {
            if (s.action() instanceof Step.Http h) {
              why(h, hosts).ifPresent(w -> out.add(new Refusal(h.url().at(), w)));
            }
          });
    }
    return out;
  }

  record Refusal(Location at, String why) {}

  private static Optional<String> why(Step.Http h, List<String> hosts) {
    if (hosts.isEmpty()) {
      return Optional.of(
          "an inline workflow may not make http requests on this server (its operator allows"
              + " hosts with braid serve --allow-http; a workflow of its --workflows folder may)");
    }
    String prefix = literalPrefix(h.url());
    Matcher m = prefix == null ? null : ORIGIN.matcher(prefix + (isWhole(h.url()) ? "/" : ""));
    if (m == null || !m.find()) {
      return Optional.of(
          "the scheme and host of an inline workflow's http url must be written out, with ${{ }}"
              + " only after the path's first / (the server checks the host against"
              + " --allow-http before the run)");
    }
    URI origin;
    try {
      origin = URI.create(m.group(1) + "://" + m.group(2));
    } catch (IllegalArgumentException e) {
      return Optional.of("the url's host is not valid: " + e.getMessage());
    }
    if (origin.getHost() == null || !HttpUrls.allowed(origin.getHost(), port(origin), hosts)) {
      return Optional.of(
          "host '"
              + m.group(2)
              + "' is not one this server lets inline workflows reach (--allow-http "
              + String.join(",", hosts)
              + ")");
    }
    return Optional.empty();
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return u.getScheme().equals("https") ? 443 : 80;
  }

  private static boolean isWhole(Template t) {
    return t instanceof Template.Literal;
  }

  /** The text before the URL's first expression; null if it starts with one. */
  private static String literalPrefix(Template t) {
    if (t instanceof Template.Literal l && l.value().isTextual()) {
      return l.value().textValue();
    }
    if (t instanceof Template.Text x
        && !x.parts().isEmpty()
        && x.parts().get(0) instanceof String s) {
      return s;
    }
    return null;
  }
}
