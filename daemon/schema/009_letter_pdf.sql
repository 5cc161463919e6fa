-- Migration 9: the letters' PDF bytes kept in the database (issue 18; docs/LETTERS.md,
-- docs/BACKUP.md). The database is the record of every letter and every earlier draft; the
-- spool becomes an export that `dunghen letters export` rebuilds on any host.
--
-- One row per draft, keyed by (letter, version), in a table of its own rather than a bytea
-- column of letter_log and letter_version:
-- - letter_log is the table the pass and the workers scan, claim (FOR UPDATE) and update
--   (state, version, re-draft). A PDF of 40-100 KB would be TOASTed out of line anyway, but
--   every new row version of letter_log would still carry its pointer, and a re-draft, which
--   copies the current draft into letter_version, would copy the bytes with it (TOAST values
--   are not shared between tables). Here a re-draft writes no bytes at all: the earlier
--   version's row simply stays, and the new version gets its own row when it is rendered.
-- - letter_log and letter_version keep their narrow rows, so the pass's queries and a
--   `SELECT * FROM dunghen.letter_log` read no PDF.
-- The sha256 stays where it was (letter_log.sha256, letter_version.sha256); the copy here is
-- checked against the bytes by the CHECK, and against the letter's row by the trigger below.
CREATE TABLE dunghen.letter_pdf (
  letter_id bigint NOT NULL REFERENCES dunghen.letter_log (id),
  version integer NOT NULL CHECK (version > 0),
  sha256 text NOT NULL,
  pdf bytea NOT NULL,
  stored_at timestamptz NOT NULL,
  PRIMARY KEY (letter_id, version),
  CHECK (encode(sha256(pdf), 'hex') = sha256)
);
-- A PDF is already compressed: storing it EXTERNAL skips a useless second compression.
ALTER TABLE dunghen.letter_pdf ALTER COLUMN pdf SET STORAGE EXTERNAL;

-- A letter marked rendered from now on has its bytes, with the sha256 and size recorded in its
-- row, in the same transaction (checked at commit, so the order of the two statements does not
-- matter). Rows rendered before this migration are not touched by it: `dunghen letters import
-- --spool DIR` gives them their bytes from the old spool.
CREATE FUNCTION dunghen.letter_has_pdf() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'rendered' AND NOT EXISTS (
      SELECT 1 FROM dunghen.letter_pdf p
      WHERE p.letter_id = NEW.id AND p.version = NEW.version AND p.sha256 = NEW.sha256
        AND octet_length(p.pdf) = NEW.bytes) THEN
    RAISE EXCEPTION 'letter % version % is rendered without its PDF in dunghen.letter_pdf',
      NEW.id, NEW.version USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER letter_log_has_pdf AFTER INSERT OR UPDATE OF state, version, sha256
  ON dunghen.letter_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.state = 'rendered')
  EXECUTE FUNCTION dunghen.letter_has_pdf();
