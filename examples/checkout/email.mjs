// The checkout's Node side: order e-mails through a (simulated) mail service.
import { setTimeout as sleep } from 'node:timers/promises';
import { withContext } from '@braid/worker';

/** Sends `subject` to `to`; resolves with the provider's message id. */
export const sendEmail = withContext(async function sendEmail(ctx, to, subject) {
  // The signal aborts the wait on cancel or deadline, so a stuck provider never holds a run.
  await sleep(25, undefined, { signal: ctx.signal });
  return { to, subject, messageId: `msg-${subject.length}-${to.length}` };
});
