package dev.braid.gateway.workflow;

import dev.braid.gateway.workflow.expr.Spelling;
import java.util.Map;
import java.util.Optional;

/** The functions the test workflows call, with their kinds; everything else is unknown. */
final class FakeCatalog implements FunctionCatalog {
  static final Map<String, String> KNOWN =
      Map.of(
          "python:shop.users:get_profile", "async",
          "node:orders.mjs#getOrders", "async",
          "java:examples.Recs#forUser", "sync",
          "python:feeds:batches", "async_generator",
          "python:util:numbers", "generator",
          "python:util:work", "async",
          "node:util.mjs#work", "async");

  @Override
  public Optional<String> problem(String ref) {
    return KNOWN.containsKey(ref)
        ? Optional.empty()
        : Optional.of("unknown function '" + ref + "'" + Spelling.suggest(ref, KNOWN.keySet()));
  }

  @Override
  public Optional<String> kind(String ref) {
    return Optional.ofNullable(KNOWN.get(ref));
  }
}
