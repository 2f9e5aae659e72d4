import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { EventSource } from 'eventsource';
import { ConflictError, connect, EpochChangedError, formatToken, parseToken, TimeoutError } from '../../src/index.js';
import { fakeServer } from './fake-server.js';

let server;
let client;

beforeEach(async () => { server = await fakeServer(); });
afterEach(async () => { client?.close(); client = null; await server.close(); });

const fast = { backoff: { initial: 10, max: 40 } };

/** Resolves when predicate() holds, checked after every snapshot the client takes. */
function until(predicate) {
  return new Promise((resolve) => {
    if (predicate()) { resolve(); return; }
    const stop = client.subscribe(() => { if (predicate()) { stop(); resolve(); } });
  });
}

function doc(epoch, version, state) {
  return { epoch, version, state, timestamp: '2026-12-01T00:00:00Z' };
}

test('parseToken and formatToken follow protocol §1; anything else is no token', () => {
  assert.deepEqual(parseToken('9f2c41d07be3a5e8.42'), { epoch: '9f2c41d07be3a5e8', version: 42 });
  assert.deepEqual(parseToken('W/"a-b_c.7"'), { epoch: 'a-b_c', version: 7 });
  assert.deepEqual(parseToken('"x.y.3"'), null, 'an epoch never contains a dot');
  for (const text of ['7', '"7"', 'e.', '.3', 'e.-1', 'e.1x', `${'a'.repeat(65)}.1`, 'e.1234567890123456789', '']) {
    assert.equal(parseToken(text), null, text);
  }
  assert.equal(formatToken({ epoch: 'e', version: 3 }), 'e.3');
});

test('reads the document, then follows the stream from its token', async () => {
  server.doc = doc('e1', 5, { n: 5 });
  client = await connect(server.url, fast);
  assert.deepEqual([client.epoch, client.version, client.token, client.state], ['e1', 5, 'e1.5', { n: 5 }]);
  const stream = await server.nextStream();
  assert.equal(stream.lastEventId, 'e1.5');
  const seen = [];
  client.subscribe((snapshot, event) => seen.push([snapshot.version, event.type]));
  stream.send('bookmark', { epoch: 'e1', version: 5 });
  stream.send('change', doc('e1', 6, { n: 6 }));
  stream.send('patch', { epoch: 'e1', version: 7, from: 6, patch: [{ op: 'replace', path: '/n', value: 7 }] });
  await until(() => client.version === 7);
  assert.deepEqual(seen, [[6, 'change'], [7, 'patch']]);
  assert.deepEqual(client.state, { n: 7 });
  assert.ok(Object.isFrozen(client.state), 'snapshots are read-only');
  assert.equal(client.status, 'live');
});

test('never applies a patch to another base: restarts the stream without Last-Event-ID', async () => {
  server.doc = doc('e1', 1, { n: 1 });
  client = await connect(server.url, fast);
  const first = await server.nextStream();
  first.send('patch', { epoch: 'e1', version: 3, from: 2, patch: [{ op: 'replace', path: '/n', value: 'wrong' }] });
  const second = await server.nextStream();
  assert.equal(second.lastEventId, null, 'a fresh start: the server sends a snapshot');
  assert.equal(client.version, 1);
  assert.deepEqual(client.state, { n: 1 });
  second.send('snapshot', doc('e1', 3, { n: 3 }));
  await until(() => client.version === 3);
  assert.deepEqual(client.state, { n: 3 });
  assert.equal(client.stats.baseMismatches, 1);
  assert.equal(client.stats.patches, 0);
});

test('a patch of another epoch, or one that does not apply, is not applied either', async () => {
  server.doc = doc('e1', 1, { n: 1 });
  client = await connect(server.url, fast);
  (await server.nextStream()).send('patch', { epoch: 'e2', version: 2, from: 1, patch: [] });
  (await server.nextStream()).send('patch', { epoch: 'e1', version: 2, from: 1, patch: [{ op: 'remove', path: '/missing' }] });
  const third = await server.nextStream();
  assert.equal(third.lastEventId, null);
  assert.deepEqual([client.version, client.state], [1, { n: 1 }]);
  assert.equal(client.stats.baseMismatches, 2);
});

