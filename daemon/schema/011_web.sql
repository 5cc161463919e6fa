-- Migration 11: `dunghen web`'s sessions, failed sign-ins and audit trail (issue 19;
-- docs/WEB.md). The web view reads dunghen's tables and the adapter's views and writes only
-- these three, under its own role (contrib/web-role.sql): its sessions live here rather than
-- in a process so that several web processes behind one proxy share them, and a sign-out or an
-- expiry holds for all of them.

-- One row per signed-in browser. The cookie carries a random token of 32 bytes; only its
-- sha256 is kept, so a copy of this table (a backup, a replica) signs nobody in. A session
-- ends at expires_at (the web process's clock, which tests may set) or when its row is deleted
-- (sign-out).
CREATE TABLE dunghen.web_session (
  token_sha256 text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  user_name text NOT NULL,
  address text NOT NULL,           -- where the sign-in came from (the peer, or the proxy)
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CHECK (expires_at > created_at)
);
CREATE INDEX web_session_expires ON dunghen.web_session (expires_at);
CREATE INDEX web_session_user ON dunghen.web_session (user_name);

-- Failed sign-ins, counted per user name (whether or not it exists, so a lockout says nothing
-- about which names do) within the configured window. Rows older than the window are deleted
-- by the next sign-in.
CREATE TABLE dunghen.web_signin_failure (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_name text NOT NULL,
  address text NOT NULL,
  failed_at timestamptz NOT NULL
);
CREATE INDEX web_signin_failure_user ON dunghen.web_signin_failure (user_name, failed_at);
CREATE INDEX web_signin_failure_at ON dunghen.web_signin_failure (failed_at);

-- Who saw which personal data: one row per dossier page shown and per letter downloaded,
-- written before the page's body is sent (a page whose row cannot be written is not shown).
-- No foreign keys: the record outlives the letters and dossiers that retention deletes.
CREATE TABLE dunghen.web_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  viewed_at timestamptz NOT NULL,
  user_name text NOT NULL,
  agency_code text,                -- the viewer's agency; NULL: the provincial office
  dossier_code text,
  letter_id bigint,
  letter_version integer,
  address text NOT NULL,
  CHECK (dossier_code IS NOT NULL OR letter_id IS NOT NULL),
  CHECK ((letter_id IS NULL) = (letter_version IS NULL))
);
CREATE INDEX web_audit_dossier ON dunghen.web_audit (dossier_code, viewed_at);
CREATE INDEX web_audit_user ON dunghen.web_audit (user_name, viewed_at);
