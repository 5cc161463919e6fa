/*
 * pdf_field.c: empty AcroForm signature fields through libharu's object API (see
 * pdf_field.h).
 */
#include "letter/pdf_field.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>

enum { FIELD_FLAG_PRINT = 4 };

/* The page's /Annots array, created when the page has none yet. */
static HPDF_Array page_annotations(HPDF_Doc document, HPDF_Page page) {
  HPDF_Array annotations = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
  if (annotations != NULL)
    return annotations;
  annotations = HPDF_Array_New(document->mmgr);
  if (annotations == NULL || HPDF_Dict_Add(page, "Annots", annotations) != HPDF_OK)
    return NULL;
  return annotations;
}

static HPDF_STATUS add_field(HPDF_Doc document, HPDF_Array fields,
                             const struct layout_field *field) {
  HPDF_Page page = HPDF_GetPageByIndex(document, (HPDF_UINT)field->page);
  HPDF_Array annotations = page != NULL ? page_annotations(document, page) : NULL;
  HPDF_Dict widget = HPDF_Dict_New(document->mmgr);
  if (annotations == NULL || widget == NULL)
    return HPDF_FAILD_TO_ALLOC_MEM;
  HPDF_STATUS status = HPDF_Xref_Add(document->xref, widget);
  if (status != HPDF_OK)
    return status;
  HPDF_Box box = {(HPDF_REAL)field->x, (HPDF_REAL)field->y, (HPDF_REAL)(field->x + field->width),
                  (HPDF_REAL)(field->y + field->height)};
  /* HPDF_Dict_* free the value and return an error when the dictionary refuses it. */
  status += HPDF_Dict_AddName(widget, "Type", "Annot");
  status += HPDF_Dict_AddName(widget, "Subtype", "Widget");
  status += HPDF_Dict_AddName(widget, "FT", "Sig");
  /* No encoder: the name is written as its ASCII bytes, not as UTF-16. */
  status += HPDF_Dict_Add(widget, "T", HPDF_String_New(document->mmgr, field->name, NULL));
  status += HPDF_Dict_Add(widget, "Rect", HPDF_Box_Array_New(document->mmgr, box));
  status += HPDF_Dict_AddNumber(widget, "F", FIELD_FLAG_PRINT);
  status += HPDF_Dict_Add(widget, "P", page);
  status += HPDF_Array_Add(annotations, widget);
  status += HPDF_Array_Add(fields, widget);
  return status;
}

HPDF_STATUS pdf_field_add(HPDF_Doc document, const struct layout *layout) {
  if (layout->field_count == 0)
    return HPDF_OK;
  HPDF_Dict form = HPDF_Dict_New(document->mmgr);
  HPDF_Array fields = HPDF_Array_New(document->mmgr);
  if (form == NULL || fields == NULL)
    return HPDF_FAILD_TO_ALLOC_MEM;
  HPDF_STATUS status = HPDF_Xref_Add(document->xref, form);
  if (status == HPDF_OK)
    status = HPDF_Dict_Add(form, "Fields", fields);
  if (status == HPDF_OK)
    status = HPDF_Dict_Add(document->catalog, "AcroForm", form);
  for (size_t i = 0; status == HPDF_OK && i < layout->field_count; i++)
    status = add_field(document, fields, &layout->fields[i]);
  return status;
}
