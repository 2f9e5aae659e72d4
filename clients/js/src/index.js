// @snapflux/client: follows a Snapflux store over HTTP as the watch protocol 1 (docs/protocol.md)
// specifies, in browsers and in Node 20+. No dependencies, no build step.

import { applyPatch, deepFreeze, jsonEquals, PatchError } from './patch.js';
import { eventSourceTransport, fetchTransport, SseParser } from './sse.js';

export { applyPatch, deepFreeze, jsonEquals, PatchError, eventSourceTransport, fetchTransport, SseParser };

const TOKEN = /^([A-Za-z0-9_-]{1,64})\.([0-9]{1,18})$/;

/** Parses a version token ("epoch.version", optionally as a quoted or weak entity-tag); null if it is none. */
export function parseToken(text) {
  if (typeof text !== 'string') return null;
  let value = text.trim();
  if (value.startsWith('W/')) value = value.slice(2);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const match = TOKEN.exec(value);
  if (!match) return null;
  const version = Number(match[2]);
  if (!Number.isSafeInteger(version)) return null;
  return { epoch: match[1], version };
}

/** The token of a position: "epoch.version". */
export function formatToken({ epoch, version }) {
  return `${epoch}.${version}`;
}

/** A conditional write was refused (412) more often than its budget allowed. */
export class ConflictError extends Error {
  constructor(result, attempts) {
    super(`write refused with 412 Precondition Failed ${attempts} time(s): ${result.problem?.detail ?? 'the target changed'}`);
    this.name = 'ConflictError';
    this.result = result;
    this.attempts = attempts;
  }
}

/** The client's store moved to another epoch (another history) than the one a token names. */
export class EpochChangedError extends Error {
  constructor(expected, actual) {
    super(`waiting for a version of epoch ${expected}, but the store is now at epoch ${actual}: that version will never come`);
    this.name = 'EpochChangedError';
    this.expectedEpoch = expected;
    this.actualEpoch = actual;
  }
}

/** waitForVersion did not see the version in time. */
export class TimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TimeoutError';
  }
}

function resolveUrl(path, base) {
  const origin = base ?? globalThis.location?.href;
  return origin === undefined ? new URL(path) : new URL(path, origin);
}

function toSnapshot(data, kind) {
  if (data === null || typeof data !== 'object' || typeof data.epoch !== 'string' || !Number.isSafeInteger(data.version)) {
    throw new Error(`${kind}: not a versioned document (epoch and version missing)`);
  }
  return deepFreeze({
    epoch: data.epoch,
    version: data.version,
    token: formatToken(data),
    state: data.state,
    cause: data.cause,
    timestamp: data.timestamp,
  });
}

