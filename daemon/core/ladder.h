/*
 * ladder.h: the model of the escalation ladder (rules/ladder.yaml): which levels fire when, and
 * to whom.
 *
 * A level belongs to an episode (1: the statutory deadline; 2: the date an apology proposed,
 * which becomes the deadline when the apology is issued), fires at an offset in working time
 * from that episode's deadline (negative: before it), optionally also as soon as the source
 * records a delay reason, and either notifies roles or queues the apology letter (which starts
 * episode 2; at most one letter level, only in episode 1: the return date may be rescheduled
 * once). The loader (rules/ladder.h) fills this model and checks those limits; the core only
 * reads it. A loaded ladder is immutable and may be shared between threads.
 */
#ifndef DUNGHEN_CORE_LADDER_H
#define DUNGHEN_CORE_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/deadline.h"

/* A dossier's fired levels are a 32-bit mask: the limit keeps every level's bit inside it. */
enum { LADDER_MAX_LEVELS = 16, LADDER_MAX_EPISODE = 2 };

enum ladder_action { LADDER_NOTIFY, LADDER_LETTER };

struct ladder_level {
  char *name;             /* the key stored in dunghen.escalation_log.level, e.g. "due_soon" */
  char *title;            /* for people, e.g. "due soon" */
  int episode;            /* 1 or 2 */
  struct duration offset; /* signed amount: -1wd is one working day before the deadline */
  bool on_delay_reason;   /* also fires as soon as a delay reason is recorded */
  enum ladder_action action;
  char **recipients; /* role names, e.g. "handling_agency" */
  size_t recipient_count;
  size_t line;             /* where the level starts in the file */
  size_t *recipient_lines; /* where each role is named (1-based), for mail checks */
  size_t *recipient_columns;
};

struct ladder {
  char *file;
  struct duration due_soon; /* how long before the deadline a dossier counts as due soon */
  struct ladder_level *levels;
  size_t count;
};

/* The index of a level by name, or -1. */
int ladder_find(const struct ladder *ladder, const char *name);

#endif
