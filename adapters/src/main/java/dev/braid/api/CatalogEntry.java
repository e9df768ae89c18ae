package dev.braid.api;

/**
 * One function a worker announced.
 *
 * @param reference the full reference, e.g. {@code python:pricing:quote}
 * @param kind {@code async}, {@code sync}, {@code async_generator}, {@code generator} or {@code
 *     callback}
 * @param signature human-readable parameters, possibly empty
 * @param doc the first line of its documentation, possibly empty
 */
public record CatalogEntry(String reference, String kind, String signature, String doc) {}
