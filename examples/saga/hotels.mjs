// The saga's Node side: a (simulated) hotel booking service.
import { setTimeout as sleep } from 'node:timers/promises';

/** Books a room for `trip`; the booking id is derived from it, so runs are reproducible. */
export async function bookHotel(trip) {
  await sleep(20);
  return { booking: `HT-${trip}`, nights: 3 };
}

/** Cancels `booking` (a compensation: safe to run again for the same booking). */
export async function cancelHotel(booking) {
  await sleep(10);
  return { cancelled: booking };
}
