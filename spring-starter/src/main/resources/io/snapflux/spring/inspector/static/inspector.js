// Snapflux Inspector: plain ES modules, no framework, no build step (docs/inspector.md).
//
// The page lives at {base}/ and reads the inspector's JSON API at {base}/api/ (its contract is
// docs/inspector.md, "HTTP API"). It follows the selected store live with the project's JS client
// (./client/, copied from clients/js/src by the starter's build) over {base}/api/stores/{name}/
// stream, and re-reads the new versions' entries (cause, author, JSON Patch) as they commit.
//
// Safety rules this file keeps:
// - Every piece of state, cause or server text reaches the page through textContent or an
//   attribute value, never parsed as HTML: hostile content stays text.
// - Viewing never writes. Restore and revert are the only writes; each needs a confirmation and
//   carries If-Match with the version the user was looking at, so a store that moved on in the
//   meantime refuses them (412) and nothing is committed.

import { connect, jsonEquals, parseToken } from './client/index.js';

const BASE = new URL('..', import.meta.url); // {base}/, wherever the application mounted it
const API = new URL('api/', BASE);
const AUTH_KEY = 'snapflux.basic'; // the sample page's key: one sign-in per tab serves both pages
const MAX_ENTRIES = 500;
const FIRST_PAGE = 200;
const EXPANDED_DEPTH = 3;

const $ = (selector) => document.querySelector(selector);
const enc = encodeURIComponent;

const ui = {
  stores: [],
  store: null, // the selected StoreInfo
  client: null, // @snapflux/client following the selected store
  entries: [], // Entry objects, oldest first
  epoch: null,
  selected: null, // the selected version
  selectedState: null, // {version, token, state}
  seq: 0, // bumped on every store switch: answers for an older selection are dropped
  pending: Promise.resolve(), // entry loads run one after the other
  rates: new Map(), // store name -> {updates, at, rate}
  storesTimer: null,
  storesAgain: false,
};

// ---- DOM helpers (text only) -------------------------------------------------------------------

/** Creates an element; children are nodes or strings (strings become text nodes). */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

/** A JSON value as one line of text, cut to max characters. */
function preview(value, max = 80) {
  const text = value === undefined ? '' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleTimeString([], { hour12: false });
}

function formatDateTime(iso) {
  if (!iso) return 'never';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString([], { hour12: false });
}

/** RFC 6901: one reference token of a JSON Pointer. */
const pointerToken = (key) => String(key).replaceAll('~', '~0').replaceAll('/', '~1');

// ---- HTTP --------------------------------------------------------------------------------------

function authHeader() {
  const token = sessionStorage.getItem(AUTH_KEY);
  return token ? { Authorization: `Basic ${token}` } : {};
}

/** Headers of every request: X-Requested-With keeps the browser's own credentials dialog away. */
function requestHeaders(extra = {}) {
  return { Accept: 'application/json, application/problem+json', 'X-Requested-With': 'XMLHttpRequest', ...authHeader(), ...extra };
}

