// The TypeScript declarations of @braid/worker (src/index.d.ts) compile against their documented
// use (test/types/usage.ts, whose `@ts-expect-error` lines must also fail) and the TypeScript
// example (examples/typescript), with the real `tsc`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

for (const [what, project] of [
  ['the declarations as documented', here('./types')],
  ['examples/typescript', here('../../examples/typescript')],
]) {
  test(`tsc accepts ${what}`, { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', timeout: 110_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
}

test('tsc rejects a misuse of the declarations', { timeout: 120_000 }, () => {
  const r = spawnSync(
    process.execPath,
    [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--types', 'node', here('./types/misuse-fixture.mts')],
    { encoding: 'utf8', timeout: 110_000, cwd: here('./types') },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /misuse-fixture\.mts\(\d+,\d+\): error TS2345/);
});
