/*
 * spool_audit.h: after every new database session of the pass worker, and before its first
 * pass on it, the letters on disk are compared with the letters the database knows.
 *
 * Why: a failover to an asynchronous standby can lose the old primary's last transactions,
 * among them letters already rendered into the spool (and perhaps printed or mailed). The
 * database alone cannot know. So spool_audit_run() lists the spool's PDFs
 * (`<spool>/<agency>/<year>/<number>_<code>[.vN].pdf`, service/letter_jobs.c's names), raises
 * each letter counter above the highest number on disk (store/spool_audit.h: a lost number is
 * never given to another dossier), and logs at error level every PDF whose number the database
 * gives to no letter ("unknown": lost with the old primary) or to another dossier ("reused").
 * The counts go to the pass worker's snapshot: /healthz is 503 and /metrics counts them until
 * an operator settles each file (restores its row, or moves the file out of the spool tree)
 * and the next session's audit finds none. Dossier codes are not personal data; no name or
 * address is logged. A spool that does not exist holds no letter.
 */
#ifndef DUNGHEN_SERVICE_SPOOL_AUDIT_H
#define DUNGHEN_SERVICE_SPOOL_AUDIT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "core/error.h"
#include "service/log.h"

struct spool_audit_tally {
  uint64_t audits;  /* audits that ran to the end */
  uint64_t letters; /* PDFs the last audit read */
  uint64_t unknown; /* of them: the database has no letter of that number */
  uint64_t reused;  /* of them: the database gives that number to another dossier */
  uint64_t counters_raised;
};

/* `spool_directory` NULL or "": nothing to audit (STATUS_OK, the tally unchanged). */
enum status spool_audit_run(PGconn *connection, const char *spool_directory, const struct log *log,
                            struct spool_audit_tally *tally, struct error *error);

#endif
