package dev.braid.gateway.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One field of a workflow's input, as declared under {@code input:}.
 *
 * @param name the field's name
 * @param at where the name is written
 * @param type the declared type
 * @param required true unless a default is given or {@code required: false}
 * @param defaultValue the value used when the input leaves the field out
 * @param description free text for people
 */
public record InputField(
    String name,
    Location at,
    Located<ValueType> type,
    boolean required,
    Optional<Located<JsonNode>> defaultValue,
    Optional<Located<String>> description) {}
