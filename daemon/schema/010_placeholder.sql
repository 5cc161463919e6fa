-- PLACEHOLDER on branch first-pass only, so that migration 012 applies here: the real
-- migration 010 comes from another branch. DROP THIS FILE WHEN MERGING (revert this commit).
SELECT 1;
