/**
 * Personal access keys: a leader issues one key per person, and the server reads a person's
 * identity from the key a request carries. Only a SHA-256 hash of each key is stored, so the
 * workspace cannot give a key back; issuing a key again replaces the earlier one.
 *
 * A key is 32 random bytes, so a plain hash without salt or stretching is enough: nobody can
 * guess a key from its hash by trying likely keys, as they could with a password.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './driver.js';
import { isoTime, StoreError } from './driver.js';

/** The person a key belongs to, and whether it is a leader's key, which sees everyone. */
export interface KeyHolder {
  readonly person: string;
  readonly leader: boolean;
}

export interface IssuedKey extends KeyHolder {
  readonly issuedAt: string;
  readonly issuedBy: string;
}

/** Prefix of every key, so a key pasted in the wrong place is recognisable. */
const KEY_PREFIX = 'nrrk_';

function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Issues a new key for `person`, replacing any earlier one, and returns it. The key is shown
 * this once: the workspace keeps its hash only.
 */
export async function issueKey(
  db: Database,
  person: string,
  options: { leader: boolean; user: string },
): Promise<string> {
  const name = person.trim();
  if (name === '') throw new StoreError('the person is missing; give the name of the person');
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  await db.query(
    `INSERT INTO person_keys (person, key_hash, leader, issued_at, issued_by)
     VALUES ($1, $2, $3, now(), $4)
     ON CONFLICT (person) DO UPDATE SET key_hash = EXCLUDED.key_hash, leader = EXCLUDED.leader,
       issued_at = EXCLUDED.issued_at, issued_by = EXCLUDED.issued_by`,
    [name, hashOf(key), options.leader, options.user],
  );
  return key;
}

/** Returns the holder of a key, or undefined when no stored key matches it. */
export async function keyHolder(db: Database, key: string): Promise<KeyHolder | undefined> {
  const rows = await db.query<{ person: string; leader: boolean }>(
    'SELECT person, leader FROM person_keys WHERE key_hash = $1',
    [hashOf(key.trim())],
  );
  const row = rows[0];
  return row === undefined ? undefined : { person: row.person, leader: row.leader === true };
}

/** Deletes a person's key; returns false when the person had none. */
export async function revokeKey(db: Database, person: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM person_keys WHERE person = $1 RETURNING person', [
    person.trim(),
  ]);
  return rows.length > 0;
}

/** Lists who holds a key, without the keys. */
export async function listKeys(db: Database): Promise<IssuedKey[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT person, leader, issued_by, ${isoTime('issued_at')} AS issued_iso
     FROM person_keys ORDER BY person`,
  );
  return rows.map((row) => ({
    person: String(row['person']),
    leader: row['leader'] === true,
    issuedAt: String(row['issued_iso']),
    issuedBy: String(row['issued_by']),
  }));
}

/**
 * Lists the people whose progress `holder` may see: everyone for a leader (undefined), else the
 * holder and everyone who reports to them, directly or through a manager who reports to them.
 */
export function visiblePeople(
  holder: KeyHolder,
  members: readonly { readonly person: string; readonly manager: string }[],
): ReadonlySet<string> | undefined {
  if (holder.leader) return undefined;
  const visible = new Set([holder.person]);
  const queue = [holder.person];
  for (let manager = queue.shift(); manager !== undefined; manager = queue.shift()) {
    for (const member of members) {
      if (member.manager === manager && !visible.has(member.person)) {
        visible.add(member.person);
        queue.push(member.person);
      }
    }
  }
  return visible;
}
