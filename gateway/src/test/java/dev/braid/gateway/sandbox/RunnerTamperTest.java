package dev.braid.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A script shares its runner's process and may patch anything the standard library shares: the
 * runner must still answer for it, and whatever the script does earns it its own verdict, never
 * INTERNAL (which says the sandbox failed).
 */
@Timeout(60)
class RunnerTamperTest {
  private static Sandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = Sandboxes.create(2);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static final String PY_MAIN =
      "\ndef main(x):\n    return {'n': [1, 2.5, 'x'], 'in': x}\n";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "import json\njson.dumps = lambda *a, **k: 'not json at all'",
        "import json, json.encoder\n"
            + "def boom(*a, **k):\n    raise RuntimeError('patched')\n"
            + "json.JSONEncoder.encode = boom\njson.JSONEncoder.iterencode = boom\n"
            + "json.encoder.c_make_encoder = None\n"
            + "json.encoder.encode_basestring_ascii = lambda s: '\"pwned\"'",
        "import os\n"
            + "def boom(*a, **k):\n    raise OSError('patched')\n"
            + "os.write = os.close = os.open = os._exit = boom",
        "import builtins, sys\n"
            + "class Broken:\n"
            + "    def write(self, s):\n        raise OSError('patched')\n"
            + "    def flush(self):\n        raise OSError('patched')\n"
            + "sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = Broken()\n"
            + "builtins.print = None",
        "import builtins\n"
            + "builtins.callable = lambda o: False\n"
            + "builtins.hasattr = lambda *a: True\n"
            + "builtins.getattr = lambda *a: None\n"
            + "builtins.isinstance = lambda *a: True\n"
            + "builtins.str = builtins.len = builtins.max = None",
      })
  void pythonPatchingTheStandardLibraryStillGetsItsResult(String patch) {
    ExecResult r = Sandboxes.run(sandbox, Script.python(patch + PY_MAIN).withInput(json("7")));
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result()).isEqualTo(json("{\"n\":[1,2.5,\"x\"],\"in\":7}"));
  }

  @Test
  void pythonAnErrorRaisedWithTracebackBrokenIsStillTheScriptsOwn() {
    String code =
        "import traceback, linecache\n"
            + "traceback.format_exception = None\n"
            + "linecache.cache = None\n"
            + "def main(x):\n"
            + "    raise ValueError('mine')\n";
    ExecResult r = Sandboxes.py(sandbox, code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("ValueError");
    assertThat(r.error().message()).isEqualTo("mine");
  }

  @Test
  void pythonAValueThatIsNotJsonIsARuntimeErrorEvenWithJsonPatched() {
    String code =
        "import json\n"
            + "json.dumps = lambda *a, **k: 'null'\n"
            + "def main(x):\n"
            + "    return {1, 2}\n";
    ExecResult r = Sandboxes.py(sandbox, code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("TypeError");
    assertThat(r.error().message()).contains("not JSON").contains("set");
  }

  @Test
  void pythonWritingGarbageToTheChannelIsTheScriptsRuntimeError() {
    ExecResult r =
        Sandboxes.py(
            sandbox,
            "def main(x):\n"
                + "    with open('/run/braid/result', 'w') as f:\n"
                + "        f.write('garbage\\n')\n"
                + "    return 1\n");
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("ProtocolError");
  }

  private static final String JS_MAIN =
      "\nexport function main(x) { return { n: [1, 2.5, 'x'], in: x }; }\n";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "JSON.stringify = () => 'not json at all';",
        "Buffer.from = () => { throw new Error('patched'); };\n"
            + "TextEncoder.prototype.encode = () => { throw new Error('patched'); };",
        "import { createRequire, syncBuiltinESMExports } from 'node:module';\n"
            + "const fs = createRequire(import.meta.url)('node:fs');\n"
            + "fs.writeSync = fs.closeSync = fs.openSync = () => { throw new Error('patched'); };\n"
            + "syncBuiltinESMExports();",
        "Object.defineProperty(Object.prototype, 'usage', {\n"
            + "  set() { throw new Error('patched'); }, configurable: true });",
        "globalThis.String = () => { throw new Error('patched'); };\n"
            + "Math.round = () => { throw new Error('patched'); };\n"
            + "process.resourceUsage = () => { throw new Error('patched'); };\n"
            + "Array.prototype[Symbol.iterator] = function* () {};\n"
            + "process.exit = () => {};\n"
            + "process.stdout.write = process.stderr.write = () => { throw new Error('x'); };",
      })
  void jsPatchingTheStandardLibraryStillGetsItsResult(String patch) {
    ExecResult r = Sandboxes.run(sandbox, Script.js(patch + JS_MAIN).withInput(json("7")));
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result()).isEqualTo(json("{\"n\":[1,2.5,\"x\"],\"in\":7}"));
  }

  @Test
  void jsAToJsonOnObjectPrototypeChangesOnlyTheScriptsOwnValue() {
    String code =
        "Object.prototype.toJSON = function () { return 'hijacked'; };\n"
            + "export function main() { return 42; }\n";
    ExecResult r = Sandboxes.js(sandbox, code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().asInt()).isEqualTo(42);
  }

  @Test
  void jsAnErrorThrownWithErrorReplacedIsStillTheScriptsOwn() {
    String code =
        "const T = TypeError;\n"
            + "globalThis.Error = function Fake() {};\n"
            + "export function main() { throw new T('mine'); }\n";
    ExecResult r = Sandboxes.js(sandbox, code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("TypeError");
    assertThat(r.error().message()).isEqualTo("mine");
  }

  @Test
  void jsAValueThatIsNotJsonIsARuntimeErrorEvenWithJsonPatched() {
    String code =
        "JSON.stringify = () => 'null';\n" + "export function main() { return { big: 10n }; }\n";
    ExecResult r = Sandboxes.js(sandbox, code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("TypeError");
    assertThat(r.error().message()).contains("not JSON").contains("BigInt");
  }

  private static JsonNode json(String text) {
    return Sandboxes.json(text);
  }
}
