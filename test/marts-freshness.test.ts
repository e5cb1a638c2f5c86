import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stalenessWarning, type MartsFreshness } from '../src/transform/freshness.js';

const fresh: MartsFreshness = {
  builtAt: '2026-03-02T08:00:00Z',
  builtFromLoadId: 'load-1',
  builtFromLoadFinishedAt: '2026-03-02T07:59:00Z',
  dataAsOfDate: '2026-03-01',
  latestLoadId: 'load-1',
  latestLoadFinishedAt: '2026-03-02T07:59:00Z',
  loadsNotInMarts: 0,
};

test('marts built from the latest successful load are not stale, and unbuilt marts have nothing to say', () => {
  assert.equal(stalenessWarning(fresh), null);
  assert.equal(stalenessWarning(null), null);
});

test('a newer successful load makes the marts stale: the warning names both loads and the fix', () => {
  const warning = stalenessWarning({ ...fresh, latestLoadId: 'load-3', latestLoadFinishedAt: '2026-03-04T07:00:00Z', loadsNotInMarts: 2 });
  assert.match(warning!, /older than the last successful load/);
  assert.match(warning!, /built at 2026-03-02T08:00:00Z from the load that finished at 2026-03-02T07:59:00Z/);
  assert.match(warning!, /2 loads succeeded since \(latest load-3, finished at 2026-03-04T07:00:00Z\)/);
  assert.match(warning!, /npm run transform/);
});

test('marts built before any load are stale once one succeeds', () => {
  const warning = stalenessWarning({ ...fresh, builtFromLoadId: null, builtFromLoadFinishedAt: null, latestLoadId: 'load-1', loadsNotInMarts: 1 });
  assert.match(warning!, /before any load, and a load succeeded since/);
});
