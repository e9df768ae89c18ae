-- Several gateways on one PostgreSQL store (docs/durability.md, "Several gateways"). One row per
-- gateway: its lease (expires_at, on the database's clock) is renewed by one UPDATE every few
-- seconds; epoch goes up each time the gateway joins or is fenced, and fenced_at is set when
-- another gateway found its lease expired (or it left), in the same transaction that released its
-- runs. SQLite stores get the table too (one schema) but never use it: one gateway holds them.
CREATE TABLE gateway (
  gateway_id VARCHAR(128) PRIMARY KEY,
  epoch BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  joined BIGINT NOT NULL,
  fenced_at BIGINT
);

-- A gateway's runs (fencing releases them; forwarded cancels and signals look them up); the
-- released runs waiting for a gateway to claim them.
CREATE INDEX run_by_owner ON run (owner, status);
