-- The reference one-stop schema `onestop` and its adapter views (docs/ADAPTER.md).
--
-- Modelled on the dossier fields of the national public service portal (Cổng Dịch vụ công
-- quốc gia), with Vietnamese column names in ASCII. Tests and `dunghen demo` use it; a real
-- deployment keeps its own tables and writes its own two views instead. Idempotent: running it
-- again keeps the tables and their rows and replaces the functions, triggers and views.
-- Install with `dunghen migrate --db CONNINFO --reference-schema` (after the daemon's schema).

CREATE SCHEMA IF NOT EXISTS onestop;

-- Hồ sơ: one row per dossier.
CREATE TABLE IF NOT EXISTS onestop.ho_so (
  ma_ho_so text PRIMARY KEY,    -- mã hồ sơ
  ma_tthc text,                 -- mã thủ tục hành chính (national procedure code)
  ma_co_quan text,              -- mã cơ quan xử lý (the handling agency, which apologises)
  chu_ho_so text,               -- chủ hồ sơ (applicant)
  so_dinh_danh text,            -- số định danh cá nhân / mã số doanh nghiệp
  dia_chi text,                 -- địa chỉ
  trich_yeu text,               -- trích yếu
  kenh text,                    -- kênh nộp: truc_tiep | truc_tuyen | buu_chinh
  ngay_tiep_nhan timestamptz,   -- ngày tiếp nhận
  ngay_hen_tra timestamptz,     -- ngày hẹn trả (on the receipt slip)
  trang_thai text,              -- trạng thái: dang_xu_ly | cho_bo_sung | tam_dung |
                                --   da_co_ket_qua | da_tra_ket_qua | da_rut | tu_choi
  ngay_hoan_thanh timestamptz,  -- ngày có kết quả
  ly_do_tre_han text,           -- lý do trễ hạn (recorded by the handling official)
  updated_at timestamptz NOT NULL DEFAULT now() -- maintained by the trigger below
);
CREATE INDEX IF NOT EXISTS ho_so_updated_at ON onestop.ho_so (updated_at, ma_ho_so);

-- Tạm dừng: pauses of the clock (waiting for a supplement, or another recorded pause).
CREATE TABLE IF NOT EXISTS onestop.tam_dung (
  id bigserial PRIMARY KEY,
  ma_ho_so text NOT NULL REFERENCES onestop.ho_so (ma_ho_so) ON DELETE CASCADE,
  loai text NOT NULL DEFAULT 'bo_sung', -- bo_sung (chờ bổ sung) | khac
  tu_ngay timestamptz,                  -- từ ngày
  den_ngay timestamptz                  -- đến ngày; NULL while paused
);
CREATE INDEX IF NOT EXISTS tam_dung_ma_ho_so ON onestop.tam_dung (ma_ho_so);

-- updated_at is the sync's watermark: every change of a dossier, or of its pauses, moves it.
CREATE OR REPLACE FUNCTION onestop.touch_ho_so() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS ho_so_touch ON onestop.ho_so;
CREATE TRIGGER ho_so_touch BEFORE INSERT OR UPDATE ON onestop.ho_so
  FOR EACH ROW EXECUTE FUNCTION onestop.touch_ho_so();

CREATE OR REPLACE FUNCTION onestop.touch_ho_so_of_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE onestop.ho_so SET updated_at = now() WHERE ma_ho_so = OLD.ma_ho_so;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE onestop.ho_so SET updated_at = now() WHERE ma_ho_so = NEW.ma_ho_so;
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS tam_dung_touch ON onestop.tam_dung;
CREATE TRIGGER tam_dung_touch AFTER INSERT OR UPDATE OR DELETE ON onestop.tam_dung
  FOR EACH ROW EXECUTE FUNCTION onestop.touch_ho_so_of_pause();

-- Optional: wake the daemon at once (a hint; the daemon re-reads the views). Delivered at
-- commit, one per transaction. Drop it where triggers are not allowed: the daemon then finds
-- changes by polling updated_at.
CREATE OR REPLACE FUNCTION onestop.notify_dunghen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dunghen_dossier', '');
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS ho_so_notify ON onestop.ho_so;
CREATE TRIGGER ho_so_notify AFTER INSERT OR UPDATE OR DELETE ON onestop.ho_so
  FOR EACH STATEMENT EXECUTE FUNCTION onestop.notify_dunghen();

-- The adapter: the two views of the contract, over the reference tables.
CREATE OR REPLACE VIEW dunghen.dossier_source AS
  SELECT h.ma_ho_so AS code,
    h.ma_tthc AS procedure_code,
    h.ma_co_quan AS agency_code,
    h.chu_ho_so AS applicant_name,
    h.so_dinh_danh AS applicant_id,
    h.dia_chi AS applicant_address,
    h.trich_yeu AS summary,
    CASE h.kenh WHEN 'truc_tiep' THEN 'direct' WHEN 'truc_tuyen' THEN 'online'
      WHEN 'buu_chinh' THEN 'postal' ELSE h.kenh END AS channel,
    h.ngay_tiep_nhan AS received_at,
    h.ngay_hen_tra AS appointment_at,
    CASE h.trang_thai WHEN 'dang_xu_ly' THEN 'processing'
      WHEN 'cho_bo_sung' THEN 'waiting_supplement' WHEN 'tam_dung' THEN 'paused'
      WHEN 'da_co_ket_qua' THEN 'finished' WHEN 'da_tra_ket_qua' THEN 'finished'
      WHEN 'da_rut' THEN 'withdrawn' WHEN 'tu_choi' THEN 'rejected'
      ELSE h.trang_thai END AS status,
    h.ngay_hoan_thanh AS finished_at,
    h.ly_do_tre_han AS delay_reason,
    h.updated_at
  FROM onestop.ho_so h;

CREATE OR REPLACE VIEW dunghen.dossier_pause_source AS
  SELECT t.ma_ho_so AS code,
    t.tu_ngay AS paused_at,
    t.den_ngay AS resumed_at,
    CASE t.loai WHEN 'bo_sung' THEN 'supplement' WHEN 'khac' THEN 'other' ELSE t.loai END AS kind
  FROM onestop.tam_dung t;
