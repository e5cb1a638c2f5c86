import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { HybridbankError, messageOf } from '../core/errors.js';
import type { Logger } from '../log/logger.js';

/**
 * Read-only people and BI tools: each gets a LOGIN role of its own, a member of the reader group
 * of one database, which migrations/0003_safe_loads.sql creates (named by raw.reader_group_name())
 * and grants CONNECT there and SELECT on schema marts there, nothing else. Privileges live on the
 * group only, so removing a person is `DROP ROLE name`; a reader of one database cannot read
 * another's marts unless someone makes it a reader there too.
 */
export const READER_GROUP_PREFIX = 'hybridbank_reader_';

export interface ReaderRequest {
  /** the login name: lowercase letters, digits and underscores, so nobody has to quote it */
  name: string;
  /** kept out of every log line and message; sent to the server only as a SCRAM verifier */
  password: string;
}

export interface ReaderResult {
  name: string;
  /** the reader group of the database it reads */
  group: string;
  /** false when the reader existed and only its password was set again */
  created: boolean;
}

const READER_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates the reader, or sets a new password for an existing member of the group. Any other
 * existing role of that name (postgres, the loader's own role) is refused, never altered.
 */
export async function createReader(pool: pg.Pool, request: ReaderRequest, log: Logger): Promise<ReaderResult> {
  const { name } = request;
  if (!READER_NAME.test(name)) {
    throw new HybridbankError('CONFIG_INVALID', `Invalid reader name ${JSON.stringify(name)}: use lowercase letters, digits and underscores (at most 63), not starting with a digit.`, {
      hint: 'For example: npm run warehouse -- --create-reader metabase',
    });
  }
  // The server would write a plain-text password of CREATE ROLE to its log (log_statement = ddl);
  // a verifier computed here is what psql's \password sends, for the same reason.
  const password = pg.escapeLiteral(scramVerifier(request.password));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const group = await readerGroup(client);
    // A plain member of some hybridbank reader group (of this database or another) may be made a
    // reader here too; any other role is never touched.
    const existing = await client.query<{ member: boolean; privileged: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid AND (g.rolname = 'hybridbank_reader' OR starts_with(g.rolname, $2))) AS member,
              r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls AS privileged
         FROM pg_roles r WHERE r.rolname = $1`,
      [name, READER_GROUP_PREFIX],
    );
    const role = pg.escapeIdentifier(name);
    const found = existing.rows[0];
    if (found && (!found.member || found.privileged)) {
      throw new HybridbankError('CONFIG_INVALID', `A role named ${name} already exists and is not a plain member of a hybridbank reader group; it was left unchanged.`, {
        hint: 'Choose another name for the reader.',
      });
    }
    if (found) {
      await client.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD ${password}`);
      await client.query(`GRANT ${pg.escapeIdentifier(group)} TO ${role}`);
    } else {
      await client.query(
        `CREATE ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
           PASSWORD ${password} IN ROLE ${pg.escapeIdentifier(group)}`,
      );
    }
    // A second fence behind the grants: should someone grant the group a write by mistake, a
    // reader's sessions still start read-only.
    await client.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    await client.query('COMMIT');
    log.info({ reader: name, group, created: !found }, found ? `reader ${name} existed: password set again` : `created reader ${name}`);
    return { name, group, created: !found };
  } catch (error) {
    await client.query('ROLLBACK');
    if ((error as { code?: string }).code === '42501') {
      throw new HybridbankError('CONFIG_INVALID', `The warehouse user may not create roles: ${messageOf(error)}.`, {
        hint: 'Run this with a DATABASE_URL whose user has CREATEROLE (or ask a DBA to run it).',
        cause: error,
      });
    }
    throw error;
  } finally {
    client.release();
  }
}

/** The reader group of the connected database (migration 0003 creates it). */
export async function readerGroup(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ group: string | null }>(
    `SELECT CASE WHEN to_regprocedure('raw.reader_group_name()') IS NOT NULL THEN raw.reader_group_name()::text END AS group`,
  );
  const group = rows[0]?.group;
  const exists = group ? (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [group])).rowCount : 0;
  if (!group || !exists) {
    throw new HybridbankError('CONFIG_INVALID', `This database has no reader group yet${group ? ` (${group})` : ''}.`, {
      hint: "Run 'npm run migrate' first (migrations/0003_safe_loads.sql creates it).",
    });
  }
  return group;
}

/**
 * A PostgreSQL SCRAM-SHA-256 verifier (RFC 5802/7677, the format of pg_authid.rolpassword).
 * PostgreSQL SASLpreps the password first; for the printable ASCII that HYBRIDBANK_READER_PASSWORD
 * allows, SASLprep changes nothing, so hashing the UTF-8 bytes gives the verifier the server would.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** How a reader connects, for the person who created it; the password is named, never shown. */
export function readerConnectionHelp(warehouseUrl: string, reader: ReaderResult, passwordEnv: string): string[] {
  const url = new URL(warehouseUrl);
  const host = url.hostname;
  const port = url.port || '5432';
  const database = decodeURIComponent(url.pathname.slice(1));
  const readerUrl = `postgres://${reader.name}@${host}:${port}/${encodeURIComponent(database)}`;
  return [
    `${reader.created ? 'Created' : 'Updated the password of'} reader ${reader.name} (member of ${reader.group}: read-only, schema marts of database ${database} only).`,
    `  host ${host}  port ${port}  database ${database}  user ${reader.name}  password: the value of ${passwordEnv} (not printed)`,
    `  psql "${readerUrl}"   (asks for the password; or set PGPASSWORD)`,
    `  BI tools (Metabase): a PostgreSQL connection with the fields above, schema marts.`,
  ];
}