/** fetch against {base}/api/; resolves to {status, ok, body, headers} whatever the status. */
async function api(method, path, { body, ifMatch } = {}) {
  const init = { method, headers: requestHeaders(), credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  if (ifMatch) init.headers['If-Match'] = `"${ifMatch}"`;
  let response;
  try {
    response = await fetch(new URL(path, API), init);
  } catch (error) {
    return { status: 0, ok: false, body: { detail: `the server could not be reached (${error.message})` }, headers: new Headers() };
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { detail: text }; }
  if (response.status === 401) askToSignIn();
  return { status: response.status, ok: response.ok, body: parsed, headers: response.headers };
}

/** The readable part of a problem+json answer. */
function problemText(result) {
  const body = result.body;
  if (body && typeof body === 'object') return body.detail ?? body.title ?? `status ${result.status}`;
  return `status ${result.status}`;
}

/**
 * The client's fetch: same-origin credentials, and the inspector's state document made a protocol
 * document (the client needs "epoch"; the inspector's answer names it in "token").
 */
function clientFetch(stateUrl) {
  return async (url, init = {}) => {
    const response = await fetch(url, { ...init, credentials: 'same-origin' });
    if (response.status === 401) askToSignIn();
    if (String(url) !== stateUrl || response.status !== 200) return response;
    const doc = await response.json();
    if (doc && typeof doc === 'object' && typeof doc.epoch !== 'string') {
      const position = parseToken(String(doc.token ?? ''));
      if (position) doc.epoch = position.epoch;
    }
    const headers = new Headers({ 'Content-Type': 'application/json' });
    const etag = response.headers.get('ETag');
    if (etag) headers.set('ETag', etag);
    return new Response(JSON.stringify(doc), { status: 200, headers });
  };
}

// ---- Notices, sign-in --------------------------------------------------------------------------

/** Shows a message: kind is ok, info, error, conflict (paths listed) or stale. */
function notify(kind, text, paths = null) {
  const notice = $('#notice');
  notice.dataset.kind = kind;
  $('#notice-text').textContent = text;
  const list = $('#notice-paths');
  list.replaceChildren(...(paths ?? []).map((path) => el('li', { text: String(path) })));
  list.hidden = !paths || paths.length === 0;
  notice.hidden = false;
}

function announce(text) {
  $('#copied').textContent = '';
  // A new text node each time, so screen readers announce the same words twice in a row too.
  setTimeout(() => { $('#copied').textContent = text; }, 30);
}

function currentUser() {
  const token = sessionStorage.getItem(AUTH_KEY);
  if (!token) return null;
  try { return decodeURIComponent(escape(atob(token))).split(':')[0]; } catch { return null; }
}

function renderUser() {
  const user = currentUser();
  $('#whoami').hidden = !user;
  $('#whoami').textContent = user ? `signed in as ${user}` : '';
  $('#signin').hidden = Boolean(user);
  $('#signout').hidden = !user;
}

function askToSignIn() {
  const dialog = $('#login');
  if (dialog.open) return;
  if (sessionStorage.getItem(AUTH_KEY)) {
    $('#login-error').textContent = 'Those credentials were not accepted (or have expired).';
    $('#login-error').hidden = false;
  } else {
    $('#login-error').hidden = true;
  }
  dialog.showModal();
  $('#login-user').focus();
}

async function signIn(event) {
  event.preventDefault();
  const user = $('#login-user').value;
  const token = btoa(unescape(encodeURIComponent(`${user}:${$('#login-password').value}`)));
  let response;
  try {
    response = await fetch(new URL('stores', API), {
      headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest', Authorization: `Basic ${token}` },
      credentials: 'same-origin', cache: 'no-store',
    });
  } catch (error) {
    response = { status: 0 };
  }
  if (response.status !== 200) {
    $('#login-error').textContent = response.status === 401 || response.status === 403
      ? 'Those credentials were not accepted.' : `Sign-in failed (${response.status || 'no answer'}).`;
    $('#login-error').hidden = false;
    return;
  }
  sessionStorage.setItem(AUTH_KEY, token);
  $('#login-password').value = '';
  $('#login').close();
  renderUser();
  $('#notice').hidden = true;
  start();
}

function signOut() {
  sessionStorage.removeItem(AUTH_KEY);
  ui.seq++;
  ui.client?.close();
  ui.client = null;
  ui.stores = [];
  ui.store = null;
  ui.entries = [];
  renderStores();
  renderEntries();
  clearDetail();
  setConnection('idle');
  renderUser();
}

// ---- Stores overview ---------------------------------------------------------------------------

async function loadStores() {
  const result = await api('GET', 'stores');
  if (result.status === 401) return false;
  if (!result.ok || !Array.isArray(result.body)) {
    notify('error', `Could not list the stores (${result.status}): ${problemText(result)}`);
    return false;
  }
  const now = performance.now();
  for (const info of result.body) {
    // Every update makes a version: the rate is versions per second between two reads.
    const versions = Number(info?.version);
    const before = ui.rates.get(info.name);
    let rate = before?.rate ?? null;
    if (before && before.epoch === info.epoch && Number.isFinite(versions) && now - before.at >= 1000) {
      rate = Math.max(0, (versions - before.versions) / ((now - before.at) / 1000));
    }
    if (!before || now - before.at >= 1000) ui.rates.set(info.name, { versions, epoch: info.epoch, at: now, rate });
  }
  ui.stores = result.body;
  if (ui.store) ui.store = ui.stores.find((info) => info.name === ui.store.name) ?? ui.store;
  renderStores();
  return true;
}

/** Re-reads the overview after a change: at once, then at most every 1.5 s while changes come. */
function scheduleStoresRefresh() {
  if (ui.storesTimer) {
    ui.storesAgain = true;
    return;
  }
  loadStores();
  ui.storesTimer = setTimeout(function again() {
    if (ui.storesAgain) {
      ui.storesAgain = false;
      loadStores();
      ui.storesTimer = setTimeout(again, 1500);
    } else {
      ui.storesTimer = null;
    }
  }, 1500);
}

function stat(label, value) {
  return el('div', { class: 'stat' }, el('dt', { text: label }), el('dd', { text: String(value) }));
}

/** Labels of StoreStats members; members not named here are shown under their own name. */
const STAT_LABELS = {
  casRetries: 'retries', versionConflicts: 'conflicts', validationRejections: 'rejected writes',
  maxLosslessLag: 'max lossless lag', lagOverflows: 'lag overflows',
};
const STAT_SKIPPED = new Set(['version', 'subscribers']); // shown elsewhere

function subscribersText(subscribers) {
  if (subscribers === null || typeof subscribers !== 'object') return String(subscribers ?? 0);
  if ('total' in subscribers && Object.keys(subscribers).length === 1) return String(subscribers.total);
  return Object.entries(subscribers).map(([mode, count]) => `${count} ${mode}`).join(' · ');
}

function renderStores() {
  const list = $('#stores');
  list.replaceChildren(...ui.stores.map((info) => {
    const selected = ui.store?.name === info.name;
    const rate = ui.rates.get(info.name)?.rate;
    const stats = el('dl', { class: 'stats' },
      stat('backend', info.backend ?? '?'),
      stat('version', info.token ?? `${info.epoch}.${info.version}`),
      stat('history', info.history ? `${info.historySize} kept` : 'none'),
      stat('subscribers', subscribersText(info.subscribers)),
      ...Object.entries(info.stats ?? {})
        .filter(([name, value]) => !STAT_SKIPPED.has(name) && (value === null || typeof value !== 'object'))
        .map(([name, value]) => stat(STAT_LABELS[name] ?? name, value)),
      stat('update rate', rate === null || rate === undefined ? '–' : `${rate.toFixed(rate < 10 ? 1 : 0)}/s`),
      stat('last change', formatDateTime(info.lastChange)),
      info.closed ? stat('status', 'closed') : null);
    return el('li', { class: selected ? 'store selected' : 'store', 'data-store': info.name },
      el('button', {
        type: 'button', class: 'store-select', 'aria-pressed': String(selected),
        'aria-label': `Inspect the store ${info.name}`, text: info.name,
      }),
      stats);
  }));
  $('#stores-empty').hidden = ui.stores.length > 0;
}

// ---- Selecting a store -------------------------------------------------------------------------

async function selectStore(name) {
  const seq = ++ui.seq;
  ui.client?.close();
  ui.client = null;
  ui.store = ui.stores.find((info) => info.name === name) ?? null;
  ui.entries = [];
  ui.epoch = null;
  ui.selected = null;
  ui.pending = Promise.resolve();
  if (!ui.store) return;
  history.replaceState(null, '', `#${enc(name)}`);
  renderStores();
  $('#timeline-store').textContent = name;
  const hasHistory = Boolean(ui.store.history);
  $('#no-history').hidden = hasHistory;
  $('#export').hidden = !hasHistory;
  clearDetail();
  renderEntries();
  await loadEntries(seq, { reset: true });
  if (seq !== ui.seq) return;
  const newest = ui.entries.at(-1);
  if (newest) selectVersion(newest.version);
  follow(seq, name);
}

/** Follows the store's event stream with the JS client. */
async function follow(seq, name) {
  setConnection('connecting');
  const statePath = new URL(`stores/${enc(name)}/state`, API).href;
  let client;
  try {
    client = await connect(BASE, {
      statePath,
      streamPath: new URL(`stores/${enc(name)}/stream`, API).href,
      headers: () => ({ 'X-Requested-With': 'XMLHttpRequest', ...authHeader() }),
      fetch: clientFetch(statePath),
      onError: (error) => console.debug('inspector stream:', error.message),
    });
  } catch (error) {
    if (seq === ui.seq) {
      setConnection('closed');
      if (!$('#login').open) notify('error', `Could not follow ${name}: ${error.message}`);
    }
    return;
  }
  if (seq !== ui.seq) {
    client.close();
    return;
  }
  ui.client = client;
  client.onStatus(setConnection);
  setConnection(client.status);
  client.subscribe((snapshot, event) => onSnapshot(seq, snapshot, event));
  // Whatever committed between the first read of the entries and the stream's first state.
  onSnapshot(seq, client.snapshot, { type: 'current', resync: false, previous: null });
}

function setConnection(status) {
  const connection = $('#connection');
  connection.dataset.state = status;
  connection.textContent = {
    idle: 'not connected', connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', closed: 'disconnected',
  }[status] ?? status;
}

function onSnapshot(seq, snapshot, event) {
  if (seq !== ui.seq || !snapshot) return;
  scheduleStoresRefresh();
  if (ui.store.history) {
    ui.pending = ui.pending.then(() => loadEntries(seq, { reset: event.resync })).catch((error) => console.debug(error));
    return;
  }
  // No history on the server: the timeline is what this page saw arrive.
  const position = parseToken(snapshot.token);
  if (event.resync || position.epoch !== ui.epoch) ui.entries = [];
  ui.epoch = position.epoch;
  const last = ui.entries.at(-1);
  if (last && snapshot.version <= last.version) return;
  const previous = event.previous && event.previous.epoch === snapshot.epoch ? event.previous : null;
  ui.entries.push({
    version: snapshot.version,
    token: snapshot.token,
    time: snapshot.timestamp ?? null,
    cause: snapshot.cause ?? null,
    causeText: describeCause(snapshot.cause),
    author: null,
    changes: previous ? diff(previous.state, snapshot.state) : null,
    live: true,
  });
  trimEntries();
  renderEntries();
}

/** Loads the entries after the newest one known (or the newest page, on a reset). */
async function loadEntries(seq, { reset }) {
  const name = ui.store.name;
  const after = reset ? null : ui.entries.at(-1)?.version;
  const query = after === null || after === undefined ? `limit=${FIRST_PAGE}` : `after=${after}&limit=1000`;
  const result = await api('GET', `stores/${enc(name)}/versions?${query}`);
  if (seq !== ui.seq) return;
  if (!result.ok) {
    if (result.status !== 401) notify('error', `Could not read the versions of ${name} (${result.status}): ${problemText(result)}`);
    return;
  }
  const epoch = parseToken(String(result.body.token ?? ''))?.epoch ?? null;
  if (reset || epoch !== ui.epoch) ui.entries = [];
  ui.epoch = epoch;
  const last = ui.entries.at(-1)?.version ?? -Infinity;
  const page = result.body.entries ?? [];
  for (const entry of page) {
    if (entry.version > last) ui.entries.push(entry);
  }
  trimEntries();
  renderEntries();
  refreshActions();
  // A full page after a known version: more came than one page holds (a burst): read on.
  if (after !== null && after !== undefined && page.length >= 1000) await loadEntries(seq, { reset: false });
}

function trimEntries() {
  if (ui.entries.length > MAX_ENTRIES) ui.entries.splice(0, ui.entries.length - MAX_ENTRIES);
}

function describeCause(cause) {
  if (cause === null || cause === undefined) return '';
  return typeof cause === 'string' ? cause : preview(cause, 160);
}

/** A JSON Patch from a to b (objects key by key; arrays and scalars replaced whole). */
function diff(a, b, path = '', out = []) {
  if (jsonEquals(a, b)) return out;
  const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject(a) && isObject(b)) {
    for (const key of Object.keys(a)) {
      if (!Object.hasOwn(b, key)) out.push({ op: 'remove', path: `${path}/${pointerToken(key)}` });
    }
    for (const key of Object.keys(b)) {
      const child = `${path}/${pointerToken(key)}`;
      if (!Object.hasOwn(a, key)) out.push({ op: 'add', path: child, value: b[key] });
      else diff(a[key], b[key], child, out);
    }
    return out;
  }
  out.push({ op: 'replace', path, value: b });
  return out;
}

