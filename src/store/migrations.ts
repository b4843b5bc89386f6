/**
 * The workspace schema as numbered migrations, applied in order when a workspace opens. A
 * migration is never edited once released; a change to the schema is a new migration. The SQL
 * runs on the PostgreSQL server (version 15 and later) and on the embedded database alike.
 */
import type { Database } from './driver.js';
import { StoreError } from './driver.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Columns every stored record carries: the source (file name) it came from and its import. */
const OWNER = `
  source text NOT NULL,
  import_id bigint NOT NULL REFERENCES imports (id)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'imports, canonical records, definitions and month closes',
    sql: `
CREATE TABLE imports (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  file_path text NOT NULL,
  checksum text NOT NULL,
  preset text NOT NULL,
  options jsonb NOT NULL,
  file_kind text NOT NULL,
  rows_read integer NOT NULL,
  records integer NOT NULL,
  rejected integer NOT NULL,
  added integer NOT NULL,
  changed integer NOT NULL,
  removed integer NOT NULL,
  unchanged integer NOT NULL,
  shared integer NOT NULL,
  changes jsonb NOT NULL,
  summary jsonb NOT NULL,
  imported_by text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);
CREATE INDEX imports_source ON imports (source);

CREATE TABLE sources (
  name text PRIMARY KEY,
  import_id bigint NOT NULL REFERENCES imports (id),
  checksum text NOT NULL,
  settings text NOT NULL
);

CREATE TABLE accounts (
  id text NOT NULL,
  name text,
  parent_id text,
  currency text,
  attributes jsonb,${OWNER},
  PRIMARY KEY (id, source)
);

CREATE TABLE contract_lines (
  id text NOT NULL,
  account_id text NOT NULL,
  contract_id text,
  product text,
  kind text NOT NULL,
  kind_source text,
  amount numeric NOT NULL,
  period_unit text NOT NULL,
  period_count integer NOT NULL,
  currency text NOT NULL,
  start_date date NOT NULL,
  end_date date,
  quantity numeric,
  renews text,
  signed_date date,
  source_file text,
  source_row integer,${OWNER},
  CONSTRAINT contract_lines_pkey PRIMARY KEY (id, source)
);
CREATE INDEX contract_lines_source ON contract_lines (source);

CREATE TABLE assignments (
  account_id text NOT NULL,
  role text NOT NULL,
  person text NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  source_file text,
  source_row integer,${OWNER}
);
CREATE INDEX assignments_source ON assignments (source);

CREATE TABLE segment_spans (
  account_id text NOT NULL,
  segment text,
  region text,
  sub_region text,
  valid_from date NOT NULL,
  valid_to date,
  source_file text,
  source_row integer,${OWNER}
);
CREATE INDEX segment_spans_source ON segment_spans (source);

CREATE TABLE fx_rates (
  currency text NOT NULL,
  rate numeric NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  kind text NOT NULL,
  source_file text,
  source_row integer,${OWNER}
);
CREATE INDEX fx_rates_source ON fx_rates (source);

