/** The database: `MENTOR_LEDGER_PG_URL` (as `scripts/postgres.sh start` exports it), or `DATABASE_URL`. */
export const databaseUrl = (): string => {
  const url = process.env.MENTOR_LEDGER_PG_URL?.trim() || process.env.DATABASE_URL?.trim()
  if (url === undefined || url === "") {
    throw new Error(
      'no database: set MENTOR_LEDGER_PG_URL (start a throw-away server with: eval "$(bash scripts/postgres.sh start)")'
    )
  }
  return url
}
