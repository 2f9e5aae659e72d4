// Snapflux feature-flag page: plain ES modules, no build step.
//
// It follows the store with @snapflux/client (clients/js, served from /snapflux-client/), which
// speaks the Snapflux watch protocol 1 (docs/protocol.md): it reads /api/state, follows
// /api/stream over the browser's EventSource (which resumes with Last-Event-ID by itself), takes
// bookmarks, resyncs when the server's history no longer reaches back or the store's epoch changed
// (a restart of the in-memory store), and never applies a patch to the wrong base. The page
// re-renders from the client's newest snapshot ({epoch, version, token, state}). Every write
// carries If-Match with the token of the version the user was looking at; the server refuses it
// (412) only if that flag changed since: the page says so, refreshes, and leaves the user to retry
// on the new state.

import { connect } from '/snapflux-client/index.js';

const $ = (selector) => document.querySelector(selector);
const AUTH_KEY = 'snapflux.basic';

let client = null; // the store's mirror (@snapflux/client)
let snapshot = { epoch: null, version: -1, token: null, state: { flags: {} } };
let editing = null; // { name, creating, baseToken }

/** The version token of a document: the If-Match a write sends. */
const token = (doc) => doc.token;

// ---- HTTP -------------------------------------------------------------------------------------

function authHeader() {
  const token = sessionStorage.getItem(AUTH_KEY);
  return token ? { Authorization: `Basic ${token}` } : {};
}

/** fetch with the page's conventions; resolves to {status, body, headers}. */
async function api(method, path, { body, contentType, ifMatch } = {}) {
  // Writes go through the client (If-Match from a token, the 412 problem parsed). Credentials go
  // only with writes: reads are public, and stale stored credentials (after a password change)
  // must not make them fail.
  if (method !== 'GET') {
    if (!client) return { status: 503, body: { detail: 'the page has not loaded the flags yet' }, headers: new Headers() };
    const result = await client.write(method, path, {
      body, contentType, ifMatch, headers: { 'X-Requested-With': 'XMLHttpRequest', ...authHeader() },
    });
    if (typeof result.body === 'string') result.body = { detail: result.body };
    return result;
  }
  const response = await fetch(path, { headers: { Accept: 'application/json, application/problem+json', 'X-Requested-With': 'XMLHttpRequest' }, cache: 'no-store' });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { detail: text }; }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Handles the answers every write shares; returns true when the write succeeded. */
async function settle(result, what) {
  if (result.status >= 200 && result.status < 300) return true;
  if (result.status === 412) {
    const current = result.body?.currentVersion;
    notify('conflict',
      `Conflict: someone else changed the flags first (now at version ${current ?? '?'}). ` +
      `Your ${what} was not saved — the page has been refreshed, please check and try again.`);
    await refresh();
    return false;
  }
  if (result.status === 401) {
    sessionStorage.removeItem(AUTH_KEY);
    renderUser();
    notify('error', 'Please sign in to change flags.');
    openLogin();
    return false;
  }
  notify('error', `${what[0].toUpperCase()}${what.slice(1)} failed (${result.status}): ${result.body?.detail ?? result.body?.title ?? 'unknown error'}`);
  return false;
}

// ---- State ----------------------------------------------------------------------------------

function display(next) {
  snapshot = next;
  render();
  loadHistory();
  preview();
}

/** After a refused write: re-read the state now rather than wait for the stream. */
async function refresh() {
  await client.refresh().catch(() => {});
}

const STATUS_TEXT = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', closed: 'closed' };

async function start() {
  const status = $('#connection');
  const showStatus = (state) => { status.dataset.state = state; status.textContent = STATUS_TEXT[state]; };
  // The client reads /api/state, then follows the stream; it calls back with every newer
  // snapshot, and with the whole new state after a resync (another epoch or a lost history).
  client = await connect(location.origin, { EventSource: window.EventSource });
  client.onStatus(showStatus);
  showStatus(client.status);
  client.subscribe(display, { immediate: true });
}

// ---- Rendering --------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else if (value !== false && value != null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child != null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function render() {
  $('#version').textContent = snapshot.version;
  const flags = Object.entries(snapshot.state.flags ?? {});
  $('#flag-count').textContent = flags.length ? `(${flags.length})` : '';
  $('#empty').hidden = flags.length > 0;
  const list = $('#flags');
  list.replaceChildren(...flags.map(([name, flag]) => flagRow(name, flag)));
}

