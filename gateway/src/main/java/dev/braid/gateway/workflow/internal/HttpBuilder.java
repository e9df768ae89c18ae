package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.HttpUrls;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.expr.Spelling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Builds {@code http} steps; see {@link ModelBuilder}. */
final class HttpBuilder {
  static final List<String> KEYS = List.of("method", "url", "headers", "query", "body", "expect");
  static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  private final ModelBuilder m;
  private final StepBuilder steps;
  private final Fields f;

  HttpBuilder(ModelBuilder m, StepBuilder steps) {
    this.m = m;
    this.steps = steps;
    this.f = m.fields;
  }

  Step.Http http(
      Location at, SourceNode v, SourceNode.MapNode step, Optional<Located<Duration>> timeout) {
    SourceNode.MapNode map =
        f.mapping(
            v, "http", ", e.g. http: { method: GET, url: \"https://api.example.com/items\" }");
    if (map == null) {
      return null;
    }
    f.onlyKeys(map, KEYS, "http");
    Located<String> method = method(map, at);
    SourceNode u = map.get("url");
    if (u == null) {
      f.error(at, "http needs url: (an http:// or https:// address, or an expression)");
      return null;
    }
    Template url = m.templates.of(u);
    if (url instanceof Template.Literal l) {
      if (StepBuilder.brokenExpression(u, url)) {
        return null;
      }
      Optional<String> bad = HttpUrls.problem(l.value().isTextual() ? l.value().textValue() : null);
      if (bad.isPresent()) {
        f.error(u.at(), "url: " + bad.get());
        return null;
      }
    }
    Optional<Template> headers = object(map, "headers", "headers: { Accept: application/json }");
    Optional<Template> query = object(map, "query", "query: { page: 2 }");
    Optional<Template> body = Optional.ofNullable(map.get("body")).map(m.templates::of);
    if (body.isPresent() && (method.value().equals("GET") || method.value().equals("HEAD"))) {
      f.error(map.entry("body").keyAt(), "a " + method.value() + " request has no body");
    }
    List<Located<Integer>> expect = expect(map);
    return new Step.Http(
        at, method, url, headers, query, body, expect, steps.stepPolicy(step, at, timeout, false));
  }

  private Located<String> method(SourceNode.MapNode map, Location at) {
    Optional<Located<String>> m0 = f.string(map, "method");
    if (m0.isEmpty()) {
      return new Located<>("GET", at);
    }
    String w = m0.get().value().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(w)) {
      f.error(
          m0.get().at(),
          "method must be one of "
              + String.join(", ", METHODS)
              + ", not '"
              + m0.get().value()
              + "'"
              + Spelling.suggest(w, METHODS));
      return new Located<>("GET", m0.get().at());
    }
    return new Located<>(w, m0.get().at());
  }

  private Optional<Template> object(SourceNode.MapNode map, String key, String example) {
    SourceNode n = map.get(key);
    if (n == null) {
      return Optional.empty();
    }
    Template t = m.templates.of(n);
    if (!(t instanceof Template.Single)
        && !(n instanceof SourceNode.MapNode)
        && !StepBuilder.brokenExpression(n, t)) {
      f.error(n.at(), key + " must be a mapping, e.g. " + example + ", not " + n.kind());
    }
    return Optional.of(t);
  }

  private List<Located<Integer>> expect(SourceNode.MapNode map) {
    List<Located<Integer>> out = new ArrayList<>();
    SourceNode n = map.get("expect");
    if (n == null) {
      return out;
    }
    List<SourceNode> items = n instanceof SourceNode.ListNode l ? l.items() : List.of(n);
    if (items.isEmpty()) {
      f.error(n.at(), "expect is empty: list the statuses that succeed, e.g. expect: [200, 404]");
    }
    for (SourceNode i : items) {
      if (i instanceof SourceNode.ScalarNode s
          && s.value().isIntegralNumber()
          && s.value().canConvertToInt()
          && s.value().intValue() >= 100
          && s.value().intValue() <= 599) {
        out.add(new Located<>(s.value().intValue(), i.at()));
      } else {
        f.error(
            i.at(), "expect must list HTTP statuses from 100 to 599, not " + Fields.describe(i));
      }
    }
    return out;
  }
}