test('a bookmark moves the resume point; a patch from the bookmarked version applies after resume', async () => {
  server.doc = doc('e1', 1, { n: 1 });
  client = await connect(server.url, fast);
  const first = await server.nextStream();
  first.send('bookmark', { epoch: 'e1', version: 60 });
  const bookmarked = await client.waitForVersion('e1.60', { timeout: 5000 });
  assert.deepEqual([bookmarked.version, bookmarked.token, bookmarked.state], [60, 'e1.60', { n: 1 }], 'the same state, at the bookmark\'s version');
  assert.equal(client.stats.bookmarks, 1);
  first.close();
  const second = await server.nextStream();
  assert.equal(second.lastEventId, 'e1.60');
  second.send('patch', { epoch: 'e1', version: 61, from: 60, patch: [{ op: 'replace', path: '/n', value: 61 }] });
  await until(() => client.version === 61);
  assert.deepEqual(client.state, { n: 61 });
  assert.equal(client.stats.baseMismatches, 0);
});

test('resync replaces everything, even with a smaller version; listeners are told', async () => {
  server.doc = doc('e1', 9, { n: 9, old: true });
  client = await connect(server.url, fast);
  const stream = await server.nextStream();
  const events = [];
  client.subscribe((snapshot, event) => events.push([snapshot.token, event.type, event.resync]));
  stream.send('change', doc('e1', 8, { n: 8 }));
  stream.send('resync', doc('e2', 2, { n: 2 }));
  await until(() => client.epoch === 'e2');
  assert.deepEqual(events, [['e2.2', 'resync', true]]);
  assert.equal(client.stats.ignored, 1, 'the older change was ignored');
  assert.deepEqual(client.state, { n: 2 });
});

test('select notifies only when the selected value changes', async () => {
  server.doc = doc('e1', 1, { a: 1, b: { c: 1 } });
  client = await connect(server.url, fast);
  const stream = await server.nextStream();
  const values = [];
  client.select((state) => state.b, (value) => values.push(value), { immediate: true });
  stream.send('change', doc('e1', 2, { a: 2, b: { c: 1 } }));
  stream.send('change', doc('e1', 3, { a: 3, b: { c: 2 } }));
  stream.send('patch', { epoch: 'e1', version: 4, from: 3, patch: [{ op: 'replace', path: '/a', value: 4 }] });
  await until(() => client.version === 4);
  assert.deepEqual(values, [{ c: 1 }, { c: 2 }]);
});

test('waitForVersion resolves, times out, and rejects when the store moves to another epoch', async () => {
  server.doc = doc('e1', 1, {});
  client = await connect(server.url, fast);
  const stream = await server.nextStream();
  assert.equal((await client.waitForVersion('e1.1')).version, 1, 'already there');
  const waiting = client.waitForVersion('e1.3');
  stream.send('change', doc('e1', 2, {}));
  stream.send('change', doc('e1', 3, {}));
  assert.equal((await waiting).version, 3);
  await assert.rejects(client.waitForVersion(4, { timeout: 20 }), TimeoutError);
  const lost = client.waitForVersion({ epoch: 'e1', version: 10 });
  const future = client.waitForVersion('e2.5');
  stream.send('resync', doc('e2', 5, {}));
  await assert.rejects(lost, EpochChangedError);
  assert.equal((await future).token, 'e2.5', 'a token of an epoch the client reaches later');
  await assert.rejects(client.waitForVersion('e1.2'), EpochChangedError, 'an epoch the client has left');
  await assert.rejects(client.waitForVersion('not a token'), TypeError);
});

test('reconnects with backoff after the stream fails, resuming from the last id', async () => {
  server.doc = doc('e1', 1, {});
  server.streamStatus = [503, 503, 503];
  const started = Date.now();
  client = await connect(server.url, { backoff: { initial: 40, max: 1000 } });
  const stream = await server.nextStream();
  // Delays of at least 20, 40 and 80 ms (half of 40, 80, 160).
  assert.ok(Date.now() - started >= 140, `${Date.now() - started} ms`);
  assert.equal(stream.lastEventId, 'e1.1');
  assert.equal(client.stats.reconnects, 3);
  stream.send('change', doc('e1', 2, {}));
  await until(() => client.version === 2);
  stream.close();
  const next = await server.nextStream();
  assert.equal(next.lastEventId, 'e1.2');
});

