package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.api.BraidConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exposure rules, from the file system alone: no worker involved. */
class ExposurePolicyTest {
  @TempDir Path tmp;
  Path root;
  Path outside;
  ExposurePolicy policy;

  @BeforeEach
  void roots() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createDirectories(root.resolve("pkg/sub"));
    Files.writeString(root.resolve("pricing.py"), "def quote(): pass\n");
    Files.writeString(root.resolve("pkg/__init__.py"), "");
    Files.writeString(root.resolve("pkg/sub/__init__.py"), "");
    Files.writeString(root.resolve("pkg/sub/mod.py"), "def f(): pass\n");
    Files.writeString(outside.resolve("secret.py"), "def f(): pass\n");
    Files.writeString(outside.resolve("secret.mjs"), "export const f = () => 1;\n");
    Files.createSymbolicLink(root.resolve("linked.py"), outside.resolve("secret.py"));
    Files.createSymbolicLink(root.resolve("linked.mjs"), outside.resolve("secret.mjs"));
    Files.createSymbolicLink(root.resolve("linkdir"), outside);
    // a virtualenv inside a root: its site-packages must not become exposed
    Path site =
        Files.createDirectories(root.resolve(".venv/lib/python3.12/site-packages/requests"));
    Files.writeString(site.resolve("__init__.py"), "def get(): pass\n");
    Files.createDirectories(root.resolve("lib"));
    Files.writeString(root.resolve("lib/quote.mjs"), "export const quote = () => 1;\n");
    Files.writeString(root.resolve("old.cjs"), "exports.f = () => 1;\n");
    Files.createDirectories(root.resolve("com/acme"));
    Files.writeString(root.resolve("com/acme/Prices.java"), "package com.acme; class Prices {}\n");
    policy = ExposurePolicy.of(config());
  }

  private BraidConfig config() {
    return BraidConfig.builder()
        .workingDirectory(outside)
        .addPythonPath(root)
        .addNodePath(root)
        .addJavaClasspath(root)
        .build();
  }

  private String refusal(String ref) {
    return policy.refusal(ref).orElse(null);
  }

  @ParameterizedTest
  @CsvSource({
    "python:pricing:quote",
    "python:pkg.sub.mod:f",
    "python:pricing:Quoter.quote",
    "node:lib/quote.mjs#quote",
    "node:./lib/../lib/quote.mjs#quote",
    "node:old.cjs#f",
    "java:com.acme.Prices#quote",
    "java:com.acme.Prices$Inner#quote",
  })
  void functionsUnderTheRootsAreExposed(String ref) {
    assertThat(refusal(ref)).isNull();
  }

  @Test
  void anAbsolutePathInsideARootIsExposed() {
    assertThat(refusal("node:" + root.resolve("lib/quote.mjs") + "#quote")).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "python:os:system | os is not a module file under the Python roots",
        "python:subprocess:getoutput | resolves to the standard library, site-packages or nothing",
        "python:builtins:eval | builtins is not a module file",
        "python:requests:get | requests is not a module file",
        "python:secret:f | secret is not a module file",
        "python:linked:f | leads outside every root",
        "python:linkdir.secret:f | leads outside every root",
        "python:pricing:_private | starts with '_'",
        "python:pricing:quote.__globals__ | starts with '_'",
        "python:pricing:__builtins__.eval | starts with '_'",
        "python:Pricing:quote | Pricing is not a module file",
        "node:node:child_process#execSync | Node built-in",
        "node:child_process#execSync | not a .mjs/.cjs/.js/.ts file",
        "node:fs#readFileSync | not a .mjs/.cjs/.js/.ts file",
        "node:../outside/secret.mjs#f | outside every Node root",
        "node:lib/../../outside/secret.mjs#f | outside every Node root",
        "node:linked.mjs#f | outside every Node root",
        "node:linkdir/secret.mjs#f | outside every Node root",
        "node:lib/quote.mjs#quote.constructor | object machinery",
        "node:lib/quote.mjs#__proto__ | object machinery",
        "node:data:text/javascript,export const f=1;#f | URL",
        "java:java.lang.System#exit | JDK or to Braid itself",
        "java:java.lang.Runtime#halt | JDK or to Braid itself",
        "java:dev.braid.api.Braid#start | JDK or to Braid itself",
        "java:com.fasterxml.jackson.databind.ObjectMapper#readTree | gateway's own classpath",
        "java:com.acme.Missing#f | not a class of the Java classpath roots",
      })
  void refusedWithTheRuleNamed(String ref, String rule) {
    assertThat(refusal(ref)).isNotNull().contains("outside the exposed roots").contains(rule);
  }

  @Test
  void absoluteAndFileUrlPathsOutsideTheRootsAreRefused() {
    assertThat(refusal("node:" + outside.resolve("secret.mjs") + "#f"))
        .contains("outside every Node root");
    assertThat(refusal("node:file://" + root.resolve("lib/quote.mjs") + "#quote")).contains("URL");
  }

  @Test
  void aNulCharacterIsRefused() {
    assertThat(refusal("node:lib/quote.mjs\0.txt#quote")).contains("NUL");
    assertThat(refusal("python:pricing:quote\0")).contains("NUL");
  }

  @Test
  void theWorkingDirectoryIsNotARoot() throws IOException {
    // the config's working directory is 'outside': it holds secret.py, which stays refused
    assertThat(refusal("python:secret:f")).isNotNull();
    assertThat(refusal("node:secret.mjs#f")).isNotNull();
  }

  @Test
  void explicitPreloadsAreExposedEvenOutsideTheRoots() {
    ExposurePolicy p = ExposurePolicy.of(config(), List.of("python:json"), null);
    assertThat(p.refusal("python:json:dumps")).isEmpty();
    assertThat(p.refusal("python:os:system")).isPresent();
  }

  @Test
  void anExposeFileNarrowsTheRoots() throws IOException {
    Path file = tmp.resolve("expose.txt");
    Files.writeString(
        file, "# only quotes\npython:pricing:*\n\nnode:lib/*.mjs#quote\njava:com.acme.**\n");
    ExposurePolicy p = ExposurePolicy.of(config(), List.of(), ExposurePolicy.readPatterns(file));
    assertThat(p.refusal("python:pricing:quote")).isEmpty();
    assertThat(p.refusal("node:lib/quote.mjs#quote")).isEmpty();
    assertThat(p.refusal("node:./lib/quote.mjs#quote")).isEmpty(); // matched in canonical form
    assertThat(p.refusal("java:com.acme.Prices#quote")).isEmpty();
    assertThat(p.refusal("python:pkg.sub.mod:f").orElseThrow())
        .contains("matches no pattern of the server's expose file");
    // a pattern never widens the roots
    ExposurePolicy all = ExposurePolicy.of(config(), List.of(), List.of("**"));
    assertThat(all.refusal("python:os:system")).isPresent();
  }

  @Test
  void anExposeFileWithoutPatternsOrWithABadOneIsRejected() throws IOException {
    Path empty = Files.writeString(tmp.resolve("empty.txt"), "# nothing\n");
    assertThatThrownBy(() -> ExposurePolicy.readPatterns(empty)).hasMessageContaining("no pattern");
    Path bad = Files.writeString(tmp.resolve("bad.txt"), "pricing:*\n");
    assertThatThrownBy(() -> ExposurePolicy.readPatterns(bad)).hasMessageContaining("bad.txt:1");
  }

  @Test
  void anOverlongReferenceIsRefusedUnread() {
    assertThat(refusal("python:pricing:" + "a".repeat(5000))).contains("longer than");
  }
}
