-- braid serve's schedules: the last slot fired per workflow of the --workflows folder, so that
-- across restarts no slot is fired twice (a slot is recorded in the transaction that creates its
-- run, whose id is derived from the workflow and the slot) and a missed one is noticed.
CREATE TABLE schedule_slot (
  workflow TEXT PRIMARY KEY,
  last_slot BIGINT NOT NULL,
  last_run_id TEXT
);
