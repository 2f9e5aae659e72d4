// The client against the real sample application (its packaged jar, in-memory backend): mirrors
// the store, resumes a cut connection without duplicates or gaps, resyncs after a restart (new
// epoch), applies JSON Patch deltas only to their base, and writes on condition.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { EventSource } from 'eventsource';
import { connect, EpochChangedError, parseToken } from '../../src/index.js';
import { ADMIN, freePort, SampleApp, tcpProxy } from './harness.js';

let app;
let proxy;
const clients = [];

before(async () => {
  app = await new SampleApp({ port: await freePort() }).start();
  proxy = await tcpProxy(app.port);
}, { timeout: 200_000 });

after(async () => {
  for (const client of clients) client.close();
  await proxy?.close();
  await app?.kill();
});

async function follow(url, options = {}) {
  const client = await connect(url, { backoff: { initial: 50, max: 500 }, headers: { Authorization: ADMIN }, ...options });
  clients.push(client);
  const seen = [];
  client.subscribe((snapshot, event) => seen.push({ epoch: snapshot.epoch, version: snapshot.version, type: event.type, resync: event.resync }));
  return { client, seen };
}

/** Every version of the epoch seen once, in order, none missing between first and last. */
function assertConsecutive(seen, epoch) {
  const versions = seen.filter((s) => s.epoch === epoch).map((s) => s.version);
  for (let i = 1; i < versions.length; i++) {
    assert.equal(versions[i], versions[i - 1] + 1, `versions seen: ${versions.join(', ')}`);
  }
  return versions;
}

let toggles = 0;
/** Changes a flag straight on the server; resolves with the new version token. */
async function change(name = 'search.v2') {
  toggles++;
  const written = await app.write('PATCH', `/api/flags/${name}`, { body: { rollout: toggles % 101 }, contentType: 'application/merge-patch+json' });
  assert.equal(written.status, 200, written.body);
  return parseToken(written.etag);
}

async function assertMirrors(client) {
  assert.deepEqual({ epoch: client.epoch, version: client.version, state: client.state },
    (({ epoch, version, state }) => ({ epoch, version, state }))(await app.state()));
}

test('mirrors the store: every version once and in order, ending equal to the server', async () => {
  const { client, seen } = await follow(proxy.url);
  const start = client.version;
  let last;
  for (let i = 0; i < 10; i++) last = await change();
  await client.waitForVersion(last, { timeout: 10_000 });
  assert.deepEqual(assertConsecutive(seen, client.epoch), Array.from({ length: 10 }, (_, i) => start + i + 1));
  await assertMirrors(client);
  assert.equal(client.status, 'live');
});

test('a cut connection resumes with Last-Event-ID: the missed versions, no duplicates, no gaps, no resync', async () => {
  const { client, seen } = await follow(proxy.url);
  const start = client.version;
  await client.waitForVersion(await change(), { timeout: 10_000 });
  proxy.cut({ refuse: true });
  let last;
  for (let i = 0; i < 5; i++) last = await change();
  proxy.allow();
  await client.waitForVersion(last, { timeout: 10_000 });
  assert.deepEqual(assertConsecutive(seen, client.epoch), Array.from({ length: 6 }, (_, i) => start + i + 1));
  assert.ok(client.stats.reconnects >= 1);
  assert.equal(client.stats.resyncs, 0);
  await assertMirrors(client);

  // Nothing missed: the server answers at once with a bookmark, and the client is live again.
  const bookmarks = client.stats.bookmarks;
  proxy.cut();
  const deadline = Date.now() + 10_000;
  while (client.stats.bookmarks === bookmarks && Date.now() < deadline) await new Promise((done) => setTimeout(done, 10));
  assert.equal(client.stats.bookmarks, bookmarks + 1);
  assert.equal(client.status, 'live');
});