// ---- Timeline ----------------------------------------------------------------------------------

/** What an operation did, in words. */
function describeOp(op) {
  switch (op.op) {
    case 'add': return { kind: 'added', sign: '+', path: op.path, value: op.value, hasValue: true };
    case 'remove': return { kind: 'removed', sign: '−', path: op.path, hasValue: false };
    case 'replace': return { kind: 'changed', sign: '~', path: op.path, value: op.value, hasValue: true };
    case 'move': return { kind: 'moved', sign: '→', path: op.path, from: op.from, hasValue: false };
    case 'copy': return { kind: 'copied', sign: '⧉', path: op.path, from: op.from, hasValue: false };
    default: return null; // 'test' checks, changes nothing
  }
}

function readableChanges(changes) {
  return (changes ?? []).map(describeOp).filter(Boolean);
}

function matches(entry, filter) {
  if (!filter) return true;
  const haystack = [entry.causeText ?? '', entry.author ?? '', `v${entry.version}`,
    ...(entry.changes ?? []).flatMap((op) => [op.path, op.from ?? ''])].join('\n').toLowerCase();
  return haystack.includes(filter);
}

function renderEntries() {
  const list = $('#entries');
  const focused = document.activeElement?.closest?.('#entries button.entry')?.dataset.version;
  const filter = $('#filter').value.trim().toLowerCase();
  const items = [];
  for (let i = ui.entries.length - 1; i >= 0; i--) {
    const entry = ui.entries[i];
    if (matches(entry, filter)) items.push(entryItem(entry));
  }
  list.replaceChildren(...items);
  $('#entries-empty').hidden = items.length > 0 || ui.entries.length === 0;
  if (focused !== undefined) list.querySelector(`button.entry[data-version="${CSS.escape(focused)}"]`)?.focus();
}

