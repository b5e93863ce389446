/**
 * One forward-only schema change. Versions are applied in ascending order, each once, and
 * recorded in `schema_migrations`; a released migration is never edited, only followed by a
 * new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * SQLite only: applied with foreign key enforcement off (a table rebuild, whose DROP would
   * otherwise cascade), and the keys checked before it commits.
   */
  readonly foreignKeysOff?: boolean;
}

/** The migrations not applied yet, in version order. */
export function pendingMigrations(all: readonly Migration[], applied: ReadonlySet<number>): readonly Migration[] {
  return [...all].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
}