function delay(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * Connects to a Snapflux server: reads the current document, then follows the event stream.
 * Resolves once the first state is known; rejects if it cannot be read.
 */
export async function connect(url, options = {}) {
  const client = new SnapfluxClient(url, options);
  try {
    await client.start();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** A read-only mirror of a remote store. Create one with connect(). */
export class SnapfluxClient {
  constructor(url, options = {}) {
    this.options = options;
    this.base = url;
    this.fetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (typeof this.fetch !== 'function') throw new TypeError('no fetch: pass options.fetch');
    this.stateUrl = resolveUrl(options.statePath ?? '/api/state', url);
    this.streamUrl = resolveUrl(options.streamPath ?? '/api/stream', url);
    const backoff = options.backoff ?? {};
    this.backoff = { initial: backoff.initial ?? 250, max: backoff.max ?? 10_000, factor: backoff.factor ?? 2 };
    if (options.transport) this.transport = options.transport;
    else if (options.EventSource) this.transport = eventSourceTransport(options.EventSource, options.eventSourceInit);
    else this.transport = fetchTransport({ fetch: this.fetch, headers: () => this.headers(), idleTimeout: options.idleTimeout });
    this.current = null;
    this.status = 'connecting';
    this.listeners = new Set();
    this.statusListeners = new Set();
    this.waiters = new Set();
    this.epochsLeft = new Set();
    this.stats = { events: 0, changes: 0, patches: 0, bookmarks: 0, resyncs: 0, reconnects: 0, ignored: 0, baseMismatches: 0 };
    this.closed = false;
    this.aborter = new AbortController();
    this.connection = null;
    this.retries = 0;
    // What the stream's next patch applies to: the data of this connection's last data event
    // (or, on resume, of the resumed position), and the versions that name that same state.
    this.streamBase = null;
    this.lastEventId = null;
  }

  /** The newest document seen: { epoch, version, token, state, cause, timestamp } (frozen). */
  get snapshot() { return this.current; }

  get epoch() { return this.current?.epoch; }

  get version() { return this.current?.version; }

  get state() { return this.current?.state; }

  get token() { return this.current?.token; }

  headers(extra = {}) {
    const configured = typeof this.options.headers === 'function' ? this.options.headers() : this.options.headers;
    return { ...(configured ?? {}), ...extra };
  }

  async start() {
    const doc = await this.read();
    this.streamBase = { doc, versions: new Set([doc.version]) };
    this.lastEventId = doc.token;
    this.accept(doc, { type: 'snapshot', resync: false });
    this.open();
  }

  /** GET the document; with a token, as a conditional GET (null on 304), optionally long-polling. */
  async read({ ifNoneMatch, wait } = {}) {
    const headers = this.headers({ Accept: 'application/json' });
    if (ifNoneMatch) headers['If-None-Match'] = `"${ifNoneMatch}"`;
    if (wait) headers.Prefer = `wait=${wait}`;
    const response = await this.fetch(this.stateUrl, { headers, cache: 'no-store', signal: this.aborter.signal });
    if (response.status === 304) {
      await response.body?.cancel().catch(() => {});
      return null;
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new Error(`GET ${this.stateUrl} answered ${response.status}`);
    }
    return toSnapshot(await response.json(), `GET ${this.stateUrl}`);
  }

  /**
   * Re-reads the document (a conditional GET: nothing is sent back if this client is current) and
   * takes it if it is newer or of another epoch. With wait (seconds), long-polls for a newer one.
   */
  async refresh({ wait } = {}) {
    const doc = await this.read({ ifNoneMatch: this.current?.token, wait });
    if (doc) this.accept(doc, { type: 'refresh', resync: doc.epoch !== this.current?.epoch });
    return this.current;
  }

  open({ resume = true } = {}) {
    if (this.closed) return;
    const lastEventId = resume ? this.lastEventId : null;
    if (!resume) this.streamBase = null;
    const connection = this.transport(this.streamUrl.href, lastEventId, {
      onOpen: () => {
        if (connection !== this.connection) return;
        this.retries = 0;
        this.setStatus('live');
      },
      onEvent: (event) => { if (connection === this.connection) this.onEvent(event); },
      onDown: (error, retrying) => {
        if (connection !== this.connection || this.closed) return;
        this.options.onError?.(error);
        this.setStatus('reconnecting');
        if (retrying) { this.stats.reconnects++; return; }
        this.connection = null;
        this.reconnect();
      },
    });
    this.connection = connection;
  }

  async reconnect({ resume = true } = {}) {
    this.connection?.close();
    this.connection = null;
    this.stats.reconnects++;
    const { initial, max, factor } = this.backoff;
    const ceiling = Math.min(max, initial * factor ** this.retries);
    this.retries++;
    // "Equal jitter": at least half the ceiling, so reconnects spread out but never spin.
    await delay(ceiling / 2 + Math.random() * ceiling / 2, this.aborter.signal);
    if (!this.closed && this.connection === null) this.open({ resume });
  }

  /** Starts over without Last-Event-ID: the server sends a snapshot (used when a patch cannot be applied). */
  restartStream() {
    this.reconnect({ resume: false });
  }

  onEvent({ type, data, id }) {
    this.stats.events++;
    let body;
    try {
      body = JSON.parse(data);
    } catch {
      this.options.onError?.(new Error(`${type} event with data that is not JSON`));
      return;
    }
    switch (type) {
      case 'snapshot':
      case 'change':
      case 'resync': {
        const doc = toSnapshot(body, `${type} event`);
        this.streamBase = { doc, versions: new Set([doc.version]) };
        this.lastEventId = id || doc.token;
        if (type === 'change') this.stats.changes++;
        if (type === 'resync') this.stats.resyncs++;
        this.accept(doc, { type, resync: type === 'resync' || doc.epoch !== this.current?.epoch });
        return;
      }
      case 'patch': {
        const base = this.streamBase;
        if (!base || body.epoch !== base.doc.epoch || !base.versions.has(body.from)) {
          // Never apply a patch to another base: start over with a snapshot.
          this.stats.baseMismatches++;
          this.restartStream();
          return;
        }
        let state;
        try {
          state = applyPatch(base.doc.state, body.patch);
        } catch (error) {
          this.stats.baseMismatches++;
          this.options.onError?.(error);
          this.restartStream();
          return;
        }
        const doc = toSnapshot({ ...body, state }, 'patch event');
        this.stats.patches++;
        this.streamBase = { doc, versions: new Set([doc.version]) };
        this.lastEventId = id || doc.token;
        this.accept(doc, { type, resync: false });
        return;
      }
      case 'bookmark': {
        this.stats.bookmarks++;
        const position = body;
        const base = this.streamBase;
        if (base && position.epoch === base.doc.epoch && Number.isSafeInteger(position.version)) {
          // Nothing this stream carries changed up to here: the same state at a later version, the
          // base of the next patch and the resume point (protocol §6, R13).
          base.versions.add(position.version);
          this.lastEventId = id || formatToken(position);
          const current = this.current;
          if (current && current.epoch === position.epoch && base.versions.has(current.version) && position.version > current.version) {
            this.current = deepFreeze({ ...current, version: position.version, token: formatToken(position) });
            for (const waiter of [...this.waiters]) waiter();
          }
        }
        this.setStatus('live');
        return;
      }
      default:
        return; // unknown event types are ignored
    }
  }

  /** Takes a document if it is newer in this epoch, of another epoch, or a resync. */
  accept(doc, info) {
    const current = this.current;
    if (current && info.type !== 'resync' && doc.epoch === current.epoch && doc.version <= current.version) {
      this.stats.ignored++;
      return;
    }
    if (current && current.epoch !== doc.epoch) this.epochsLeft.add(current.epoch);
    this.current = doc;
    const event = { type: info.type, resync: Boolean(current) && (info.resync || doc.epoch !== current.epoch), previous: current };
    for (const listener of [...this.listeners]) {
      try { listener(doc, event); } catch (error) { this.options.onError?.(error); }
    }
    for (const waiter of [...this.waiters]) waiter();
  }

  setStatus(status) {
    if (this.status === status || this.status === 'closed') return;
    this.status = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }

  /** Calls listener(snapshot, {type, resync, previous}) for every newer snapshot; returns an unsubscribe function. */
  subscribe(listener, { immediate = false } = {}) {
    this.listeners.add(listener);
    if (immediate && this.current) listener(this.current, { type: 'current', resync: false, previous: null });
    return () => this.listeners.delete(listener);
  }

  /** Calls listener(status) when the connection status changes ('connecting', 'live', 'reconnecting', 'closed'). */
  onStatus(listener) {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Calls listener(value, snapshot) when selector(state) changes (structural equality by default, or
   * options.equals). Returns an unsubscribe function.
   */
  select(selector, listener, { equals = jsonEquals, immediate = false } = {}) {
    let value = this.current ? selector(this.current.state) : undefined;
    if (immediate && this.current) listener(value, this.current);
    return this.subscribe((snapshot, event) => {
      const next = selector(snapshot.state);
      // After a resync the old value belongs to another history: compare anyway (a UI need not
      // re-render what did not change), but never skip the first value of a new epoch's selection.
      if (equals(value, next)) return;
      value = next;
      listener(next, snapshot, event);
    });
  }

  /**
   * Resolves with the snapshot once this client has seen a version at least as new as the target
   * (a token, a {epoch, version}, or a version number of the current epoch). Rejects with an
   * EpochChangedError if the store moves to another epoch, a TimeoutError after options.timeout ms.
   */
  waitForVersion(target, { timeout, signal } = {}) {
    const wanted = typeof target === 'number' ? { epoch: this.current?.epoch, version: target }
      : typeof target === 'string' ? parseToken(target) : target;
    if (!wanted || typeof wanted.epoch !== 'string' || !Number.isSafeInteger(wanted.version)) {
      return Promise.reject(new TypeError(`not a version token: ${JSON.stringify(target)}`));
    }
    return new Promise((resolve, reject) => {
      let timer;
      const finish = (settle, value) => {
        this.waiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        settle(value);
      };
      const check = () => {
        const current = this.current;
        if (this.closed) finish(reject, new Error('client closed'));
        else if (current?.epoch === wanted.epoch) { if (current.version >= wanted.version) finish(resolve, current); }
        else if (this.epochsLeft.has(wanted.epoch)) finish(reject, new EpochChangedError(wanted.epoch, current.epoch));
        // Otherwise the token may name an epoch this client has not reached yet (a restarted server): wait.
      };
      const aborted = () => finish(reject, signal.reason ?? new Error('aborted'));
      if (signal?.aborted) { aborted(); return; }
      signal?.addEventListener('abort', aborted, { once: true });
      if (timeout !== undefined) timer = setTimeout(() => finish(reject, new TimeoutError(`version ${formatToken(wanted)} not seen within ${timeout} ms`)), timeout);
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Sends a write. ifMatch: a token, a snapshot ({epoch, version}), '*', or true for this client's
   * current token. Never throws for an HTTP status: resolves with {ok, status, token, etag, body,
   * headers, conflict}; conflict is set on 412 ({currentEpoch, currentVersion, currentToken,
   * expected, problem}) and options.onConflict(result) is called.
   */
  async write(method, path, { body, contentType, ifMatch, headers, onConflict } = {}) {
    const requestHeaders = this.headers({ Accept: 'application/json, application/problem+json', ...(headers ?? {}) });
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      requestHeaders['Content-Type'] = contentType ?? 'application/json';
    }
    if (ifMatch !== undefined && ifMatch !== null && ifMatch !== false) requestHeaders['If-Match'] = entityTag(ifMatch === true ? this.current : ifMatch);
    const response = await this.fetch(resolveUrl(path, this.base), { method, headers: requestHeaders, body: payload, cache: 'no-store' });
    const text = await response.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    const etag = response.headers.get('etag');
    const tag = parseToken(etag ?? '');
    const result = {
      ok: response.ok, status: response.status, etag, token: tag ? formatToken(tag) : null,
      body: parsed, headers: response.headers, conflict: null, problem: null,
    };
    if (!response.ok && parsed && typeof parsed === 'object') result.problem = parsed;
    if (response.status === 412) {
      const problem = result.problem ?? {};
      const currentToken = typeof problem.currentEpoch === 'string' && Number.isSafeInteger(problem.currentVersion)
        ? formatToken({ epoch: problem.currentEpoch, version: problem.currentVersion }) : result.token;
      result.conflict = { currentEpoch: problem.currentEpoch, currentVersion: problem.currentVersion, currentToken, expected: problem.expected, problem };
      (onConflict ?? this.options.onConflict)?.(result);
    }
    return result;
  }

  /**
   * Runs attempt(snapshot, n) — which makes one conditional write, typically with ifMatch set
   * from the snapshot — and, while it is refused with 412, re-reads and runs it again, at most
   * options.attempts times (default 5). Resolves with the first result that is not a 412; rejects
   * with a ConflictError when the budget is spent.
   */
  async retryOnConflict(attempt, { attempts = 5, onConflict } = {}) {
    let result;
    for (let n = 1; n <= attempts; n++) {
      result = await attempt(this.current, n);
      if (!result || result.status !== 412) return result;
      onConflict?.(result, n);
      if (n === attempts) break;
      await this.catchUp(result.conflict?.currentToken);
    }
    throw new ConflictError(result, attempts);
  }

  /** After a 412: reads the document, and waits briefly for the version the server named if this instance lags. */
  async catchUp(token) {
    await this.refresh();
    const wanted = parseToken(token ?? '');
    if (wanted && wanted.epoch === this.current?.epoch && wanted.version > this.current.version) {
      await this.waitForVersion(wanted, { timeout: this.options.conflictWait ?? 5_000 }).catch(() => {});
    }
  }

  /** Stops following the stream; pending waitForVersion calls reject. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.connection?.close();
    this.connection = null;
    this.aborter.abort();
    this.status = 'closed';
    for (const listener of [...this.statusListeners]) listener('closed');
    for (const waiter of [...this.waiters]) waiter();
    this.listeners.clear();
  }
}

function entityTag(value) {
  if (value === '*') return '*';
  if (typeof value === 'string') return value.startsWith('"') || value.startsWith('W/') ? value : `"${value}"`;
  if (value && typeof value === 'object' && typeof value.epoch === 'string') return `"${formatToken(value)}"`;
  throw new TypeError(`ifMatch must be a token, a snapshot, '*' or true, not ${JSON.stringify(value)}`);
}
