import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import pg from 'pg';
import { freePort } from './database.js';

/**
 * A real local Citus cluster for one test file: a coordinator and two workers started from the
 * Debian PostgreSQL 15 binaries with the shared Citus build (../shared/citus, installed by
 * `.ci/run`), each in a temp directory, torn down after. Where it cannot start, `skipReason`
 * says why, and the suite reports itself as skipped with "Citus suite did NOT run: <why>".
 */
export interface CitusCluster {
  /** the coordinator's `postgres` database: what DATABASE_URL would name */
  url: string;
  coordinatorPort: number;
  workerPorts: number[];
  stop(): Promise<void>;
}

const run = promisify(execFile);
const PG15_BIN = '/usr/lib/postgresql/15/bin';
const CITUS_SO = '/usr/lib/postgresql/15/lib/citus.so';
const RUNUSER = '/usr/sbin/runuser';

/** Why the Citus suite cannot run on this machine, or undefined when it can. */
export function citusSkipReason(): string | undefined {
  if (!existsSync(path.join(PG15_BIN, 'initdb'))) return `no PostgreSQL 15 server binaries in ${PG15_BIN}`;
  if (!existsSync(CITUS_SO)) return `Citus is not installed for PostgreSQL 15 (${CITUS_SO} missing): run ../shared/citus/install as root, as .ci/run does`;
  if (process.getuid?.() === 0 && (!postgresUser() || !existsSync(RUNUSER))) return `running as root and there is no postgres OS user (or ${RUNUSER}) to run initdb as`;
  return undefined;
}

/**
 * The `skip` option of a Citus suite: the plain message when it cannot run, false when it can.
 * When it cannot, a skipped test named by that message is registered too, so the run's totals
 * count it as skipped (a skipped suite alone counts nothing), and stderr says it in capitals.
 */
export function citusSuiteSkip(): string | false {
  const reason = citusSkipReason();
  if (!reason) return false;
  const message = `Citus suite did NOT run: ${reason}`;
  process.stderr.write(`\n*** ${message} ***\n\n`);
  test(message, { skip: message }, () => undefined);
  return message;
}

/** uid and gid of the postgres OS user (initdb refuses root), from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a PostgreSQL binary as the postgres OS user when we are root (initdb refuses root). */
async function pgBin(binary: string, args: string[]): Promise<void> {
  const file = path.join(PG15_BIN, binary);
  if (process.getuid?.() === 0) await run(RUNUSER, ['-u', 'postgres', '--', file, ...args]);
  else await run(file, args);
}

export async function startCitusCluster(): Promise<CitusCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hbtest-citus-'));
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const nodes = ports.map((port, i) => ({ port, data: path.join(dir, i === 0 ? 'coordinator' : `worker${i}`) }));
  const started: typeof nodes = [];
  const stop = async () => {
    for (const node of started) await pgBin('pg_ctl', ['-D', node.data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      nodes.map(async (node) => {
        await pgBin('initdb', ['-D', node.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C.UTF-8']);
        appendFileSync(
          path.join(node.data, 'postgresql.conf'),
          [
            "shared_preload_libraries = 'citus'",
            `port = ${node.port}`,
            "listen_addresses = '127.0.0.1'",
            `unix_socket_directories = '${dir}'`,
            // throwaway test data: durability buys nothing here
            'fsync = off',
            'synchronous_commit = off',
            'full_page_writes = off',
            'max_connections = 100',
            'shared_buffers = 64MB',
            '',
          ].join('\n'),
        );
        await pgBin('pg_ctl', ['-D', node.data, '-l', `${node.data}.log`, '-w', '-t', '60', 'start']);
        started.push(node);
      }),
    );
    const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
    for (const node of nodes) {
      const client = new pg.Client({ connectionString: url(node.port) });
      await client.connect();
      await client.query('CREATE EXTENSION citus');
      await client.end();
    }
    const coordinator = new pg.Client({ connectionString: url(ports[0]!) });
    await coordinator.connect();
    await coordinator.query(`SELECT citus_set_coordinator_host('127.0.0.1', $1)`, [ports[0]]);
    for (const port of ports.slice(1)) await coordinator.query(`SELECT citus_add_node('127.0.0.1', $1)`, [port]);
    await coordinator.end();
    return { url: url(ports[0]!), coordinatorPort: ports[0]!, workerPorts: ports.slice(1), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
