import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { SETTINGS } from '../src/config/settings.js';
import { PROJECT_ROOT } from './helpers/cli.js';

/**
 * There is no Docker engine where this runs, so the stack is checked as a document: the services
 * and their wiring, and that every variable it hands the loader and dbt is one the code reads.
 */
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
}

interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const composeText = read('docker-compose.yml');
// `<<:` merge keys are part of the Compose format (YAML 1.1); the yaml package needs them asked for.
const compose = parse(composeText, { merge: true }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  assert.ok(found, `service ${name} exists`);
  return found;
};

const SETTING_BY_ENV = new Map(Object.values(SETTINGS).map((s) => [s.env, s]));
/** `${NAME:-default}` as Compose interpolates it */
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}/g;

describe('docker-compose.yml', () => {
  it('runs PostgreSQL on a named volume with a healthcheck', () => {
    const postgres = service('postgres');
    assert.match(postgres.image ?? '', /^postgres:\d+/);
    const volume = postgres.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
    assert.ok(volume, 'the data directory is on a volume');
    assert.ok(volume.split(':')[0]! in compose.volumes, `${volume} is a named volume`);
    assert.match(JSON.stringify(postgres.healthcheck?.test), /pg_isready/);
  });

  it('runs the loader, then dbt, from the project image once PostgreSQL is healthy', () => {
    const loader = service('loader');
    const dbt = service('dbt');
    for (const job of [loader, dbt]) {
      assert.equal(job.build, '.', 'built from the Dockerfile');
      assert.equal(job.depends_on?.postgres?.condition, 'service_healthy');
    }
    assert.deepEqual(loader.command, ['npm', 'run', 'load']);
    assert.deepEqual(dbt.command, ['npm', 'run', 'transform']);
    assert.equal(dbt.depends_on?.loader?.condition, 'service_completed_successfully', 'dbt transforms what the loader loaded');

    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const job of [loader, dbt]) {
      const script = job.command![2]!;
      assert.ok(scripts[script], `npm script ${script} exists`);
    }
  });

  it('serves Metabase on port 3000 in the bi profile only', () => {
    const metabase = service('metabase');
    assert.match(metabase.image ?? '', /^metabase\/metabase:/);
    assert.deepEqual(metabase.profiles, ['bi']);
    assert.ok(metabase.ports?.some((p) => /(^|:)3000:3000$/.test(p)), `port 3000 published: ${metabase.ports}`);
    assert.equal(metabase.depends_on?.postgres?.condition, 'service_healthy');
    for (const [name, s] of Object.entries(compose.services)) {
      if (name !== 'metabase' && !name.startsWith('citus-')) assert.equal(s.profiles, undefined, `${name} starts without a profile`);
    }
  });

  it('runs a Citus cluster (coordinator, two workers) with its own loader and dbt in the citus profile only', () => {
    const nodes = ['citus-coordinator', 'citus-worker-1', 'citus-worker-2'];
    for (const name of nodes) {
      const node = service(name);
      assert.match(node.image ?? '', /^citusdata\/citus:\d+/);
      assert.match(JSON.stringify(node.healthcheck?.test), /pg_isready/);
      const volume = node.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
      assert.ok(volume && volume.split(':')[0]! in compose.volumes, `${name} keeps its data on a named volume`);
    }
    for (const worker of nodes.slice(1)) assert.equal(service(worker).ports, undefined, `${worker} is reached through the coordinator only`);
    assert.ok(service('citus-coordinator').ports?.every((p) => p.startsWith('127.0.0.1:')), 'the coordinator is bound to localhost');

    const registration = service('citus-nodes');
    const sql = registration.command!.join(' ');
    assert.match(sql, /citus_set_coordinator_host\('citus-coordinator', 5432\)/);
    for (const worker of nodes.slice(1)) {
      assert.match(sql, new RegExp(`citus_add_node\\('${worker}', 5432\\)`));
      assert.equal(registration.depends_on?.[worker]?.condition, 'service_healthy');
    }
    assert.equal(service('citus-loader').depends_on?.['citus-nodes']?.condition, 'service_completed_successfully', 'loads once the workers are registered');
    assert.deepEqual(service('citus-loader').command, ['npm', 'run', 'load']);
    assert.deepEqual(service('citus-dbt').command, ['npm', 'run', 'transform']);
    assert.equal(service('citus-dbt').depends_on?.['citus-loader']?.condition, 'service_completed_successfully');
    for (const name of ['citus-loader', 'citus-dbt']) {
      assert.equal(service(name).build, '.', `${name} is the project image`);
      assert.equal(new URL(service(name).environment!.DATABASE_URL!).hostname, 'citus-coordinator');
    }
    for (const [name, s] of Object.entries(compose.services)) {
      if (name.startsWith('citus-')) assert.deepEqual(s.profiles, ['citus'], `${name} starts with the citus profile only`);
    }
  });

  it('waits only on services that have a healthcheck', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        if (condition === 'service_healthy') assert.ok(service(dependency).healthcheck, `${name} waits on ${dependency}'s healthcheck`);
      }
    }
  });

  it('gives the pipeline only variables the config knows, with values it accepts', () => {
    for (const name of ['loader', 'dbt', 'citus-loader', 'citus-dbt']) {
      for (const [key, value] of Object.entries(service(name).environment ?? {})) {
        const setting = SETTING_BY_ENV.get(key);
        assert.ok(setting, `${name}: ${key} is a setting in src/config/settings.ts`);
        // the value as Compose would pass it when the host sets nothing: the default, or empty
        const effective = String(value).replace(INTERPOLATION, (_, _name, fallback: string | undefined) => fallback ?? '');
        if (effective !== '') {
          const parsed = setting.schema.safeParse('repeatable' in setting ? effective.split(',') : effective);
          assert.ok(parsed.success, `${name}: ${key}=${effective} is a valid value`);
        }
      }
    }
  });

  it('reads from the host only variables the config knows', () => {
    const names = [...composeText.matchAll(INTERPOLATION)].map((m) => m[1]!);
    assert.ok(names.length > 0);
    for (const name of names) assert.ok(SETTING_BY_ENV.has(name), `\${${name}} is a setting in src/config/settings.ts`);
  });

  it('points DATABASE_URL at the postgres service with its credentials', () => {
    const postgres = service('postgres').environment!;
    for (const name of ['loader', 'dbt']) {
      const url = new URL(service(name).environment!.DATABASE_URL!);
      assert.equal(url.hostname, 'postgres');
      assert.equal(url.port, '5432');
      assert.equal(url.username, postgres.POSTGRES_USER);
      assert.equal(url.password, postgres.POSTGRES_PASSWORD);
      assert.equal(url.pathname, `/${postgres.POSTGRES_DB}`);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('is Node 20 with a Python virtualenv for dbt from dbt/requirements.txt', () => {
    assert.match(dockerfile, /^FROM node:20\b/m);
    assert.match(dockerfile, /python3-venv/);
    assert.match(dockerfile, /python3 -m venv \.venv-dbt/);
    assert.match(dockerfile, /pip install .*-r dbt\/requirements\.txt/);
    assert.ok(read('dbt/requirements.txt').includes('dbt-postgres'), 'the requirements it installs exist');
    assert.match(dockerfile, /^RUN npm ci\b/m);
  });

  it('installs dbt where `npm run transform` looks for it, marked as installed', () => {
    const venv = read('src/transform/venv.ts');
    assert.match(venv, /path\.join\(projectRoot, '\.venv-dbt'\)/, 'transform uses .venv-dbt in the project');
    const stamp = /STAMP_FILE = '([^']+)'/.exec(venv)?.[1];
    assert.ok(stamp, 'transform marks an install with a stamp file');
    assert.match(dockerfile, new RegExp(`sha256sum dbt/requirements\\.txt .*> \\.venv-dbt/${stamp.replace(/\./g, '\\.')}`));
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', 'node_modules', '.warehouse', '.git']) assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
  });
});