CREATE TABLE definition_versions (
  version integer PRIMARY KEY,
  body jsonb NOT NULL,
  body_text text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL
);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE month_closes (
  month text PRIMARY KEY,
  as_of date NOT NULL,
  definitions_version integer NOT NULL REFERENCES definition_versions (version),
  figures jsonb NOT NULL,
  account_arr jsonb NOT NULL,
  last_import_id bigint,
  closed_at timestamptz NOT NULL,
  closed_by text NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'live training sessions and their answers',
    sql: `
CREATE TABLE training_sessions (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  facilitator_key text NOT NULL,
  seed integer NOT NULL,
  level integer,
  exercise_count integer NOT NULL,
  current_index integer NOT NULL DEFAULT 0,
  revealed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL
);

CREATE TABLE training_participants (
  id bigserial PRIMARY KEY,
  session_id bigint NOT NULL REFERENCES training_sessions (id),
  name text NOT NULL,
  token text NOT NULL UNIQUE,
  joined_at timestamptz NOT NULL,
  UNIQUE (session_id, name)
);

CREATE TABLE training_answers (
  session_id bigint NOT NULL REFERENCES training_sessions (id),
  participant_id bigint NOT NULL REFERENCES training_participants (id),
  exercise_index integer NOT NULL,
  exercise_id text NOT NULL,
  response text NOT NULL,
  explanation text NOT NULL,
  correct boolean NOT NULL,
  understood text,
  misconception text,
  concepts jsonb NOT NULL,
  answered_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, participant_id, exercise_index)
);
`,
  },
  {
    version: 3,
    name: 'named renewal scenarios',
    sql: `
CREATE TABLE scenarios (
  name text PRIMARY KEY,
  choices jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'targets, account events, alerts and alert deliveries',
    sql: `
CREATE TABLE targets (
  scope text NOT NULL,
  book text NOT NULL,
  fiscal_year integer NOT NULL,
  nrr_target text,
  grr_target text,
  source text NOT NULL,
  imported_at timestamptz NOT NULL,
  imported_by text NOT NULL,
  PRIMARY KEY (scope, book, fiscal_year)
);

CREATE TABLE account_events (
  account_id text NOT NULL,
  kind text NOT NULL,
  event_date date NOT NULL,
  note text NOT NULL,
  source text NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, kind, event_date)
);

CREATE TABLE alerts (
  id bigserial PRIMARY KEY,
  alert_key text NOT NULL UNIQUE,
  month text NOT NULL,
  kind text NOT NULL,
  scope text NOT NULL,
  book text NOT NULL,
  account_id text,
  state text NOT NULL,
  message text NOT NULL,
  details jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
CREATE INDEX alerts_state ON alerts (state);

CREATE TABLE alert_deliveries (
  id bigserial PRIMARY KEY,
  channel text NOT NULL,
  destination text NOT NULL,
  attempt integer NOT NULL,
  alert_ids jsonb NOT NULL,
  succeeded boolean NOT NULL,
  http_status integer,
  error text,
  attempted_at timestamptz NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'teams and the monthly checks the server runs on its own',
    sql: `
CREATE TABLE team_members (
  person text PRIMARY KEY,
  team text NOT NULL,
  manager text NOT NULL,
  source text NOT NULL,
  imported_at timestamptz NOT NULL,
  imported_by text NOT NULL
);
CREATE INDEX team_members_team ON team_members (team);

CREATE TABLE scheduled_checks (
  month text PRIMARY KEY,
  state text NOT NULL,
  attempts integer NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  error text,
  behind_books integer,
  alerts integer
);
`,
  },
  {
    version: 6,
    name: 'personal access keys',
    sql: `
CREATE TABLE person_keys (
  person text PRIMARY KEY,
  key_hash text NOT NULL UNIQUE,
  leader boolean NOT NULL,
  issued_at timestamptz NOT NULL,
  issued_by text NOT NULL
);
`,
  },
  {
    version: 7,
    name: 'exercise source of a training session',
    sql: `
ALTER TABLE training_sessions
  ADD COLUMN source text NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'data')),
  ADD COLUMN anonymise boolean NOT NULL DEFAULT false;
`,
  },
];

/** Brings the schema up to the latest migration, each migration in its own transaction. */
export async function migrate(db: Database): Promise<number[]> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version integer PRIMARY KEY,
       name text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      // Two processes opening a new server workspace at once: the second waits, then skips.
      await tx.query('SELECT pg_advisory_xact_lock(724011)');
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (rows.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  const newest = await db.query<{ version: number }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  const stored = Number(newest[0]?.version ?? 0);
  if (stored > latest) {
    throw new StoreError(
      `the workspace ${db.location} has schema version ${stored}, newer than this nrr knows (${latest}); upgrade nrr`,
    );
  }
  return applied;
}

/** Splits migration SQL at semicolons that end a line; the schema has no functions or strings. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}
