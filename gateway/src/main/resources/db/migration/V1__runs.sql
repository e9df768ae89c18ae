-- The run store's first schema (docs/durability.md). One set for SQLite and PostgreSQL: plain
-- types both understand; JSON is kept as text; instants are epoch milliseconds.

-- Workflow definitions, content-addressed: a recovered run replays exactly the text it started with.
CREATE TABLE definition (
  sha VARCHAR(64) PRIMARY KEY,
  text TEXT NOT NULL
);

-- One row per run. owner + owner_epoch fence every write: a claim bumps the epoch, and a write
-- of an older epoch updates no row. events and bytes are the run's budget counters.
CREATE TABLE run (
  run_id VARCHAR(64) PRIMARY KEY,
  workflow TEXT NOT NULL,
  definition_sha VARCHAR(64) NOT NULL,
  input TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  owner TEXT,
  owner_epoch BIGINT NOT NULL,
  created BIGINT NOT NULL,
  deadline BIGINT,
  finished BIGINT,
  result TEXT,
  failure TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  events BIGINT NOT NULL DEFAULT 0
);

-- A step instance by its stable path: the last attempt started (write-ahead of the call) and,
-- once settled, its outcome. seq_no keeps the order steps were first recorded in.
CREATE TABLE step_result (
  run_id VARCHAR(64) NOT NULL,
  step_path TEXT NOT NULL,
  seq_no BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  outcome TEXT,
  recorded_at BIGINT,
  PRIMARY KEY (run_id, step_path)
);

-- The run's event stream, numbered from 0.
CREATE TABLE run_event (
  run_id VARCHAR(64) NOT NULL,
  seq BIGINT NOT NULL,
  type VARCHAR(32) NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- Signals, journaled before delivery; consumed_by_path is set with the outcome of the signal
-- step that took it, so a signal is delivered once.
CREATE TABLE signal (
  run_id VARCHAR(64) NOT NULL,
  id BIGINT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  consumed_by_path TEXT,
  PRIMARY KEY (run_id, id)
);

-- Absolute instants the engine chose (wake-ups, retry instants, the deadline), by key.
CREATE TABLE run_instant (
  run_id VARCHAR(64) NOT NULL,
  name TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (run_id, name)
);