function entryItem(entry) {
  const changes = readableChanges(entry.changes);
  const selected = entry.version === ui.selected;
  const summary = el('span', { class: 'entry-changes' });
  for (const change of changes.slice(0, 5)) {
    summary.append(el('span', { class: `change ${change.kind}` },
      el('span', { class: 'sign', 'aria-hidden': 'true', text: change.sign }),
      el('span', { class: 'sr-only', text: `${change.kind} ` }),
      el('span', { class: 'path', text: change.path || '(whole state)' }),
      change.hasValue ? el('span', { class: 'value', text: ` = ${preview(change.value, 40)}` }) : null));
  }
  if (changes.length > 5) summary.append(el('span', { class: 'change more', text: `and ${changes.length - 5} more` }));
  if (entry.changes === null || entry.changes === undefined) {
    summary.append(el('span', { class: 'change none', text: entry.live ? 'first state seen' : 'oldest version kept' }));
  } else if (changes.length === 0) {
    summary.append(el('span', { class: 'change none', text: 'no change to the state' }));
  }
  const cause = entry.causeText || '(no cause recorded)';
  return el('li', { class: 'entry-item' },
    el('button', {
      type: 'button', class: selected ? 'entry selected' : 'entry', 'data-version': entry.version,
      'aria-current': selected ? 'true' : undefined,
      'aria-label': `Version ${entry.version}, ${formatTime(entry.time)}: ${cause}; ${changes.length} change${changes.length === 1 ? '' : 's'}`,
    },
    el('span', { class: 'entry-head' },
      el('span', { class: 'entry-version', text: `v${entry.version}` }),
      el('time', { datetime: entry.time ?? undefined, text: formatTime(entry.time) }),
      entry.author ? el('span', { class: 'entry-author', text: `by ${entry.author}` }) : null),
    el('span', { class: 'entry-cause', text: cause }),
    summary));
}

