/**
 * Gives abstract-level iterators the `return()` dynalite 4 calls to close a Query or Scan, so each
 * read stops pinning a snapshot of the table (see dynalite-iterators.js). Idempotent.
 */
export function closeDynaliteIterators(): void;
