/*
 * retention_policy.h: what the configured retention lets go (store/retention.h runs it);
 * apart from libpq, so that the config reader need not know the database.
 */
#ifndef DUNGHEN_RETENTION_POLICY_H
#define DUNGHEN_RETENTION_POLICY_H

enum {
  RETENTION_DEFAULT_BATCH_SIZE = 1000,
  RETENTION_DEFAULT_DELIVERY_DAYS = 365,
  RETENTION_DEFAULT_INTERVAL = 3600, /* seconds between runs in the daemon */
  RETENTION_STANDBY_INTERVAL = 60,   /* ... in a daemon another instance's leadership holds off */
  RETENTION_MAX_BATCHES = 1000,      /* per kind and run: the rest waits for the next run */
};

struct retention_policy {
  int escalation_days; /* 0: keep forever */
  int clock_days;      /* 0: keep forever */
  int delivery_days;   /* 0: keep forever */
  int batch_size;      /* rows per transaction; 0: RETENTION_DEFAULT_BATCH_SIZE */
};

#endif