function onTimelineKey(event) {
  const current = event.target.closest?.('button.entry');
  if (!current) return;
  const buttons = [...$('#entries').querySelectorAll('button.entry')];
  const index = buttons.indexOf(current);
  let next = null;
  if (event.key === 'ArrowDown') next = buttons[index + 1];
  else if (event.key === 'ArrowUp') next = buttons[index - 1];
  else if (event.key === 'Home') next = buttons[0];
  else if (event.key === 'End') next = buttons.at(-1);
  else return;
  event.preventDefault();
  next?.focus();
}

// ---- One version -------------------------------------------------------------------------------

function entryOf(version) {
  return ui.entries.find((entry) => entry.version === version) ?? null;
}

function clearDetail() {
  ui.selected = null;
  ui.selectedState = null;
  $('#detail-title').textContent = 'State';
  $('#detail-meta').textContent = '';
  $('#detail-actions').hidden = true;
  $('#detail-changes-block').hidden = true;
  $('#compare-form').hidden = true;
  $('#compare-block').hidden = true;
  $('#tree').replaceChildren();
  $('#tree').removeAttribute('data-version');
  $('#tree-empty').textContent = 'Select a version in the timeline.';
  $('#tree-empty').hidden = false;
}

async function selectVersion(version, { focus = false } = {}) {
  const seq = ui.seq;
  const name = ui.store.name;
  ui.selected = version;
  for (const button of $('#entries').querySelectorAll('button.entry')) {
    const on = Number(button.dataset.version) === version;
    button.classList.toggle('selected', on);
    if (on) button.setAttribute('aria-current', 'true'); else button.removeAttribute('aria-current');
  }
  const result = await api('GET', `stores/${enc(name)}/state?version=${version}`);
  if (seq !== ui.seq || ui.selected !== version) return;
  const entry = entryOf(version);
  $('#detail-title').textContent = `Version ${version}`;
  $('#detail-meta').replaceChildren(...metaOf(entry, result.body?.token));
  renderEntryChanges(entry);
  $('#compare-block').hidden = true;
  if (!result.ok) {
    ui.selectedState = null;
    $('#tree').replaceChildren();
    $('#tree').removeAttribute('data-version');
    $('#tree-empty').textContent = result.status === 410
      ? (ui.store.history
        ? `Version ${version} is no longer in the history (the oldest kept is ${result.body?.oldest ?? 'unknown'}).`
        : `This store keeps no history: only the current state can be shown.`)
      : `Could not read version ${version} (${result.status}): ${problemText(result)}`;
    $('#tree-empty').hidden = false;
    $('#compare-form').hidden = true;
    refreshActions();
    return;
  }
  ui.selectedState = result.body;
  $('#tree-empty').hidden = true;
  renderTree(result.body.state, version);
  $('#compare-form').hidden = !ui.store.history;
  const older = ui.entries.filter((e) => e.version < version).at(-1);
  $('#compare-with').value = older ? older.version : '';
  refreshActions();
  if (focus) $('#detail-title').focus();
}

