package dev.braid.gateway.sandbox;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helpers: a shared sandbox, running a script and waiting, recording output. */
final class Sandboxes {
  static final ObjectMapper JSON = new ObjectMapper();

  private Sandboxes() {}

  /** Skips the test when bwrap is missing (CI installs it, so there they run). */
  static void assumeBwrap() {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/bwrap")) || onPath("bwrap"),
        "bubblewrap is not installed (apt-get install bubblewrap)");
  }

  static Sandbox create(int poolSize) {
    assumeBwrap();
    return Sandbox.create(SandboxConfig.builder().poolSize(poolSize).build());
  }

  static ExecResult run(Sandbox s, Script script) {
    return run(s, script, Limits.DEFAULTS, OutputListener.NONE);
  }

  static ExecResult run(Sandbox s, Script script, Limits limits) {
    return run(s, script, limits, OutputListener.NONE);
  }

  static ExecResult run(Sandbox s, Script script, Limits limits, OutputListener l) {
    try {
      return s.execute(script, limits, l).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static ExecResult py(Sandbox s, String code) {
    return run(s, Script.python(code));
  }

  static ExecResult js(Sandbox s, String code) {
    return run(s, Script.js(code));
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Records every chunk in arrival order, per stream. */
  static final class Recorder implements OutputListener {
    final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    final List<String> stderr = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onOutput(Stream stream, String text) {
      (stream == Stream.STDOUT ? stdout : stderr).add(text);
    }

    String out() {
      return String.join("", stdout);
    }

    String err() {
      return String.join("", stderr);
    }
  }

  private static boolean onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return true;
      }
    }
    return false;
  }
}
