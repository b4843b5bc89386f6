/**
 * Named renewal scenarios stored in a workspace: the choices of each, written as JSON with dates
 * as text, and who saved it when. Each choice is checked on its own when saved, and against the
 * data only when it runs. Fields added later are optional, so older scenarios still load.
 */
import { formatDay } from '../core/dates.js';
import { EngineError } from '../core/errors.js';
import { checkChoice, choiceFromText, choiceToText } from '../core/scenarios.js';
import type { Scenario, ScenarioChoiceText } from '../core/scenarios.js';
import type { Database } from './driver.js';
import { isoTime, StoreError } from './driver.js';

export interface StoredScenario extends Scenario {
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** Maximum length of a scenario name, in characters. */
const MAX_NAME_LENGTH = 200;

/** Checks a scenario name: 1 to 200 characters, with no control characters. */
export function checkScenarioName(name: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what is rejected
  if (name.trim() === '' || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new StoreError(
      `scenario name ${JSON.stringify(name.slice(0, 40))} is invalid; use 1 to ${MAX_NAME_LENGTH} characters without control characters`,
    );
  }
}

export class ScenarioStore {
  constructor(private readonly db: Database) {}

  /** Stores a scenario under its name, replacing one of that name; returns whether it is new. */
  async save(scenario: Scenario, user: string): Promise<{ created: boolean }> {
    checkScenarioName(scenario.name);
    const chosen = new Set<string>();
    for (const choice of scenario.choices) {
      const name = `the choice for ${choice.account} on ${formatDay(choice.renewalDate)}`;
      checkChoice(choice, name);
      // One renewal takes one outcome, as a run requires; the store refuses a second one too.
      const key = `${choice.account}\u0000${choice.renewalDate}`;
      if (chosen.has(key)) {
        throw new EngineError('invalid-scenario', `${name} is chosen twice; keep one outcome`);
      }
      chosen.add(key);
    }
    const choices = JSON.stringify(scenario.choices.map(choiceToText));
    const now = new Date().toISOString();
    const rows = await this.db.query<{ created: boolean }>(
      `INSERT INTO scenarios (name, choices, created_at, created_by, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $3, $4)
       ON CONFLICT (name) DO UPDATE
         SET choices = EXCLUDED.choices, updated_at = EXCLUDED.updated_at,
             updated_by = EXCLUDED.updated_by
       RETURNING (xmax = 0) AS created`,
      [scenario.name, choices, now, user],
    );
    return { created: rows[0]?.created === true };
  }

  /** Lists the stored scenarios by name. */
  async list(): Promise<StoredScenario[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT name, choices, ${isoTime('created_at')} AS created_iso, created_by,
         ${isoTime('updated_at')} AS updated_iso, updated_by
       FROM scenarios ORDER BY name`,
    );
    return rows.map(readScenario);
  }

  /** Reads one stored scenario; fails naming the stored ones when there is none of that name. */
  async get(name: string): Promise<StoredScenario> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT name, choices, ${isoTime('created_at')} AS created_iso, created_by,
         ${isoTime('updated_at')} AS updated_iso, updated_by
       FROM scenarios WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    if (row === undefined) throw await this.notFound(name);
    return readScenario(row);
  }

  /** Deletes a stored scenario; fails when there is none of that name. */
  async delete(name: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM scenarios WHERE name = $1 RETURNING name', [
      name,
    ]);
    if (rows.length === 0) throw await this.notFound(name);
  }

  private async notFound(name: string): Promise<StoreError> {
    const names = (await this.list()).map((scenario) => scenario.name);
    return new StoreError(
      `scenario "${name}" is not stored in this workspace; ${names.length === 0 ? 'none is stored yet' : `stored scenarios: ${names.join(', ')}`}`,
    );
  }
}

function readScenario(row: Record<string, unknown>): StoredScenario {
  const stored = row['choices'];
  const texts = (typeof stored === 'string' ? JSON.parse(stored) : stored) as ScenarioChoiceText[];
  return {
    name: String(row['name']),
    choices: texts.map(choiceFromText),
    createdAt: String(row['created_iso']),
    createdBy: String(row['created_by']),
    updatedAt: String(row['updated_iso']),
    updatedBy: String(row['updated_by']),
  };
}