function metaOf(entry, token) {
  const parts = [];
  if (token) parts.push(el('span', { class: 'mono', text: token }));
  if (entry?.time) parts.push(el('time', { datetime: entry.time, text: formatDateTime(entry.time) }));
  if (entry?.author) parts.push(el('span', { text: `by ${entry.author}` }));
  if (entry) parts.push(el('span', { class: 'meta-cause', text: entry.causeText || '(no cause recorded)' }));
  return parts.flatMap((part, i) => (i ? [' · ', part] : [part]));
}

function renderEntryChanges(entry) {
  const block = $('#detail-changes-block');
  if (!entry || entry.changes === null || entry.changes === undefined) {
    block.hidden = true;
    return;
  }
  $('#detail-changes').replaceChildren(...changeItems(entry.changes));
  block.hidden = false;
}

function changeItems(ops) {
  const changes = readableChanges(ops);
  if (changes.length === 0) return [el('li', { class: 'change none', text: 'no change' })];
  return changes.map((change) => el('li', { class: `change ${change.kind}` },
    el('span', { class: 'op', text: change.kind }), ' ',
    el('code', { class: 'path', text: change.path || '(whole state)' }),
    change.from !== undefined ? el('span', { text: ` from ${change.from}` }) : null,
    change.hasValue ? el('span', { class: 'value', text: ` = ${preview(change.value, 200)}` }) : null,
    copyButton('path', change.path)));
}

/** Restore and revert: shown only with history; each enabled only when it can mean something. */
function refreshActions() {
  const actions = $('#detail-actions');
  if (!ui.store?.history || ui.selected === null || !ui.selectedState) {
    actions.hidden = true;
    return;
  }
  actions.hidden = false;
  const current = currentToken();
  const isCurrent = current !== null && parseToken(current)?.version === ui.selected;
  const entry = entryOf(ui.selected);
  $('#restore').disabled = isCurrent;
  $('#restore').title = isCurrent ? 'This is the current version' : '';
  const revertable = Boolean(entry && Array.isArray(entry.changes) && entry.changes.length > 0);
  $('#revert').disabled = !revertable;
  $('#revert').title = revertable ? '' : 'The oldest version kept has no recorded change to revert';
}

function currentToken() {
  return ui.client?.token ?? ui.entries.at(-1)?.token ?? ui.store?.token ?? null;
}

// ---- State tree ----------------------------------------------------------------------------------

function renderTree(state, version) {
  const tree = $('#tree');
  tree.replaceChildren(el('ul', { class: 'tree-root' }, treeNode(null, state, '', 0)));
  tree.dataset.version = String(version);
}

function treeNode(key, value, path, depth) {
  const container = value !== null && typeof value === 'object';
  const item = el('li', { class: container ? 'node branch' : 'node leaf', 'data-path': path });
  const row = el('div', { class: 'row' });
  const label = el('span', { class: 'key', text: key === null ? 'state' : String(key) });
  if (!container) {
    row.append(el('span', { class: 'toggle-space', 'aria-hidden': 'true' }), label,
      el('span', { class: 'colon', 'aria-hidden': 'true', text: ': ' }),
      el('span', { class: `value ${value === null ? 'null' : typeof value}`, text: JSON.stringify(value) }));
  } else {
    const isArray = Array.isArray(value);
    const size = isArray ? value.length : Object.keys(value).length;
    const expanded = depth < EXPANDED_DEPTH;
    const toggle = el('button', {
      type: 'button', class: 'toggle', 'aria-expanded': String(expanded),
      'aria-label': `${key === null ? 'state' : key} (${size} ${isArray ? 'items' : 'members'})`,
      text: expanded ? '▾' : '▸',
    });
    const children = el('ul', { class: 'children', role: 'group' });
    children.hidden = !expanded;
    const fill = () => {
      if (children.dataset.filled) return;
      children.dataset.filled = 'true';
      const members = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
      children.append(...members.map(([k, v]) => treeNode(k, v, `${path}/${pointerToken(k)}`, depth + 1)));
    };
    if (expanded) fill();
    toggle.addEventListener('click', () => setExpanded(toggle, children, fill, toggle.getAttribute('aria-expanded') !== 'true'));
    item.expand = (on) => setExpanded(toggle, children, fill, on);
    row.append(toggle, label, el('span', { class: 'size', text: isArray ? ` [${size}]` : ` {${size}}` }));
    item.append(row, children);
  }
  row.append(el('span', { class: 'copies' }, copyButton('path', path), copyButton('value', value, path)));
  if (!container) item.append(row);
  return item;
}

