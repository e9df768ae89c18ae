// The console page: no framework, no inline script (the CSP forbids it), text only through
// textContent so nothing from the server is ever parsed as HTML.
'use strict';

const state = { csrf: null, timer: null };
// the list and a running run's page are polled: server-sent events come in a later slice
const POLL_MS = 1000;

function show(view) {
  for (const id of ['login-view', 'home-view', 'run-view']) {
    document.getElementById(id).hidden = id !== view;
  }
  document.getElementById('logout').hidden = view === 'login-view';
}

function signedIn(session) {
  state.csrf = session.csrf;
  document.getElementById('scopes').textContent = session.scopes.join(', ');
  route();
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
}

function failureText(f) {
  if (!f) return '';
  let t = (f.type || f.code) + ': ' + f.message;
  if (f.language) t += ' (' + f.language + ')';
  if (f.reason) t += ' [reason: ' + f.reason + ']';
  return t;
}

function poll(fn) {
  clearTimeout(state.timer);
  state.timer = setTimeout(fn, POLL_MS);
}

async function loadRuns() {
  if (location.hash.startsWith('#run/') || state.csrf === null) return;
  const q = new URLSearchParams();
  const status = document.getElementById('filter-status').value;
  const workflow = document.getElementById('filter-workflow').value.trim();
  const id = document.getElementById('filter-id').value.trim();
  if (status) q.set('status', status);
  if (workflow) q.set('workflow', workflow);
  if (id) q.set('q', id);
  const r = await api('GET', '/api/runs?' + q);
  const err = document.getElementById('runs-error');
  if (r.status === 401) { state.csrf = null; show('login-view'); return; }
  err.textContent = r.ok ? '' : (r.data.error || 'HTTP ' + r.status);
  if (r.ok) {
    const body = document.querySelector('#runs tbody');
    const rows = r.data.runs.map((run) => {
      const tr = el('tr');
      tr.dataset.run = run.id;
      const a = el('a', run.id);
      a.href = '#run/' + encodeURIComponent(run.id);
      const td = el('td');
      td.appendChild(a);
      tr.append(td, el('td', run.workflow), el('td', run.status, 'status-' + run.status),
        el('td', new Date(run.started).toLocaleString()), el('td', duration(run.duration_ms), 'num'));
      return tr;
    });
    body.replaceChildren(...rows);
  }
  if (!location.hash.startsWith('#run/')) poll(loadRuns);
}

async function loadRun(id) {
  const r = await api('GET', '/api/runs/' + encodeURIComponent(id));
  if (location.hash !== '#run/' + encodeURIComponent(id)) return;
  if (r.status === 401) { state.csrf = null; show('login-view'); return; }
  const err = document.getElementById('run-error');
  if (!r.ok) { err.textContent = r.data.error || 'HTTP ' + r.status; return; }
  const run = r.data.run;
  document.getElementById('run-id').textContent = run.id;
  document.getElementById('run-workflow').textContent = run.workflow;
  const st = document.getElementById('run-status');
  st.textContent = run.status + (run.cancel_requested && run.status === 'running' ? ' (cancelling)' : '');
  st.className = 'status-' + run.status;
  document.getElementById('run-duration').textContent = duration(run.duration_ms);
  document.getElementById('run-failure').textContent =
    failureText(run.failure) + (run.failed_step ? ' at step ' + run.failed_step : '');
  document.getElementById('cancel').hidden = run.status !== 'running';
  document.getElementById('steps-partial').hidden = !r.data.partial;
  const rows = r.data.steps.map((s) => {
    const tr = el('tr');
    tr.dataset.step = s.step;
    tr.append(el('td', s.step), el('td', s.kind), el('td', s.function), el('td', s.language),
      el('td', s.status, 'status-' + s.status), el('td', s.attempts, 'num'),
      el('td', duration(s.duration_ms), 'num'), el('td', failureText(s.failure)));
    return tr;
  });
  document.querySelector('#steps tbody').replaceChildren(...rows);
  if (run.status === 'running') poll(() => loadRun(id));
}

function route() {
  clearTimeout(state.timer);
  if (state.csrf === null) return;
  const h = location.hash;
  if (h.startsWith('#run/')) {
    document.getElementById('run-error').textContent = '';
    show('run-view');
    loadRun(decodeURIComponent(h.substring(5)));
  } else {
    show('home-view');
    loadRuns();
  }
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // every state-changing request carries the session's CSRF token
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await res.json(); } catch (e) { /* an empty or non-JSON answer */ }
  return { ok: res.ok, status: res.status, data };
}

async function start() {
  document.getElementById('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = document.getElementById('token');
    const err = document.getElementById('login-error');
    err.textContent = '';
    const r = await api('POST', '/api/login', { token: input.value });
    input.value = '';
    if (r.ok) signedIn(r.data);
    else err.textContent = r.data.error || ('login failed: HTTP ' + r.status);
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    state.csrf = null;
    clearTimeout(state.timer);
    show('login-view');
  });
  document.getElementById('cancel').addEventListener('click', async () => {
    const id = decodeURIComponent(location.hash.substring(5));
    const r = await api('POST', '/api/runs/' + encodeURIComponent(id) + '/cancel');
    document.getElementById('run-error').textContent = r.ok ? '' : (r.data.error || 'HTTP ' + r.status);
    route();
  });
  document.getElementById('runs-filter').addEventListener('input', () => loadRuns());
  document.getElementById('runs-filter').addEventListener('submit', (ev) => ev.preventDefault());
  window.addEventListener('hashchange', route);
  const r = await api('GET', '/api/session');
  if (r.ok) signedIn(r.data);
  else show('login-view');
}

document.addEventListener('DOMContentLoaded', start);
