package dev.braid.gateway.workflow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code steps:} mapping: the workflow's own, or the body of a {@code try}, {@code catch} or
 * {@code finally}. Its steps form a dependency graph: a step starts once every step of this block
 * (or of an enclosing one) that it references or {@code needs} is done.
 *
 * @param at the {@code steps} key
 * @param steps by name, in the order written
 * @param output the block's value; absent: an object of every step's result by name
 */
public record Block(Location at, Map<String, Step> steps, Optional<Template> output) {
  public Block {
    steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
  }
}
