// The worker-protocol case table (proto/braid/worker/v1/conformance/), one test per case file.
// The Python and Java suites run the same files; helpers/case-table.mjs is this worker's runner.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CASES, CaseRunner, caseNames, loadCase, reference } from './helpers/case-table.mjs';
import { FIXTURES, shortTmp } from './helpers/gateway.mjs';

describe('worker protocol case table', () => {
  test('the table is found and every case file is run', () => {
    const files = readdirSync(CASES).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 25, CASES);
    assert.deepEqual(caseNames(), files.map((f) => f.slice(0, -5)).sort());
  });

  test('every case names only fixtures conformance.mjs exports', () => {
    const source = readFileSync(`${FIXTURES}conformance.mjs`, 'utf8');
    for (const name of caseNames()) {
      for (const fixture of loadCase(name).fixtures) {
        const exported = reference(fixture).split('#')[1];
        assert.match(
          source,
          new RegExp(`export ((async )?function\\*? ?${exported}\\(|const ${exported} = withContext\\()`),
          `${name}: ${fixture}`,
        );
      }
    }
  });

  for (const name of caseNames()) {
    test(name, { timeout: 60_000 }, async () => {
      const tmp = shortTmp();
      try {
        await new CaseRunner(loadCase(name), tmp).run();
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
