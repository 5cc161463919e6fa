-- Migration 3: e-mail delivery (issue #9; docs/MAIL.md).
--
-- The outbox is written by statement triggers in the transaction that inserts the escalation or
-- the letter, so an event and its mail commit or roll back together; one INSERT ... SELECT per
-- statement keeps a pass that raises 335k escalations cheap. The sender (service/mail_worker.c)
-- expands each outbox row into one delivery per recipient address (the addresses live in
-- rules/agencies.yaml, which the database does not know), then sends the deliveries one by one,
-- each claimed with FOR UPDATE SKIP LOCKED so two daemons never send the same one.

-- One row: whether the outbox takes rows. Every daemon sets it at start from its config
-- (mail.enabled), so a deployment without mail does not pile up rows that nobody sends; events
-- raised while it is off are never mailed later (no flood of old news when mail is turned on).
CREATE TABLE dunghen.mail_switch (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  enabled boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO dunghen.mail_switch DEFAULT VALUES;

-- One row per event to mail: a notify escalation, or a letter (whose message waits for the PDF).
CREATE TABLE dunghen.outbox (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('escalation', 'letter')),
  escalation_id bigint NOT NULL,
  letter_id bigint,
  dossier_code text NOT NULL,
  agency_code text,
  level text NOT NULL,
  roles text[] NOT NULL,
  created_at timestamptz NOT NULL,
  expanded_at timestamptz, -- NULL until the sender wrote its deliveries
  CHECK ((kind = 'letter') = (letter_id IS NOT NULL))
);
CREATE INDEX outbox_new ON dunghen.outbox (id) WHERE expanded_at IS NULL;

-- One row per message and recipient address (the delivery log of ARCHITECTURE's contract).
--   state: pending (to send at next_attempt_at), held (waits for the digest of its recipient),
--   digested (went out inside the digest `digest_id`), sent, failed (gave up: see last_error),
--   skipped (nothing to send, e.g. the letter could not be rendered).
CREATE TABLE dunghen.delivery_log (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL UNIQUE,
  outbox_id bigint REFERENCES dunghen.outbox (id),
  kind text NOT NULL CHECK (kind IN ('escalation', 'letter', 'digest')),
  dossier_code text,          -- NULL for a digest (its items name theirs)
  agency_code text,
  level text NOT NULL,
  role text NOT NULL,
  address text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'held', 'digested', 'sent', 'failed',
    'skipped')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  digest_id bigint,           -- for a 'digested' item: the digest delivery that carried it
  UNIQUE (outbox_id, address)
);
CREATE INDEX delivery_log_due ON dunghen.delivery_log (next_attempt_at, id)
  WHERE state = 'pending';
CREATE INDEX delivery_log_held ON dunghen.delivery_log (address, created_at)
  WHERE state = 'held';

CREATE FUNCTION dunghen.outbox_escalations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT enabled FROM dunghen.mail_switch) THEN
    INSERT INTO dunghen.outbox (kind, escalation_id, dossier_code, agency_code, level, roles,
                                created_at)
      SELECT 'escalation', id, dossier_code, agency_code, level, recipients, raised_at
      FROM new_rows WHERE action = 'notify' AND cardinality(recipients) > 0;
  END IF;
  RETURN NULL;
END
$$;

-- A letter's message goes to the roles of the escalation that queued it.
CREATE FUNCTION dunghen.outbox_letters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT enabled FROM dunghen.mail_switch) THEN
    INSERT INTO dunghen.outbox (kind, escalation_id, letter_id, dossier_code, agency_code, level,
                                roles, created_at)
      SELECT 'letter', e.id, n.id, n.dossier_code, n.agency_code, e.level, e.recipients,
        n.created_at
      FROM new_rows n JOIN dunghen.escalation_log e ON e.id = n.escalation_id
      WHERE cardinality(e.recipients) > 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER escalation_log_outbox AFTER INSERT ON dunghen.escalation_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION dunghen.outbox_escalations();
CREATE TRIGGER letter_log_outbox AFTER INSERT ON dunghen.letter_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION dunghen.outbox_letters();
