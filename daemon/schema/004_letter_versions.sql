-- Migration 4: letters that hold together (issue #13; PRODUCT.md, "A letter an official can
-- sign as it is").
--
-- The letter's dates, wording and form are decided once, by core/dossier.c, in the pass that
-- queues the letter, and kept with it: the renderer and any later re-draft print exactly what
-- was decided, whatever the clock says when they run. Rows queued before this migration have
-- NULLs here and are rendered as before (dated on the day they were queued).
ALTER TABLE dunghen.letter_log
  ADD COLUMN issued_on date,              -- the date under the motto: always a working day
  ADD COLUMN promised_at timestamptz,     -- the promised time the letter cites
  ADD COLUMN form smallint CHECK (form IN (2018, 2025)),
  ADD COLUMN wording text CHECK (wording IN ('before_deadline', 'after_deadline')),
  -- A letter drafted without a delay reason is re-drafted, under the same number, when the
  -- reason reaches the source (or changes): `version` counts the drafts, and `reason_md5` is
  -- the md5 of the trimmed reason the current draft printed ('' hashed when it had none).
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  ADD COLUMN reason_md5 text,
  ADD COLUMN reason_missing boolean;

-- Every earlier draft, kept for the record: its file stays in the spool under its own name.
CREATE TABLE dunghen.letter_version (
  letter_id bigint NOT NULL REFERENCES dunghen.letter_log (id),
  version integer NOT NULL,
  dossier_code text NOT NULL,
  path text,
  sha256 text,
  bytes bigint,
  reason_md5 text,
  reason_missing boolean,
  rendered_at timestamptz,
  superseded_at timestamptz NOT NULL,
  PRIMARY KEY (letter_id, version)
);

-- A re-draft is announced like a new letter, on its own channel (payload: the number of letters
-- re-queued by the statement), and mailed like one when mail is on: the recipients get the new
-- version once it is rendered.
CREATE FUNCTION dunghen.announce_redraft() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added bigint;
BEGIN
  SELECT count(*) INTO added FROM new_rows;
  IF added > 0 THEN
    PERFORM pg_notify('dunghen_letter_redraft', added::text);
    IF (SELECT enabled FROM dunghen.mail_switch) THEN
      INSERT INTO dunghen.outbox (kind, escalation_id, letter_id, dossier_code, agency_code,
                                  level, roles, created_at)
        SELECT 'letter', e.id, l.id, l.dossier_code, l.agency_code, e.level, e.recipients,
          n.superseded_at
        FROM new_rows n JOIN dunghen.letter_log l ON l.id = n.letter_id
        JOIN dunghen.escalation_log e ON e.id = l.escalation_id
        WHERE cardinality(e.recipients) > 0;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER letter_version_announce AFTER INSERT ON dunghen.letter_version
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION dunghen.announce_redraft();
