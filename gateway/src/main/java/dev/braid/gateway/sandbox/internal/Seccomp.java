package dev.braid.gateway.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The optional seccomp filter. It is generated once per {@code Sandbox} by {@code seccomp.py}
 * (libseccomp through ctypes, run by the host's trusted Python), and handed to bwrap as fd 3. When
 * libseccomp or Python is missing the sandbox runs without it and says so in every result's
 * details; namespaces, the dropped capabilities and {@code --disable-userns} still apply.
 */
final class Seccomp {
  /** The BPF file (null when off) and a note for the results' details. */
  record Filter(Path file, String note) {}

  private Seccomp() {}

  static Filter off() {
    return new Filter(null, "off");
  }

  static Filter generate(Host host, Path runnerDir) {
    Host.Interpreter py = host.python;
    if (!py.usable()) {
      return new Filter(null, "off (no host python3 to generate it)");
    }
    Path out = runnerDir.resolve("seccomp.bpf");
    try {
      Process p =
          new ProcessBuilder(
                  py.executable().toString(),
                  "-I",
                  "-S",
                  "-B",
                  runnerDir.resolve("seccomp.py").toString(),
                  out.toString())
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Filter(null, "off (generator timed out)");
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
        String last = msg.isEmpty() ? "" : msg.substring(msg.lastIndexOf('\n') + 1);
        return new Filter(null, "off (libseccomp unavailable: " + last + ")");
      }
      return new Filter(
          out,
          "libseccomp denylist (namespaces, mount, ptrace, bpf, keyring, ...; sockets: unix and"
              + " IP only)");
    } catch (IOException e) {
      return new Filter(null, "off (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Filter(null, "off (interrupted)");
    }
  }
}