function flagRow(name, flag) {
  const toggle = el('input', {
    type: 'checkbox', class: 'switch-input', 'aria-label': `Enable ${name}`,
    onchange: (event) => toggleFlag(name, event.target),
  });
  toggle.checked = flag.enabled;
  return el('li', { class: `flag ${flag.enabled ? 'on' : 'off'}`, dataset: { flag: name } },
    el('label', { class: 'switch', title: flag.enabled ? 'Enabled: click to disable' : 'Disabled: click to enable' },
      toggle, el('span', { class: 'switch-track' })),
    el('div', { class: 'flag-main' },
      el('div', { class: 'flag-title' },
        el('code', { class: 'flag-name' }, name),
        el('span', { class: `pill ${flag.enabled ? 'pill-on' : 'pill-off'} state` }, flag.enabled ? 'on' : 'off'),
        el('span', { class: 'eval', dataset: { evalFor: name } })),
      el('p', { class: 'description' }, flag.description || el('em', {}, 'no description')),
      el('div', { class: 'flag-meta' },
        el('div', { class: 'rollout-bar', title: `${flag.rollout}% of users by stable hash` },
          el('span', { style: `width:${flag.rollout}%` })),
        el('span', { class: 'rollout' }, `${flag.rollout}%`),
        ...flag.allow.map((user) => el('span', { class: 'chip', title: 'always on (allow-list)' }, user)))),
    el('div', { class: 'flag-actions' },
      el('button', { class: 'button small edit', type: 'button', onclick: () => openEditor(name) }, 'Edit'),
      el('button', { class: 'button small danger delete', type: 'button', onclick: () => deleteFlag(name) }, 'Delete')));
}

// ---- History ----------------------------------------------------------------------------------

let historyRequest = 0;

async function loadHistory() {
  const ticket = ++historyRequest;
  const result = await api('GET', '/api/history?limit=30');
  if (ticket !== historyRequest || result.status !== 200) return;
  $('#history').replaceChildren(...result.body.entries.map(historyEntry));
}

function describeCause(cause, version) {
  if (!cause) return version === 0 ? 'initial state' : 'change (no cause recorded)';
  if (cause.action === 'undo') return `undo of v${cause.undoneVersion} (back to v${cause.restoredVersion})`;
  if (cause.action === 'redo') return `redo (back to v${cause.restoredVersion})`;
  if (typeof cause !== 'object') return String(cause);
  return `${cause.action} ${cause.flag ?? ''}`.trim();
}

function show(value) {
  return Array.isArray(value) ? `[${value.join(', ')}]` : JSON.stringify(value);
}

function historyEntry(entry) {
  const changes = entry.changes == null
    ? [el('li', { class: 'muted' }, 'previous version no longer kept')]
    : entry.changes.map((change) => {
      if (change.kind === 'added') return el('li', { class: 'diff-added' }, '+ ', el('code', {}, change.flag), ' created');
      if (change.kind === 'removed') return el('li', { class: 'diff-removed' }, '− ', el('code', {}, change.flag), ' deleted');
      return el('li', { class: 'diff-changed' }, el('code', {}, change.flag), ' ',
        ...change.fields.map((field) => el('span', { class: 'diff-field' },
          `${field}: `, el('del', {}, show(change.before[field])), ' → ', el('ins', {}, show(change.after[field])))));
    });
  const time = new Date(entry.timestamp).toLocaleTimeString();
  return el('li', { class: `history-entry ${entry.cause?.action ?? 'initial'}`, dataset: { version: entry.version } },
    el('div', { class: 'history-head' },
      el('span', { class: 'history-version' }, `v${entry.version}`),
      el('span', { class: 'history-cause' }, describeCause(entry.cause, entry.version)),
      entry.cause?.by ? el('span', { class: 'history-by' }, `by ${entry.cause.by}`) : null,
      el('time', { class: 'history-time', datetime: entry.timestamp }, time)),
    entry.version === 0 ? null : el('ul', { class: 'diff' }, changes));
}

// ---- Writes -----------------------------------------------------------------------------------

async function toggleFlag(name, checkbox) {
  const wanted = checkbox.checked;
  checkbox.checked = !wanted; // the stream shows the result, not the click
  const result = await api('PATCH', `/api/flags/${encodeURIComponent(name)}`, {
    body: { enabled: wanted }, contentType: 'application/merge-patch+json', ifMatch: token(snapshot),
  });
  if (await settle(result, `change to ${name}`)) clearNotice();
}

async function deleteFlag(name) {
  if (!confirm(`Delete flag “${name}”?`)) return;
  const result = await api('DELETE', `/api/flags/${encodeURIComponent(name)}`, { ifMatch: token(snapshot) });
  if (await settle(result, `deletion of ${name}`)) clearNotice();
}

async function undo() {
  const result = await api('POST', '/api/undo', { ifMatch: token(snapshot) });
  if (result.status === 409) { notify('error', result.body?.detail ?? 'Nothing to undo'); return; }
  if (await settle(result, 'undo')) notify('info', `Undid version ${result.body.cause.undoneVersion}: the flags are back to version ${result.body.cause.restoredVersion}.`);
}

function openEditor(name) {
  const creating = name == null;
  const flag = creating ? { enabled: false, rollout: 100, allow: [], description: '' } : snapshot.state.flags[name];
  if (!flag) return;
  editing = { name, creating, baseToken: token(snapshot) };
  $('#editor-title').textContent = creating ? 'New flag' : `Edit ${name}`;
  $('#editor-base').textContent = `Editing version ${snapshot.version}. If someone changes this flag meanwhile, saving is refused rather than overwriting their change.`;
  $('#edit-name').value = creating ? '' : name;
  $('#edit-name').disabled = !creating;
  $('#edit-enabled').checked = flag.enabled;
  $('#edit-rollout').value = flag.rollout;
  $('#edit-rollout-out').textContent = flag.rollout;
  $('#edit-allow').value = flag.allow.join(', ');
  $('#edit-description').value = flag.description;
  $('#editor-error').hidden = true;
  $('#editor').showModal();
  (creating ? $('#edit-name') : $('#edit-description')).focus();
}

