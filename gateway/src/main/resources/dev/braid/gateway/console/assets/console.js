// The console page: no framework, no inline script (the CSP forbids it), text only through
// textContent so nothing from the server is ever parsed as HTML.
'use strict';

const state = { csrf: null };

function show(view) {
  for (const id of ['login-view', 'home-view']) {
    document.getElementById(id).hidden = id !== view;
  }
  document.getElementById('logout').hidden = view !== 'home-view';
}

function signedIn(session) {
  state.csrf = session.csrf;
  document.getElementById('scopes').textContent = session.scopes.join(', ');
  show('home-view');
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
    show('login-view');
  });
  const r = await api('GET', '/api/session');
  if (r.ok) signedIn(r.data);
  else show('login-view');
}

document.addEventListener('DOMContentLoaded', start);
