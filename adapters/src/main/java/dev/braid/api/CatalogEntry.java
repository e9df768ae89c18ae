package dev.braid.api;

import java.util.List;

/**
 * One function a worker announced.
 *
 * @param reference the full reference, e.g. {@code python:pricing:quote}
 * @param kind {@code async}, {@code sync}, {@code async_generator}, {@code generator} or {@code
 *     callback}
 * @param signature human-readable parameters, possibly empty
 * @param doc the first line of its documentation, possibly empty
 * @param keywords the names keyword arguments (a workflow's {@code with:}) may use, or null when
 *     any name goes ({@code **kwargs}, a lone destructured JavaScript parameter) or they are not
 *     known
 */
public record CatalogEntry(
    String reference, String kind, String signature, String doc, List<String> keywords) {

  public CatalogEntry {
    keywords = keywords == null ? null : List.copyOf(keywords);
  }

  /** An entry whose keyword names are not known. */
  public CatalogEntry(String reference, String kind, String signature, String doc) {
    this(reference, kind, signature, doc, null);
  }
}