async function saveEditor(event) {
  event.preventDefault();
  if (!editing) return;
  const name = editing.creating ? $('#edit-name').value.trim() : editing.name;
  const flag = {
    enabled: $('#edit-enabled').checked,
    rollout: Number($('#edit-rollout').value),
    allow: $('#edit-allow').value.split(',').map((user) => user.trim()).filter(Boolean),
    description: $('#edit-description').value,
  };
  const path = `/api/flags/${encodeURIComponent(name)}`;
  const result = editing.creating
    ? await api('PUT', path, { body: flag, ifMatch: editing.baseToken })
    : await api('PATCH', path, { body: flag, contentType: 'application/merge-patch+json', ifMatch: editing.baseToken });
  if (result.status === 400) {
    const error = $('#editor-error');
    error.textContent = result.body?.detail ?? 'Invalid value';
    error.hidden = false;
    return;
  }
  closeEditor();
  if (await settle(result, `edit of ${name}`)) clearNotice();
}

function closeEditor() {
  editing = null;
  if ($('#editor').open) $('#editor').close();
}

// ---- Preview (evaluate) -----------------------------------------------------------------------

let previewRequest = 0;

async function preview() {
  const user = $('#preview-user').value.trim();
  const ticket = ++previewRequest;
  const cells = [...document.querySelectorAll('[data-eval-for]')];
  if (!user) { cells.forEach((cell) => { cell.textContent = ''; cell.className = 'eval'; }); return; }
  await Promise.all(cells.map(async (cell) => {
    const name = cell.dataset.evalFor;
    const result = await api('GET', `/api/flags/${encodeURIComponent(name)}/evaluate?user=${encodeURIComponent(user)}`);
    if (ticket !== previewRequest || result.status !== 200) return;
    const { enabled, reason, bucket } = result.body;
    cell.className = `eval ${enabled ? 'eval-on' : 'eval-off'}`;
    cell.textContent = `${user}: ${enabled ? 'on' : 'off'}`;
    cell.title = reason === 'rollout' ? `bucket ${bucket} ${enabled ? '<' : '≥'} rollout` : reason;
  }));
}

// ---- Notices and sign-in ----------------------------------------------------------------------

function notify(kind, text) {
  const notice = $('#notice');
  notice.dataset.kind = kind;
  $('#notice-text').textContent = text;
  notice.hidden = false;
}

function clearNotice() {
  if ($('#notice').dataset.kind !== 'conflict') $('#notice').hidden = true;
}

function renderUser() {
  const token = sessionStorage.getItem(AUTH_KEY);
  const user = token ? atob(token).split(':')[0] : null;
  $('#whoami').hidden = !user;
  $('#whoami').textContent = user ? `signed in as ${user}` : '';
  $('#signin').hidden = !!user;
  $('#signout').hidden = !user;
}

function openLogin() {
  $('#login-error').hidden = true;
  if (!$('#login').open) $('#login').showModal();
  $('#login-user').focus();
}

async function login(event) {
  event.preventDefault();
  const user = $('#login-user').value;
  const token = btoa(unescape(encodeURIComponent(`${user}:${$('#login-password').value}`)));
  const response = await fetch('/api/whoami', { headers: { Authorization: `Basic ${token}`, 'X-Requested-With': 'XMLHttpRequest' } });
  if (response.status !== 200) {
    $('#login-error').textContent = 'Those credentials were not accepted.';
    $('#login-error').hidden = false;
    return;
  }
  sessionStorage.setItem(AUTH_KEY, token);
  $('#login-password').value = '';
  $('#login').close();
  renderUser();
  if ($('#notice').dataset.kind === 'error') $('#notice').hidden = true;
}

// ---- Wiring -----------------------------------------------------------------------------------

$('#new-flag').addEventListener('click', () => openEditor(null));
$('#undo').addEventListener('click', undo);
$('#editor-form').addEventListener('submit', saveEditor);
$('#edit-cancel').addEventListener('click', closeEditor);
$('#edit-rollout').addEventListener('input', (event) => { $('#edit-rollout-out').textContent = event.target.value; });
$('#signin').addEventListener('click', openLogin);
$('#signout').addEventListener('click', () => { sessionStorage.removeItem(AUTH_KEY); renderUser(); });
$('#login-form').addEventListener('submit', login);
$('#login-cancel').addEventListener('click', () => $('#login').close());
$('#notice-close').addEventListener('click', () => { $('#notice').hidden = true; });
let previewTimer;
$('#preview-user').addEventListener('input', () => { clearTimeout(previewTimer); previewTimer = setTimeout(preview, 200); });

renderUser();
start().catch((error) => notify('error', `Could not load the flags: ${error.message}`));