function setExpanded(toggle, children, fill, on) {
  if (on) fill();
  children.hidden = !on;
  toggle.setAttribute('aria-expanded', String(on));
  toggle.textContent = on ? '▾' : '▸';
}

function expandAll(on) {
  // Expanding fills children lazily, so repeat until no collapsed branch is left (bounded).
  for (let round = 0; round < 64; round++) {
    const branches = [...$('#tree').querySelectorAll('li.branch')]
      .filter((node) => (node.querySelector(':scope > .row > .toggle').getAttribute('aria-expanded') === 'true') !== on);
    if (branches.length === 0) return;
    for (const node of branches) node.expand(on);
    if (!on) return;
  }
}

// ---- Copy --------------------------------------------------------------------------------------

/** A button copying a JSON Pointer (what = 'path') or the JSON of a value at path. */
function copyButton(what, subject, path = subject) {
  const where = path || '(root)';
  const text = what === 'path' ? subject : JSON.stringify(subject, null, 2);
  const button = el('button', {
    type: 'button', class: `copy copy-${what}`, title: `Copy the ${what}`, text: what,
    'aria-label': what === 'path' ? `Copy the path ${where}` : `Copy the value at ${where}`,
  });
  button.addEventListener('click', () => copy(text, what === 'path' ? `the path ${where}` : `the value at ${where}`));
  return button;
}

async function copy(text, what) {
  let done = false;
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); done = true; } catch { done = false; }
  }
  if (!done) {
    // Fallback for plain-http origins and denied permissions: a selected, off-screen textarea.
    const area = el('textarea', { readonly: true, class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    const focused = document.activeElement;
    document.body.append(area);
    area.select();
    try { done = document.execCommand('copy'); } catch { done = false; }
    area.remove();
    focused?.focus?.();
  }
  announce(done ? `Copied ${what}.` : `Could not copy ${what}: the browser refused.`);
}

// ---- Compare -----------------------------------------------------------------------------------

async function compare(event) {
  event.preventDefault();
  const to = ui.selected;
  const from = Number($('#compare-with').value);
  if (to === null || !Number.isSafeInteger(from)) return;
  const result = await api('GET', `stores/${enc(ui.store.name)}/diff?from=${from}&to=${to}`);
  if (ui.selected !== to) return;
  const block = $('#compare-block');
  block.hidden = false;
  if (!result.ok) {
    $('#compare-title').textContent = `Diff ${from} → ${to}`;
    $('#compare-result').replaceChildren(el('li', { class: 'change error', text: result.status === 410
      ? `Not available: version ${from} or ${to} is no longer in the history (oldest kept: ${result.body?.oldest ?? 'unknown'}).`
      : `Could not compare (${result.status}): ${problemText(result)}` }));
    return;
  }
  $('#compare-title').textContent = `Diff from version ${from} to version ${to}`;
  $('#compare-result').replaceChildren(...changeItems(result.body.patch));
}

// ---- Restore and revert --------------------------------------------------------------------------

function confirmWrite(kind) {
  const version = ui.selected;
  const token = currentToken();
  if (version === null || !token) return;
  const dialog = $('#confirm');
  $('#confirm-title').textContent = kind === 'restore' ? `Restore version ${version}?` : `Revert the change of version ${version}?`;
  $('#confirm-text').textContent = kind === 'restore'
    ? `The store's state becomes the state it had at version ${version}, committed as a new version. Every version since stays in the history.`
    : `The inverse of what version ${version} changed is applied on top of the current state, as a new version. If a later version changed any of the same paths, nothing is committed and the paths are named.`;
  $('#confirm-token').textContent = token;
  $('#confirm-ok').textContent = kind === 'restore' ? 'Restore' : 'Revert';
  dialog.returnValue = '';
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'ok') write(kind, version, token);
    else $(`#${kind}`).focus();
  }, { once: true });
  dialog.showModal();
  $('#confirm-cancel').focus();
}

