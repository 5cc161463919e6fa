/* The letter text policy: NFC, invalid UTF-8, controls, characters outside the font. */
#include <stdlib.h>
#include <string.h>

#include "letter/text.h"
#include "tap.h"

static void check_clean(const char *input, size_t length, const char *expected,
                        struct text_report expected_report, const char *what) {
  struct text_report report = {0};
  char *output = NULL;
  struct error error;
  if (text_clean(input, length, &output, &report, &error) != STATUS_OK) {
    tap_ok(false, "%s: %s", what, error.message);
    return;
  }
  tap_is_string(output, expected, "%s", what);
  tap_ok(report.invalid == expected_report.invalid && report.controls == expected_report.controls &&
             report.unsupported == expected_report.unsupported &&
             report.first_unsupported == expected_report.first_unsupported,
         "%s: report %zu/%zu/%zu/U+%04X", what, report.invalid, report.controls, report.unsupported,
         (unsigned)report.first_unsupported);
  free(output);
}

#define CLEAN(input, expected, invalid, controls, unsupported, first, what)                        \
  check_clean(input, sizeof(input) - 1, expected,                                                  \
              (struct text_report){invalid, controls, unsupported, first}, what)

static void check_sentence(const char *input, const char *expected, const char *what) {
  char *output = NULL;
  struct error error;
  tap_is_integer(text_sentence(input, &output, &error), STATUS_OK, "sentence: %s", what);
  tap_is_string(output, expected, "sentence: %s: '%s'", what, input);
  free(output);
}

static void test_sentence(void) {
  check_sentence("Chờ ý kiến cơ quan phối hợp", "Chờ ý kiến cơ quan phối hợp.",
                 "a full stop added");
  check_sentence("Chờ ý kiến cơ quan phối hợp.", "Chờ ý kiến cơ quan phối hợp.", "one is enough");
  check_sentence("Chờ ý kiến   ", "Chờ ý kiến.", "trailing spaces trimmed first");
  check_sentence("Chờ ý kiến.  ", "Chờ ý kiến.", "trailing spaces after the stop");
  check_sentence("Vì sao chưa có kết quả?", "Vì sao chưa có kết quả?", "a question mark ends it");
  check_sentence("Khẩn!", "Khẩn!", "an exclamation mark ends it");
  check_sentence("Đang chờ…", "Đang chờ…", "an ellipsis character ends it");
  check_sentence("Đang chờ...", "Đang chờ...", "three dots stay three");
  check_sentence("Đang chờ..", "Đang chờ.", "two dots become one");
  check_sentence("Đã có văn bản trả lời./.", "Đã có văn bản trả lời./.", "./. is a final mark");
  check_sentence("Chờ ý kiến;", "Chờ ý kiến.", "a trailing semicolon becomes the stop");
  check_sentence("Chờ ý kiến,", "Chờ ý kiến.", "a trailing comma becomes the stop");
  check_sentence("Chờ ý kiến.,", "Chờ ý kiến.", "never '..' after a comma is replaced");
  check_sentence("Theo Công văn số 12/UBND (ngày 03 tháng 02 năm 2026)",
                 "Theo Công văn số 12/UBND (ngày 03 tháng 02 năm 2026).",
                 "a closing bracket without a stop gets one after it");
  check_sentence("Theo ý kiến “chưa đủ điều kiện.”", "Theo ý kiến “chưa đủ điều kiện.”",
                 "a stop before a closing quote counts");
  check_sentence("Sở trả lời “chưa xong”", "Sở trả lời “chưa xong”.", "a quote without a stop");
  check_sentence("x", "x.", "one letter");
  check_sentence("", "", "empty stays empty");
  check_sentence("   ", "", "blank becomes empty");
}

static void check_procedure(const char *input, const char *expected, const char *what) {
  tap_is_string(text_procedure_name(input), expected, "procedure name: %s", what);
}

static void test_procedure_name(void) {
  check_procedure("Thủ tục đăng ký khai sinh", "đăng ký khai sinh", "'Thủ tục ' dropped");
  check_procedure("thủ tục đăng ký kết hôn", "đăng ký kết hôn", "'thủ tục ' dropped");
  check_procedure("THỦ TỤC đăng ký khai tử", "đăng ký khai tử", "'THỦ TỤC ' dropped");
  check_procedure("Thủ tục hành chính cấp bản sao từ sổ gốc", "cấp bản sao từ sổ gốc",
                  "'Thủ tục hành chính ' dropped whole");
  check_procedure("Cấp Giấy chứng nhận quyền sử dụng đất", "Cấp Giấy chứng nhận quyền sử dụng đất",
                  "another name stays");
  check_procedure("Đăng ký lại khai tử", "Đăng ký lại khai tử", "no prefix, no change");
  check_procedure("Thủ tục", "Thủ tục", "the words alone stay (nothing would be left)");
  check_procedure("Thủ tục ", "Thủ tục ", "the words and a space alone stay");
  check_procedure("Thủ tụcx", "Thủ tụcx", "a word that only starts like it stays");
  check_procedure("Thu tuc dang ky", "Thu tuc dang ky", "without diacritics it is another word");
  check_procedure("", "", "empty");
}

