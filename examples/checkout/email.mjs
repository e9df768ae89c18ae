// The checkout's Node side: order e-mails through a (simulated) mail service.
import { setTimeout as sleep } from 'node:timers/promises';

/** Sends `subject` to `to`; resolves with the provider's message id. */
export async function sendEmail(to, subject, ctx) {
  // The signal aborts the wait on cancel or deadline, so a stuck provider never holds a run.
  await sleep(25, undefined, { signal: ctx.signal });
  return { to, subject, messageId: `msg-${subject.length}-${to.length}` };
}
