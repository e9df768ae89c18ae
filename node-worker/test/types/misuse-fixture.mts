// Must NOT compile (test/types.test.mjs): withContext's function takes the context first.
import { withContext } from '@braid/worker';

export const wrong = withContext((sku: string) => sku);