test('conditional writes: a flag edit after another flag changed succeeds; after that flag changed it is retried', async () => {
  const { client } = await follow(app.url);
  const read = client.snapshot;
  await client.waitForVersion(await change('new-checkout'), { timeout: 10_000 });
  const other = await client.write('PATCH', '/api/flags/dark-mode', {
    body: { description: 'edited on the token of an older document' }, contentType: 'application/merge-patch+json', ifMatch: read,
  });
  assert.equal(other.status, 200, 'protocol R9: only a change of that flag refuses the write');
  await client.waitForVersion(other.token, { timeout: 10_000 });

  const stale = client.snapshot;
  await client.waitForVersion(await change('dark-mode'), { timeout: 10_000 });
  const tokens = [];
  const conflicts = [];
  const result = await client.retryOnConflict((current, attempt) => {
    const base = attempt === 1 ? stale : current;
    tokens.push(base.token);
    return client.write('PATCH', '/api/flags/dark-mode', {
      body: { rollout: 42 }, contentType: 'application/merge-patch+json', ifMatch: base,
    });
  }, { onConflict: (refused) => conflicts.push(refused.conflict) });
  assert.equal(result.status, 200);
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0].currentEpoch, client.epoch);
  assert.notEqual(tokens[0], tokens[1], 'the retry used the state re-read after the conflict');
  const done = await client.waitForVersion(result.token, { timeout: 10_000 });
  assert.equal(done.state.flags['dark-mode'].rollout, 42);
});

test('follows over an EventSource (the eventsource package) too', async () => {
  const { client, seen } = await follow(app.url, { EventSource });
  const last = await change();
  await client.waitForVersion(last, { timeout: 10_000 });
  assert.ok(seen.some((s) => s.version === last.version));
  await assertMirrors(client);
});

test('the README\'s examples run as they stand', async () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.equal(examples.length, 2);
  // Inside the package, so that '@snapflux/client' resolves to it (a package's self-reference),
  // and outside test/, where the test runner would take them for tests.
  const dir = join(root, '.readme-examples');
  mkdirSync(dir, { recursive: true });
  const outputs = [];
  for (const [index, code] of examples.entries()) {
    const file = join(dir, `example-${index + 1}.js`);
    writeFileSync(file, code);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { env: { ...process.env, SNAPFLUX_URL: proxy.url }, timeout: 30_000 });
    outputs.push(stdout);
  }
  assert.match(outputs[0], /^version [\w-]+\.\d+: dark-mode, new-checkout, search\.v2\ndark mode (on|off)\n$/);
  assert.match(outputs[1], /^rollout \d+% at [\w-]+\.\d+\n$/);
  const state = await app.state();
  assert.equal(outputs[1], `rollout ${state.state.flags['dark-mode'].rollout}% at ${state.epoch}.${state.version}\n`);
});

test('a restart (new epoch) resyncs; patch deltas after it apply only to their base', { timeout: 200_000 }, async () => {
  const { client, seen } = await follow(proxy.url);
  const oldEpoch = client.epoch;
  const oldToken = client.token;
  const lost = client.waitForVersion({ epoch: oldEpoch, version: client.version + 1000 });
  lost.catch(() => {});
  await app.kill();
  await app.start(['--snapflux.web.sse.json-patch=true']);
  const fresh = await app.state();
  assert.notEqual(fresh.epoch, oldEpoch, 'the in-memory store starts a new epoch');
  await client.waitForVersion(`${fresh.epoch}.${fresh.version}`, { timeout: 30_000 });
  await assert.rejects(lost, EpochChangedError);
  const first = seen.find((s) => s.epoch === fresh.epoch);
  assert.equal(first.type, 'resync', 'Last-Event-ID of the old epoch: protocol R15');
  assert.equal(first.resync, true);
  assert.ok(client.stats.resyncs >= 1);
  await assertMirrors(client);

  // A write on a token of the old history is refused, naming the new epoch.
  const refused = await client.write('PATCH', '/api/flags/dark-mode', { body: { enabled: false }, contentType: 'application/merge-patch+json', ifMatch: oldToken });
  assert.equal(refused.status, 412);
  assert.equal(refused.conflict.currentEpoch, fresh.epoch);

  // The server now sends patches: applied to the previous event's state, also across a cut.
  let last;
  for (let i = 0; i < 5; i++) last = await change();
  await client.waitForVersion(last, { timeout: 10_000 });
  assert.equal(client.stats.patches, 5);
  proxy.cut({ refuse: true });
  for (let i = 0; i < 3; i++) last = await change(i % 2 ? 'dark-mode' : 'new-checkout');
  proxy.allow();
  await client.waitForVersion(last, { timeout: 10_000 });
  // Live versions come as patches; a resume MAY replay its first missed version as a change (§6.1).
  assert.ok(client.stats.patches >= 7, `patches applied: ${client.stats.patches}`);
  assert.equal(client.stats.baseMismatches, 0);
  assertConsecutive(seen, fresh.epoch);
  await assertMirrors(client);
});