async function write(kind, version, token) {
  const name = ui.store.name;
  const result = await api('POST', `stores/${enc(name)}/${kind}`, { body: { version }, ifMatch: token });
  const what = kind === 'restore' ? `Restore of version ${version}` : `Revert of version ${version}`;
  if (result.ok) {
    notify('ok', `${what} committed as version ${result.body?.version} (${result.body?.token}).`);
    const made = result.body?.version;
    try { await ui.client?.waitForVersion(result.body?.token, { timeout: 5000 }); } catch { /* the stream will catch up */ }
    ui.pending = ui.pending.then(() => loadEntries(ui.seq, { reset: false }));
    await ui.pending;
    if (Number.isSafeInteger(made) && entryOf(made)) selectVersion(made);
    return;
  }
  switch (result.status) {
    case 409:
      notify('conflict', `${what} refused: later versions changed the same paths, so nothing was committed. Paths in conflict:`,
        conflictLines(result.body));
      break;
    case 412:
      notify('stale', `${what} refused: the store changed since you looked (you saw ${token}, it is now ${result.body?.current ?? 'newer'}). Nothing was committed; check the timeline and try again.`);
      break;
    case 410:
      notify('error', `${what} refused: that version is no longer in the history (the oldest kept is ${result.body?.oldest ?? 'unknown'}).`);
      break;
    case 401:
      break; // the sign-in dialog is open
    default:
      notify('error', `${what} failed (${result.status}): ${problemText(result)}`);
  }
}

/** The 409 problem's paths, each with the later version that touched it when the server says. */
function conflictLines(problem) {
  const paths = Array.isArray(problem?.paths) ? problem.paths.map(String) : [];
  const details = Array.isArray(problem?.conflicts) ? problem.conflicts : [];
  return paths.map((path) => {
    const later = details.filter((c) => c && c.path === path && c.version !== undefined);
    if (later.length === 0) return path;
    const by = later.map((c) => (c.changed && c.changed !== path ? `version ${c.version} (${c.changed})` : `version ${c.version}`));
    return `${path} — changed again by ${[...new Set(by)].join(', ')}`;
  });
}

// ---- Export ------------------------------------------------------------------------------------

function openExport() {
  if (!$('#export').open) return;
  const first = ui.entries[0];
  const last = ui.entries.at(-1);
  if (first && !$('#export-from').value) $('#export-from').value = first.version;
  if (last && !$('#export-to').value) $('#export-to').value = last.version;
}

async function exportSlice(event) {
  event.preventDefault();
  const name = ui.store.name;
  const from = Number($('#export-from').value);
  const to = Number($('#export-to').value);
  let response;
  try {
    response = await fetch(new URL(`stores/${enc(name)}/export?from=${from}&to=${to}`, API), {
      headers: requestHeaders(), credentials: 'same-origin', cache: 'no-store',
    });
  } catch (error) {
    notify('error', `Export failed: ${error.message}`);
    return;
  }
  if (!response.ok) {
    if (response.status === 401) { askToSignIn(); return; }
    let body = null;
    try { body = await response.json(); } catch { /* not JSON */ }
    notify('error', `Export failed (${response.status}): ${body?.detail ?? body?.title ?? response.statusText}`);
    return;
  }
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const named = /filename="([^"]+)"/.exec(disposition)?.[1];
  const filename = (named ?? `${name}-${from}-${to}.json`).replace(/[\\/]/g, '_');
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  notify('ok', `Exported versions ${from} to ${to} of ${name} as ${filename}.`);
}

// ---- Start -------------------------------------------------------------------------------------

async function start() {
  renderUser();
  if (!(await loadStores())) return;
  const wanted = decodeURIComponent(location.hash.slice(1));
  const store = ui.stores.find((info) => info.name === wanted) ?? ui.stores[0];
  if (store) await selectStore(store.name);
}

$('#stores').addEventListener('click', (event) => {
  const button = event.target.closest('button.store-select');
  if (button) selectStore(button.closest('li.store').dataset.store);
});
$('#stores-refresh').addEventListener('click', () => loadStores());
$('#entries').addEventListener('click', (event) => {
  const button = event.target.closest('button.entry');
  if (button) selectVersion(Number(button.dataset.version));
});
$('#entries').addEventListener('keydown', onTimelineKey);
$('#filter').addEventListener('input', renderEntries);
$('#expand-all').addEventListener('click', () => expandAll(true));
$('#collapse-all').addEventListener('click', () => expandAll(false));
$('#compare-form').addEventListener('submit', compare);
$('#restore').addEventListener('click', () => confirmWrite('restore'));
$('#revert').addEventListener('click', () => confirmWrite('revert'));
$('#export').addEventListener('toggle', openExport);
$('#export-form').addEventListener('submit', exportSlice);
$('#signin').addEventListener('click', askToSignIn);
$('#signout').addEventListener('click', signOut);
$('#login-form').addEventListener('submit', signIn);
$('#login-cancel').addEventListener('click', () => $('#login').close());
$('#notice-close').addEventListener('click', () => { $('#notice').hidden = true; });

start().catch((error) => notify('error', `The inspector could not start: ${error.message}`));
