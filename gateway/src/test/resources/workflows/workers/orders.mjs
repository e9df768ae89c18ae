// Functions for the `braid check` tests: looked up in the Node worker's catalog.
export async function getOrders(userId) {
  return [{ id: 1, userId }];
}
