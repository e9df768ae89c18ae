package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import java.util.Optional;

/** Builds {@code workflow:} steps, reading their callees; see {@link ModelBuilder}. */
final class SubWorkflowBuilder {
  private final ModelBuilder m;
  private final Fields f;

  SubWorkflowBuilder(ModelBuilder m) {
    this.m = m;
    this.f = m.fields;
  }

  Step.SubWorkflow subWorkflow(Location at, SourceNode v, SourceNode.MapNode map) {
    if (!(v instanceof SourceNode.ScalarNode s)
        || !s.value().isTextual()
        || s.value().textValue().isBlank()) {
      f.error(
          v.at(),
          "workflow must name a workflow file next to this one, e.g. workflow: enrich.yaml (or"
              + " its name, enrich); not "
              + v.kind());
      return null;
    }
    Located<String> ref = new Located<>(s.value().textValue(), s.at());
    Optional<Template> input = Optional.empty();
    SourceNode in = map.get("input");
    if (in != null) {
      Template t = m.templates.of(in);
      boolean shape = t instanceof Template.Single || in instanceof SourceNode.MapNode;
      if (!shape && !StepBuilder.brokenExpression(in, t)) {
        f.error(
            in.at(),
            "input must be a mapping of the workflow's input fields, e.g. input: { userId: 7 },"
                + " or one expression giving one; not "
                + in.kind());
      }
      input = Optional.of(t);
    }
    Optional<ParsedWorkflow> callee = m.callees.load(ref, f);
    return new Step.SubWorkflow(at, ref, input, callee);
  }
}
