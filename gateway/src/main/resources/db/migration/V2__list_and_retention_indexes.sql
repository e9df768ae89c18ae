-- braid runs [--status S] lists the newest runs first; retention deletes the oldest finished ones;
-- recovery looks up the unconsumed signals of a run.
CREATE INDEX run_by_status_created ON run (status, created);
CREATE INDEX run_by_created ON run (created);
CREATE INDEX run_by_finished ON run (finished);
CREATE INDEX signal_unconsumed ON signal (run_id, consumed_by_path);