int main(void) {
  test_sentence();
  test_procedure_name();
  tap_is_integer((long long)text_repertoire_code_point(TEXT_REPERTOIRE_SIZE - 1), 0x25A1,
                 "the repertoire ends with the replacement square");
  tap_is_integer(text_repertoire_index(0x25A1), TEXT_REPERTOIRE_SIZE - 1, "□ is last");
  bool round_trip = true;
  for (int i = 0; i < TEXT_REPERTOIRE_SIZE; i++)
    round_trip &= text_repertoire_index(text_repertoire_code_point(i)) == i;
  tap_ok(round_trip, "index and code point round-trip over the whole repertoire");
  int vietnamese = 0;
  const char *letters = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY";
  size_t offset = 0;
  uint32_t base;
  while (text_next(letters, strlen(letters), &offset, &base))
    vietnamese += text_repertoire_index(base) >= 0;
  tap_is_integer(vietnamese, 24, "every Vietnamese vowel is in the repertoire");
  int toned = 0;
  for (uint32_t code_point = 0x1EA0; code_point <= 0x1EF9; code_point++)
    toned += text_repertoire_index(code_point) >= 0;
  tap_is_integer(toned, 90, "U+1EA0..U+1EF9 (toned letters) are all in");
  tap_ok(text_repertoire_index(0x0111) >= 0 && text_repertoire_index(0x0110) >= 0, "đ and Đ");
  tap_ok(text_repertoire_index(0x1F600) < 0, "emoji are out");
  tap_ok(text_repertoire_index(0x0301) < 0, "combining marks are out");
  tap_ok(text_repertoire_index(0x4E2D) < 0, "CJK is out");

  CLEAN("Nguye\xCC\x82\xCC\x83n Va\xCC\x86n \xC4\x90u\xCC\x9B\xCC\x81"
        "c",
        "Nguyễn Văn Đức", 0, 0, 0, 0, "NFD becomes NFC");
  CLEAN("Nguyễn Văn Đức", "Nguyễn Văn Đức", 0, 0, 0, 0, "NFC stays as it is");
  CLEAN("A\xFF"
        "B",
        "A□B", 1, 0, 0, 0, "a stray byte becomes □");
  CLEAN("\xC0\xAF", "□□", 2, 0, 0, 0, "an overlong '/' is two bad bytes");
  CLEAN("x\xE1\xBB", "x□□", 2, 0, 0, 0, "a truncated sequence at the end");
  CLEAN("\xED\xA0\x80", "□□□", 3, 0, 0, 0, "an encoded surrogate");
  CLEAN("\xF4\x90\x80\x80", "□□□□", 4, 0, 0, 0, "above U+10FFFF");
  CLEAN("a\x01"
        "b\x7F"
        "c\xC2\x9B"
        "d",
        "a□b□c□d", 0, 3, 0, 0, "C0, DEL and C1 controls");
  CLEAN("a\x00"
        "b",
        "a□b", 0, 1, 0, 0, "a NUL byte inside the field");
  CLEAN(" \t a\tb\r\n c \xE3\x80\x80 d\xC2\xA0"
        "e  ",
        "a b c d e", 0, 0, 0, 0, "whitespace is unified, collapsed and trimmed");
  CLEAN("Hi \xF0\x9F\x98\x80!", "Hi □!", 0, 0, 1, 0x1F600, "an emoji");
  CLEAN("中文", "□□", 0, 0, 2, 0x4E2D, "CJK");
  CLEAN("שלום", "□□□□", 0, 0, 4, 0x05E9, "Hebrew (right to left)");
  CLEAN("a\xE2\x80\xAE"
        "b",
        "a□b", 0, 0, 1, 0x202E, "a right-to-left override cannot reorder");
  CLEAN("x\xCC\x81", "x□", 0, 0, 1, 0x0301, "a combining mark with no precomposed form");
  CLEAN("", "", 0, 0, 0, 0, "empty");
  CLEAN("Müller – «Ñandú» № 5 ₫", "Müller – «Ñandú» № 5 ₫", 0, 0, 0, 0,
        "Latin-1 letters and typographic signs print");

  char *upper = NULL;
  struct error error;
  tap_is_integer(text_upper("nguyễn văn đức, ơ ư ỹ", &upper, &error), STATUS_OK, "upper");
  tap_is_string(upper, "NGUYỄN VĂN ĐỨC, Ơ Ư Ỹ", "upper case keeps Vietnamese letters");
  free(upper);

  uint32_t code_point;
  offset = 0;
  tap_ok(text_next("ệ", 3, &offset, &code_point) && code_point == 0x1EC7 && offset == 3,
         "text_next decodes a 3-byte letter");
  return tap_finish();
}