test('conditional writes: If-Match from a snapshot, the conflict callback, retry on conflict', async () => {
  server.doc = doc('e1', 1, { n: 1 });
  client = await connect(server.url, fast);
  await server.nextStream();
  const conflicts = [];
  let writes = 0;
  server.onWrite = ({ headers }) => {
    writes++;
    if (headers['if-match'] !== `"${server.doc.epoch}.${server.doc.version}"`) {
      return { status: 412, headers: { 'Content-Type': 'application/problem+json', ETag: `"e1.${server.doc.version}"` },
        body: { status: 412, currentEpoch: 'e1', currentVersion: server.doc.version, expected: headers['if-match'] } };
    }
    server.doc = doc('e1', server.doc.version + 1, { n: server.doc.version + 1 });
    return { status: 200, headers: { ETag: `"e1.${server.doc.version}"` }, body: server.doc.state };
  };
  server.doc = doc('e1', 2, { n: 2 }); // someone else wrote: the client still has e1.1
  const result = await client.retryOnConflict(
    (snapshot) => client.write('PUT', '/api/thing', { body: { n: snapshot.state.n + 1 }, ifMatch: snapshot }),
    { onConflict: (refused, attempt) => conflicts.push([refused.conflict.currentToken, attempt]) });
  assert.equal(result.status, 200);
  assert.equal(result.token, 'e1.3');
  assert.deepEqual(conflicts, [['e1.2', 1]]);
  assert.equal(writes, 2);

  const callback = [];
  const refused = await client.write('DELETE', '/api/thing', { ifMatch: 'e1.1', onConflict: (r) => callback.push(r.status) });
  assert.deepEqual([refused.status, refused.conflict.currentToken, refused.conflict.expected, callback], [412, 'e1.3', '"e1.1"', [412]]);

  server.onWrite = () => ({ status: 412, body: { currentEpoch: 'e1', currentVersion: 3 } });
  await assert.rejects(client.retryOnConflict(() => client.write('POST', '/api/thing', { ifMatch: true }), { attempts: 3 }),
    (error) => error instanceof ConflictError && error.attempts === 3);
});

test('works over an EventSource (the eventsource package): events, resume and patch base checks', async () => {
  server.doc = doc('e1', 1, { n: 1 });
  client = await connect(server.url, { ...fast, EventSource });
  const first = await server.nextStream();
  assert.equal(first.lastEventId, null, 'an EventSource cannot send Last-Event-ID on its first request');
  first.send('snapshot', doc('e1', 1, { n: 1 }));
  first.send('patch', { epoch: 'e1', version: 2, from: 1, patch: [{ op: 'replace', path: '/n', value: 2 }] });
  await until(() => client.version === 2);
  first.close();
  const second = await server.nextStream();
  assert.equal(second.lastEventId, 'e1.2', 'the EventSource resumes by itself');
  second.send('patch', { epoch: 'e1', version: 4, from: 3, patch: [] });
  const third = await server.nextStream();
  assert.equal(third.lastEventId, null, 'a new EventSource after a patch of another base');
  assert.equal(client.version, 2);
});

test('patches apply to the stream\'s own base, even when a refresh showed a newer state', async () => {
  server.doc = doc('e1', 1, { a: 1, b: 1 });
  client = await connect(server.url, fast);
  const stream = await server.nextStream();
  server.doc = doc('e1', 3, { a: 3, b: 3 });
  await client.refresh();
  assert.equal(client.version, 3);
  stream.send('patch', { epoch: 'e1', version: 2, from: 1, patch: [{ op: 'replace', path: '/a', value: 2 }] });
  stream.send('patch', { epoch: 'e1', version: 3, from: 2, patch: [{ op: 'replace', path: '/b', value: 3 }, { op: 'replace', path: '/a', value: 3 }] });
  stream.send('patch', { epoch: 'e1', version: 4, from: 3, patch: [{ op: 'replace', path: '/a', value: 4 }] });
  await until(() => client.version === 4);
  assert.deepEqual(client.state, { a: 4, b: 3 });
  assert.deepEqual([client.stats.patches, client.stats.ignored, client.stats.baseMismatches], [3, 2, 0]);
});

test('a stream that goes silent is reconnected after idleTimeout; statuses are reported', async () => {
  server.doc = doc('e1', 1, {});
  client = await connect(server.url, { ...fast, idleTimeout: 100 });
  const statuses = [];
  client.onStatus((status) => statuses.push(status));
  await server.nextStream(); // sends nothing, not even a heartbeat
  const second = await server.nextStream();
  assert.equal(second.lastEventId, 'e1.1');
  assert.ok(statuses.includes('reconnecting'), statuses.join());
  const errors = [];
  client.options.onError = (error) => errors.push(error.message);
  client.subscribe(() => { throw new Error('listener failed'); });
  second.send('change', doc('e1', 2, {}));
  await until(() => client.version === 2);
  assert.deepEqual(errors, ['listener failed'], 'a throwing listener is reported, the client goes on');
  const pending = client.waitForVersion('e1.9');
  client.close();
  await assert.rejects(pending, /closed/);
  assert.equal(client.status, 'closed');
});
