-- Migration 12: signed letters taken back (issue 20; docs/LETTERS.md, "Signing").
--
-- A letter carries an empty signature field; the head signs it outside dunghen (the Government
-- CA's plugin and a USB token) and `dunghen letters take-signed` takes the signed file back.
-- The file is checked first (letter/signed_pdf.h): it starts with exactly the bytes issued for
-- the letter's current version, as an incremental update, and every signature verifies. It is
-- then kept here, one row per (letter, version), beside the issued bytes of letter_pdf, which
-- it starts with, and the letter moves from 'rendered' to 'signed'.
-- - A signed letter is final: the pass re-drafts only 'rendered' letters (a delay reason that
--   arrives later no longer changes a letter the head has signed), and mail for it attaches the
--   signed file.
-- - letter_log.sha256 and bytes stay those of the issued draft: the record of what dunghen
--   wrote; the signed file's are here.
-- - trust: 'verified' when the signer's certificate chained to the operator's CA bundle
--   (letters.ca_bundle in the config), 'integrity-only' when no bundle was configured.
ALTER TABLE dunghen.letter_log DROP CONSTRAINT letter_log_state_check;
ALTER TABLE dunghen.letter_log ADD CONSTRAINT letter_log_state_check
  CHECK (state IN ('pending', 'rendered', 'failed', 'signed'));
ALTER TABLE dunghen.letter_log DROP CONSTRAINT letter_log_check;
ALTER TABLE dunghen.letter_log ADD CONSTRAINT letter_log_check
  CHECK (state NOT IN ('rendered', 'signed')
         OR (path IS NOT NULL AND sha256 IS NOT NULL AND bytes IS NOT NULL));

CREATE TABLE dunghen.letter_signed (
  letter_id bigint NOT NULL,
  version integer NOT NULL,
  sha256 text NOT NULL,          -- of the signed file
  bytes bigint NOT NULL,
  pdf bytea NOT NULL,
  issued_sha256 text NOT NULL,   -- of the issued draft the file starts with (its first bytes)
  issued_bytes bigint NOT NULL,
  signature_count integer NOT NULL CHECK (signature_count > 0),
  signer_subject text NOT NULL,  -- the first signature's certificate subject (RFC 2253)
  signed_at timestamptz,         -- its signed signingTime; NULL when it carries none
  trust text NOT NULL CHECK (trust IN ('verified', 'integrity-only')),
  taken_at timestamptz NOT NULL,
  PRIMARY KEY (letter_id, version),
  FOREIGN KEY (letter_id, version) REFERENCES dunghen.letter_pdf (letter_id, version),
  CHECK (encode(sha256(pdf), 'hex') = sha256),
  CHECK (octet_length(pdf) = bytes AND bytes > issued_bytes),
  CHECK (encode(sha256(substring(pdf FROM 1 FOR issued_bytes::integer)), 'hex') = issued_sha256)
);
ALTER TABLE dunghen.letter_signed ALTER COLUMN pdf SET STORAGE EXTERNAL;

-- A letter marked signed has its signed file for its current version, started by the issued
-- bytes recorded in its row (checked at commit, like letter_has_pdf).
CREATE FUNCTION dunghen.letter_has_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'signed' AND NOT EXISTS (
      SELECT 1 FROM dunghen.letter_signed s
      WHERE s.letter_id = NEW.id AND s.version = NEW.version
        AND s.issued_sha256 = NEW.sha256 AND s.issued_bytes = NEW.bytes) THEN
    RAISE EXCEPTION 'letter % version % is signed without its signed PDF in dunghen.letter_signed',
      NEW.id, NEW.version USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER letter_log_has_signed AFTER INSERT OR UPDATE OF state, version, sha256
  ON dunghen.letter_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.state = 'signed')
  EXECUTE FUNCTION dunghen.letter_has_signed();
