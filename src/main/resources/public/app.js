// LabLoop dashboard: a small single-page app over the REST API (/api/v1) and the live event stream (SSE).
// No build step, no CDN: ECharts comes from a WebJar served by the same server.
'use strict';

const API = '/api/v1';
const app = document.getElementById('app');
const charts = {};            // name -> echarts instance (exposed for end-to-end tests)
window.labloopCharts = charts;
let pageCleanup = [];         // functions to call when leaving a page

// ------------------------------------------------------------------ helpers

const h = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const token = () => localStorage.getItem('labloop.token');
const fmt = (v, digits) => {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v !== 'number') return h(v);
  const a = Math.abs(v);
  if (digits !== undefined) return v.toFixed(digits);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return v.toFixed(a >= 100 ? 1 : 3);
};
// A simulated campaign's clock starts at lab time zero (1970-01-01T00:00Z): show its instants as time into the run
// ("T+1d 02:03:04"), the recorded instant in the tooltip; wall-clock instants as date and time.
const when = (iso, mode) => {
  if (!iso) return '–';
  if (mode !== 'virtual') return h(iso.replace('T', ' ').replace('Z', ''));
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return h(iso);
  const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), p = (n) => String(n).padStart(2, '0');
  const clock = `${p(Math.floor(s % 86400 / 3600))}:${p(Math.floor(s % 3600 / 60))}:${p(s % 60)}`;
  return `<span title="${h(iso)} (virtual)">T+${d > 0 ? d + 'd ' : ''}${clock}</span>`;
};
const minutes = (m) => (m === null || m === undefined) ? '–' : (m < 120 ? `${m.toFixed(1)} min` : `${Math.floor(m / 60)} h ${String(Math.round(m % 60)).padStart(2, '0')} min`);
const badge = (s) => `<span class="badge ${h(s)}">${h(s)}</span>`;

class ApiError extends Error {
  constructor(status, body) { super(body && body.message || `HTTP ${status}`); this.status = status; this.body = body; }
}

async function api(path, options = {}) {
  const headers = Object.assign({ 'Accept': 'application/json' }, options.headers || {});
  if (token()) headers['Authorization'] = 'Bearer ' + token();
  if (options.body !== undefined && typeof options.body !== 'string') {
    headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(options.body);
  }
  const res = await fetch(API + path, Object.assign({}, options, { headers }));
  if (res.status === 401 && path !== '/login') { signOut(); throw new ApiError(401, { message: 'Please sign in' }); }
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// The signature form: what the signature means, and the signer's token typed again in a password field (not shown).
function signDialog(campaignId) {
  return new Promise((resolve) => {
    const d = document.createElement('dialog');
    d.className = 'panel sign-dialog';
    d.innerHTML = `<form method="dialog">
      <h2>Sign campaign <span class="mono">${h(campaignId)}</span></h2>
      <p class="muted">Your signature is recorded in the campaign's audit trail with your name, role and the time.</p>
      <label>What your signature means<br><input id="sign-meaning" maxlength="200" required value="approved to run" style="width:100%"></label>
      <label>Your token, typed again<br><input id="sign-token" type="password" autocomplete="off" required style="width:100%"></label>
      <div style="margin-top:12px;display:flex;gap:8px;justify-content:flex-end">
        <button class="btn" value="cancel" formnovalidate>Cancel</button><button class="btn primary" value="sign" id="sign-ok">Sign</button></div></form>`;
    document.body.appendChild(d);
    d.addEventListener('close', () => {
      const ok = d.returnValue === 'sign';
      const meaning = d.querySelector('#sign-meaning').value.trim();
      const again = d.querySelector('#sign-token').value.trim();
      d.remove();
      resolve(ok ? { meaning, token: again } : null);
    });
    d.showModal();
  });
}

function toast(text) {
  const t = document.createElement('div');
  t.className = 'toast'; t.textContent = text;
  document.body.appendChild(t);
  setTimeout(() => t.remove(), 3500);
}

// Sets an element's HTML when it differs from what was set last; says whether it did.
function setHtml(id, html) {
  const el = document.getElementById(id);
  if (el.dataset.drawn === html) return false;
  el.innerHTML = html;
  el.dataset.drawn = html;
  return true;
}

function errorBox(e) {
  const b = e.body || {};
  const problems = (b.problems || []).map((p) =>
    `<li><span class="mono">${h(p.file)}${p.line ? ':' + p.line : ''}${p.column ? ':' + p.column : ''}</span> ${h(p.message)}${p.hint ? ` <span class="muted">(${h(p.hint)})</span>` : ''}</li>`).join('');
  return `<div class="error" id="error"><b>${h(b.code || 'error')}</b>: ${h(b.message || e.message)}${b.field ? ` <span class="muted">[field: ${h(b.field)}]</span>` : ''}${problems ? `<ul>${problems}</ul>` : ''}</div>`;
}

function chart(name, el) {
  if (charts[name]) charts[name].dispose();
  charts[name] = echarts.init(el, null, { renderer: 'canvas' });
  return charts[name];
}

window.addEventListener('resize', () => Object.values(charts).forEach((c) => c && !c.isDisposed() && c.resize()));

// Reads a server-sent-event stream with fetch, so the bearer token goes in a header (EventSource cannot send one).
function stream(path, after, onEvent) {
  const ctl = new AbortController();
  let last = after;
  let stopped = false;
  (async function loop() {
    while (!stopped) {
      try {
        const res = await fetch(`${API}${path}?after=${last}`, {
          headers: { 'Authorization': 'Bearer ' + token(), 'Accept': 'text/event-stream' }, signal: ctl.signal });
        if (!res.ok) throw new Error('stream ' + res.status);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const chunk = buf.slice(0, i); buf = buf.slice(i + 2);
            const data = [];
            for (const line of chunk.split('\n')) if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            if (data.length) { const e = JSON.parse(data.join('\n')); last = e.seq; onEvent(e); }
          }
        }
      } catch (err) {
        if (stopped) return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return () => { stopped = true; ctl.abort(); };
}

// ------------------------------------------------------------------ routing

function signOut() {
  localStorage.removeItem('labloop.token'); localStorage.removeItem('labloop.who');
  location.hash = '#/login';
}
document.getElementById('logout').addEventListener('click', signOut);

function route() {
  pageCleanup.forEach((f) => f()); pageCleanup = [];
  Object.keys(charts).forEach((k) => { charts[k].dispose(); delete charts[k]; });
  closeDrawer();
  const hash = location.hash || '#/campaigns';
  const signedIn = !!token();
  document.getElementById('sidebar').classList.toggle('hidden', !signedIn);
  if (!signedIn && hash !== '#/login') { location.hash = '#/login'; return; }
  const who = JSON.parse(localStorage.getItem('labloop.who') || 'null');
  document.getElementById('who').innerHTML = who ? `${h(who.name)} <span class="role">· ${h(who.role)}</span>` : '';
  const parts = hash.slice(2).split('/');
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === parts[0]));
  if (parts[0] === 'login') return loginPage();
  if (parts[0] === 'new') return newPage();
  if (parts[0] === 'devices') return devicesPage();
  if (parts[0] === 'campaigns' && parts[1]) return campaignPage(decodeURIComponent(parts[1]));
  return listPage();
}
window.addEventListener('hashchange', route);

// ------------------------------------------------------------------ login

function loginPage() {
  app.innerHTML = `
    <div class="login panel">
      <h1>Sign in to LabLoop</h1>
      <div class="muted">Paste an API token. <span class="mono">labloop serve</span> prints one on first start;
        issue more with <span class="mono">labloop token create --name NAME</span>.</div>
      <form id="login-form">
        <input id="token" type="password" autocomplete="off" placeholder="llt_…" aria-label="API token">
        <button class="btn primary" id="login-button" type="submit">Sign in</button>
      </form>
      <div id="login-error"></div>
    </div>`;
  document.getElementById('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = document.getElementById('token').value.trim();
    try {
      const who = await api('/login', { method: 'POST', body: { token: value } });
      localStorage.setItem('labloop.token', value);
      localStorage.setItem('labloop.who', JSON.stringify(who));
      location.hash = '#/campaigns';
    } catch (e) {
      document.getElementById('login-error').innerHTML = errorBox(e);
    }
  });
}

// ------------------------------------------------------------------ campaign list

async function listPage() {
  app.innerHTML = `
    <div class="page-head"><h1>Campaigns</h1><span class="sub" id="list-sub"></span><span class="spacer"></span>
      <a class="btn primary" href="#/new">New campaign</a></div>
    <div class="panel"><div id="list"></div></div>`;
  const render = async () => {
    // The store lists oldest first: past 200 campaigns, the newest 200 come from the last two pages.
    let data = await api('/campaigns?size=200');
    if (data.total > 200) {
      const last = Math.ceil(data.total / 200);
      const [before, end] = await Promise.all([api(`/campaigns?size=200&page=${last - 1}`), api(`/campaigns?size=200&page=${last}`)]);
      data = Object.assign({}, end, { items: before.items.concat(end.items).slice(-200) });
    }
    document.getElementById('list-sub').textContent = data.total > 200 ? `${data.total} in the store, the newest 200 shown` : `${data.total} in the store`;
    if (!data.items.length) {
      document.getElementById('list').innerHTML = `<div class="empty">No campaigns yet. <a href="#/new">Create one</a> — the SnAr example runs on simulated devices.</div>`;
      return;
    }
    const rows = data.items.slice().reverse().map((c) => {
      const x = c.experiments;
      const best = Object.entries(c.best || {}).map(([k, v]) => `${h(k)} ${v ? fmt(v.value) : '–'}`).join('<br>');
      return `<tr class="clickable" data-id="${h(c.id)}">
        <td><div><b>${h(c.name)}</b></div><div class="mono muted">${h(c.id)}</div></td>
        <td>${c.live ? '<span class="live-dot"></span>' : ''}${badge(c.status)}</td>
        <td style="min-width:180px"><div class="progress"><div style="width:${(c.progress * 100).toFixed(1)}%"></div></div>
          <div class="muted" style="font-size:12px;margin-top:3px">${x.completed + x.failed} / ${c.budget ?? '?'} experiments</div></td>
        <td class="num">${x.completed}</td><td class="num">${x.failed}</td><td class="num">${x.proposed + x.running}</td>
        <td class="mono" style="font-size:12px">${best}</td>
        <td class="muted">${h(c.planner || '')}</td>
        <td class="num muted">${minutes(c.elapsed_minutes)}</td></tr>`;
    }).join('');
    document.getElementById('list').innerHTML = `<table id="campaign-table"><thead><tr><th>Campaign</th><th>State</th><th>Progress</th>
      <th class="num">Done</th><th class="num">Failed</th><th class="num">In lab</th><th>Best so far</th><th>Planner</th><th class="num">Lab time</th></tr></thead>
      <tbody>${rows}</tbody></table>`;
    document.querySelectorAll('#campaign-table tr[data-id]').forEach((tr) =>
      tr.addEventListener('click', () => { location.hash = '#/campaigns/' + encodeURIComponent(tr.dataset.id); }));
  };
  await render().catch((e) => { document.getElementById('list').innerHTML = errorBox(e); });
  const timer = setInterval(() => render().catch(() => {}), 1000);
  pageCleanup.push(() => clearInterval(timer));
}

// ------------------------------------------------------------------ new campaign

async function newPage() {
  app.innerHTML = `
    <div class="page-head"><h1>New campaign</h1><span class="sub">Paste the three files (YAML, or JSON), or start from an example. Nothing is created unless all three are valid.</span></div>
    <div class="panel">
      <div class="form-row">
        <label>Example <select id="example"><option value="">—</option></select></label>
        <button class="btn" id="load-example">Load</button>
        <label>Seed <input id="seed" type="number" placeholder="from file" style="width:110px"></label>
        <span class="spacer"></span>
        <button class="btn" id="create">Create</button>
        <button class="btn primary" id="create-start">Create and start</button>
      </div>
      <div id="create-error"></div>
      <div class="grid" style="grid-template-columns:repeat(3,minmax(0,1fr))">
        <div><h2>campaign</h2><textarea id="src-campaign" spellcheck="false"></textarea></div>
        <div><h2>workcell</h2><textarea id="src-workcell" spellcheck="false"></textarea></div>
        <div><h2>protocol</h2><textarea id="src-protocol" spellcheck="false"></textarea></div>
      </div>
    </div>`;
  try {
    const ex = await api('/examples');
    const sel = document.getElementById('example');
    ex.items.forEach((e) => { const o = document.createElement('option'); o.value = e.name; o.textContent = e.name; sel.appendChild(o); });
    if (ex.items.length) sel.value = ex.items[0].name;
  } catch (e) { /* examples are optional */ }
  const loadExample = async () => {
    const name = document.getElementById('example').value;
    if (!name) return;
    try {
      const ex = await api('/examples/' + encodeURIComponent(name));
      for (const role of ['campaign', 'workcell', 'protocol']) document.getElementById('src-' + role).value = ex[role];
    } catch (e) { document.getElementById('create-error').innerHTML = errorBox(e); }
  };
  document.getElementById('load-example').addEventListener('click', loadExample);
  const submit = async (start) => {
    const body = { start };
    for (const role of ['campaign', 'workcell', 'protocol']) body[role] = document.getElementById('src-' + role).value;
    const seed = document.getElementById('seed').value;
    if (seed !== '') body.seed = Number(seed);
    try {
      const c = await api('/campaigns', { method: 'POST', body });
      toast(`Created ${c.id}`);
      location.hash = '#/campaigns/' + encodeURIComponent(c.id);
    } catch (e) {
      document.getElementById('create-error').innerHTML = errorBox(e);
    }
  };
  document.getElementById('create').addEventListener('click', () => submit(false));
  document.getElementById('create-start').addEventListener('click', () => submit(true));
  // The example shown as chosen is the one in the boxes, so "Create and start" does what it says at once; text
  // pasted before it arrives is kept.
  const empty = () => ['campaign', 'workcell', 'protocol'].every((r) => !document.getElementById('src-' + r).value.trim());
  if (empty()) {
    const name = document.getElementById('example').value;
    if (name) {
      try {
        const ex = await api('/examples/' + encodeURIComponent(name));
        if (empty()) for (const role of ['campaign', 'workcell', 'protocol']) document.getElementById('src-' + role).value = ex[role];
      } catch (e) { /* the Load button says why */ }
    }
  }
}

// ------------------------------------------------------------------ campaign page

async function campaignPage(id) {
  const enc = encodeURIComponent(id);
  app.innerHTML = `
    <div class="page-head">
      <div><h1 id="c-name">${h(id)}</h1><div class="sub mono" id="c-id">${h(id)}</div></div>
      <span id="c-status"></span><span id="c-live" class="sub"></span>
      <span class="spacer"></span>
      <button class="btn primary" id="btn-start">Start</button>
      <button class="btn" id="btn-start-with" title="Start with other campaigns on the same workcell, one plan for all">Start with…</button>
      <button class="btn" id="btn-pause" title="No new experiments; those in the lab finish">Pause</button>
      <button class="btn" id="btn-pause-now" title="No step starts from now on; running steps finish">Pause now</button>
      <button class="btn" id="btn-resume">Resume</button>
      <button class="btn danger" id="btn-abort">Abort</button>
      <a class="btn" id="btn-csv" href="#">CSV</a>
      <a class="btn" id="btn-json" href="#">JSON</a>
    </div>
    <div id="c-error"></div>
    <div id="c-approval"></div>
    <div id="c-requests"></div>
    <div class="panel" style="margin-bottom:16px">
      <div style="display:flex;justify-content:space-between;margin-bottom:6px"><b>Progress</b><span id="c-progress-text" class="muted"></span></div>
      <div class="progress big"><div id="c-progress" style="width:0%"></div></div>
    </div>
    <div class="grid kpis" id="kpis"></div>
    <div class="grid two">
      <div class="panel"><div class="chart-head"><h2>Best so far</h2><span class="spacer"></span>
        <label>objective <select id="best-obj"></select></label></div><div class="chart" id="chart-best"></div></div>
      <div class="panel"><div class="chart-head"><h2>Parameter vs objective</h2><span class="spacer"></span>
        <label>x <select id="sc-x"></select></label><label>y <select id="sc-y"></select></label></div><div class="chart" id="chart-scatter"></div></div>
      <div class="panel"><div class="chart-head"><h2>Pareto front</h2><span class="spacer"></span>
        <label>x <select id="pf-x"></select></label><label>y <select id="pf-y"></select></label></div><div class="chart" id="chart-pareto"></div></div>
      <div class="panel"><div class="chart-head"><h2>Live events</h2><span class="spacer"></span><span class="muted mono" id="feed-seq"></span></div>
        <div class="feed" id="feed"></div></div>
    </div>
    <div class="panel section"><div class="chart-head"><h2>Device activity</h2><span id="gantt-legend"></span><span class="spacer"></span><span class="muted">lab time in minutes since the campaign was created · scroll to zoom</span></div>
      <div class="chart tall" id="chart-gantt"></div></div>
    <div class="panel section"><div class="chart-head"><h2>Experiments</h2><span class="spacer"></span><span class="muted">click a row for its provenance</span></div>
      <div class="table-wrap" id="x-table"></div></div>`;

  let detail = null; let experiments = []; let lastSeq = 0;
  const sel = { best: null, sx: null, sy: null, px: null, py: null };
  const cBest = chart('best', document.getElementById('chart-best'));
  const cScatter = chart('scatter', document.getElementById('chart-scatter'));
  const cPareto = chart('pareto', document.getElementById('chart-pareto'));
  const cGantt = chart('gantt', document.getElementById('chart-gantt'));

  const control = (action, body) => async () => {
    try {
      await api(`/campaigns/${enc}/${action}`, { method: 'POST', body: body || {} });
      toast(`${action} requested`);
      schedule();
    } catch (e) { document.getElementById('c-error').innerHTML = errorBox(e); }
  };
  document.getElementById('btn-start').addEventListener('click', control('start'));
  // Campaigns on the same workcell that could start too: offered, the person picks (ids, comma-separated).
  document.getElementById('btn-start-with').addEventListener('click', async () => {
    try {
      const all = await api('/campaigns?status=created,interrupted&size=1000');
      const cell = detail && detail.workcell;
      const others = all.items.filter((c) => c.id !== id && c.workcell === cell).map((c) => c.id);
      if (!others.length) { toast(`no other campaign on workcell ${cell} is waiting to start`); return; }
      const answer = prompt(`Start together on workcell ${cell}, higher priority first, with (comma-separated):`, others.join(', '));
      if (answer === null) return;
      const ids = answer.split(',').map((x) => x.trim()).filter(Boolean);
      control('start', { together_with: ids })();
    } catch (e) { document.getElementById('c-error').innerHTML = errorBox(e); }
  });
  const pause = (immediate) => () => {
    const reason = prompt(immediate ? 'Pause now: no step starts from now on. Reason:' : 'Pause: no new experiments; those in the lab finish. Reason:', 'paused from the dashboard');
    if (reason !== null) control('pause', { reason, immediate })();
  };
  document.getElementById('btn-pause').addEventListener('click', pause(false));
  document.getElementById('btn-pause-now').addEventListener('click', pause(true));
  document.getElementById('btn-resume').addEventListener('click', control('resume', { reason: 'resumed from the dashboard' }));
  document.getElementById('btn-abort').addEventListener('click', () => {
    const reason = prompt('Abort this campaign for good? Running steps are cancelled.\nReason:', 'aborted from the dashboard');
    if (reason !== null) control('abort', { reason })();
  });
  const download = (format) => async (ev) => {
    ev.preventDefault();
    const res = await fetch(`${API}/campaigns/${enc}/dataset?format=${format}`, { headers: { Authorization: 'Bearer ' + token() } });
    if (!res.ok) {
      // An error answer is shown, never saved as the dataset.
      const type = res.headers.get('Content-Type') || '';
      const body = type.includes('json') ? await res.json() : { message: await res.text() };
      if (res.status === 401) signOut();
      document.getElementById('c-error').innerHTML = errorBox(new ApiError(res.status, body));
      return;
    }
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob); a.download = `${id}.${format}`; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  document.getElementById('btn-csv').addEventListener('click', download('csv'));
  document.getElementById('btn-json').addEventListener('click', download('json'));

  const fillSelect = (elId, options, current) => {
    const el = document.getElementById(elId);
    if (el.options.length !== options.length) {
      el.innerHTML = options.map((o) => `<option value="${h(o)}">${h(o)}</option>`).join('');
      if (current && options.includes(current)) el.value = current;
    }
    return el.value;
  };

  const renderHead = () => {
    const c = detail;
    document.getElementById('c-name').textContent = c.name;
    document.getElementById('c-id').textContent = `${c.id} · planner ${c.planner} · seed ${c.seed} · workcell ${c.workcell}`;
    document.getElementById('c-status').innerHTML = badge(c.status);
    document.getElementById('c-status').dataset.status = c.status;
    document.getElementById('c-live').innerHTML = c.live ? '<span class="live-dot"></span>live'
      : (c.run_elsewhere ? '<span class="live-dot"></span>run by another process' : '');
    const can = JSON.parse(localStorage.getItem('labloop.who') || '{}').role !== 'viewer';
    // Panels with buttons are redrawn only when what they show changes: a button redrawn under the pointer every
    // refresh would swallow the click.
    const requestsChanged = setHtml('c-requests', (c.open_requests || []).map((r) => `
      <div class="panel request" style="margin-bottom:16px"><b>Operator request</b> <span class="mono">${h(r.id)}</span>
        <div>${h(r.message)}</div>
        <button class="btn primary" data-ack="${h(r.id)}" ${can ? '' : 'disabled'}>Acknowledge…</button></div>`).join(''));
    if (requestsChanged) document.querySelectorAll('#c-requests [data-ack]').forEach((b) => b.addEventListener('click', async () => {
      const note = prompt(`Acknowledge request ${b.dataset.ack}: what did you do about it?`, '');
      if (note === null) return;
      try {
        await api(`/campaigns/${enc}/requests/${encodeURIComponent(b.dataset.ack)}/ack`, { method: 'POST', body: { note } });
        toast('request acknowledged');
        schedule();
      } catch (e) { document.getElementById('c-error').innerHTML = errorBox(e); }
    }));
    // Electronic signatures the campaign's file asks for before it runs; each signer gives their token again.
    const ap = c.approval || { signatures_needed: 0, signatures: [], missing: 0 };
    const me = JSON.parse(localStorage.getItem('labloop.who') || '{}').name;
    const signedByMe = ap.signatures.some((g) => g.signer.toLowerCase() === String(me || '').toLowerCase());
    const approvalChanged = setHtml('c-approval', ap.signatures_needed === 0 && !ap.signatures.length ? '' : `
      <div class="panel" id="approval" style="margin-bottom:16px"><b>Approval</b>
        <span class="muted">${ap.signatures.length} of ${ap.signatures_needed} signatures${ap.missing ? ` · waits for ${ap.missing} more before it runs` : ''}</span>
        <ul>${ap.signatures.map((g) => `<li>signed by <b>${h(g.signer)}</b> (${h(g.role)}) at <span class="mono">${h(g.signed_at)}</span>: “${h(g.meaning)}”</li>`).join('')}</ul>
        ${ap.missing && !c.started_at ? `<button class="btn primary" id="btn-sign" ${can && !signedByMe ? '' : 'disabled'}>${signedByMe ? 'You have signed' : 'Sign…'}</button>` : ''}</div>`);
    const signBtn = document.getElementById('btn-sign');
    if (signBtn && approvalChanged) signBtn.addEventListener('click', async () => {
      const answer = await signDialog(id);
      if (!answer) return;
      try {
        await api(`/campaigns/${enc}/sign`, { method: 'POST', body: answer });
        document.getElementById('c-error').innerHTML = '';
        toast('signed');
        schedule();
      } catch (e) { document.getElementById('c-error').innerHTML = errorBox(e); }
    });
    const done = c.experiments.completed + c.experiments.failed;
    document.getElementById('c-progress').style.width = (c.progress * 100).toFixed(1) + '%';
    document.getElementById('c-progress-text').textContent = c.status === 'completed' && c.end_reason
      ? `${done} of ${c.budget} experiments · ${c.end_reason}`
      : `${done} of ${c.budget} experiments · ${c.experiments.proposed + c.experiments.running} in the lab`;
    const st = c.status;
    document.getElementById('btn-start').disabled = !can || c.live || ap.missing > 0 || !['created', 'interrupted', 'failed'].includes(st);
    document.getElementById('btn-start-with').disabled = document.getElementById('btn-start').disabled;
    const driven = c.live || c.run_elsewhere;
    document.getElementById('btn-pause').disabled = !can || !driven || st !== 'running';
    document.getElementById('btn-pause-now').disabled = !can || !driven || !(st === 'running' || (st === 'paused' && !c.paused_immediately));
    // A pause made for an operator request is lifted by answering it, not by Resume.
    const waitsForAnswer = c.paused_by === 'engine' && (c.open_requests || []).length > 0;
    document.getElementById('btn-resume').disabled = !can || !driven || st !== 'paused' || waitsForAnswer;
    document.getElementById('btn-abort').disabled = !can || ['completed', 'aborted'].includes(st);
    const kpi = (label, value, note) => `<div class="panel kpi"><div class="label">${h(label)}</div><div class="value">${value}</div><div class="note">${note || ''}</div></div>`;
    const objs = (c.objectives || []).map((o) => {
      const b = (c.best || {})[o.name];
      const note = [h(o.direction), o.unit ? h(o.unit) : null, b ? `<a href="#" data-exp="${h(b.experiment)}">${h(b.experiment)}</a>` : null].filter((v) => v).join(' · ');
      return kpi(`best ${o.name}`, b ? fmt(b.value) : '–', note);
    }).join('');
    document.getElementById('kpis').innerHTML =
      kpi('completed', c.experiments.completed, `of ${c.budget}`) +
      kpi('failed', c.experiments.failed, '') +
      kpi('in the lab', c.experiments.proposed + c.experiments.running, `batch size ${c.batch_size}`) +
      objs +
      (c.constraints && c.constraints.length
        ? kpi('constraints', `${experiments.filter((x) => x.feasible === true).length} met`,
          `${c.constraints.map(h).join(' · ')} · of ${c.experiments.completed} completed`)
        : '') +
      kpi('lab time', minutes(c.elapsed_minutes), c.time_mode === 'virtual' ? 'virtual (simulated devices)' : (c.time_mode || ''));
    document.querySelectorAll('#kpis [data-exp]').forEach((a) => a.addEventListener('click', (ev) => { ev.preventDefault(); openExperiment(id, a.dataset.exp); }));
  };

  const value = (x, name) => {
    if (x.measurements[name]) return x.measurements[name].value;
    const p = x.parameters[name];
    return typeof p === 'number' ? p : null;
  };

  const renderCharts = () => {
    const objectives = (detail.objectives || []).map((o) => o.name);
    const params = (detail.parameters || []).map((p) => p.name);
    const dir = Object.fromEntries((detail.objectives || []).map((o) => [o.name, o.direction]));
    const unit = Object.fromEntries([...(detail.objectives || []), ...(detail.parameters || [])].map((o) => [o.name, o.unit]));
    const label = (n) => unit[n] ? `${n} (${unit[n]})` : n;
    const done = experiments.filter((x) => x.status === 'completed').sort((a, b) => a.index - b.index);
    const axisStyle = { nameLocation: 'middle', splitLine: { lineStyle: { color: '#eef1f6' } }, axisLine: { lineStyle: { color: '#9aa4b5' } } };
    const grid = { left: 84, right: 24, top: 24, bottom: 48 };

    // Best so far against experiment number.
    sel.best = fillSelect('best-obj', objectives, sel.best);
    const ob = sel.best;
    let best = null; const bestLine = []; const each = [];
    for (const x of done) {
      const v = value(x, ob); if (v === null) continue;
      // Under outcome constraints only feasible experiments can be the best (as the API's "best" says).
      if (x.feasible !== false && (best === null || (dir[ob] === 'maximise' ? v > best : v < best))) best = v;
      bestLine.push([x.index, best]); each.push([x.index, v, x.id]);
    }
    cBest.setOption({
      animation: false, grid, tooltip: { trigger: 'axis' },
      xAxis: Object.assign({ type: 'value', name: 'experiment #', nameGap: 30, min: 0, max: detail.budget }, axisStyle),
      yAxis: Object.assign({ type: 'value', name: label(ob), nameGap: 62, scale: true }, axisStyle),
      series: [
        { name: 'measured', type: 'scatter', data: each, symbolSize: 6, itemStyle: { color: '#9db7f5' } },
        { name: 'best so far', type: 'line', step: 'end', data: bestLine, showSymbol: false, lineStyle: { width: 2.5, color: '#0f9d6b' } }]
    }, true);

    // Any parameter (or objective) against any objective.
    sel.sx = fillSelect('sc-x', [...params, ...objectives], sel.sx);
    sel.sy = fillSelect('sc-y', [...objectives, ...params], sel.sy);
    const pts = done.map((x) => [value(x, sel.sx), value(x, sel.sy), x.id]).filter((p) => p[0] !== null && p[1] !== null);
    cScatter.setOption({
      animation: false, grid, tooltip: { formatter: (p) => `${p.data[2]}<br>${sel.sx}: ${fmt(p.data[0])}<br>${sel.sy}: ${fmt(p.data[1])}` },
      xAxis: Object.assign({ type: 'value', name: label(sel.sx), nameGap: 30, scale: true }, axisStyle),
      yAxis: Object.assign({ type: 'value', name: label(sel.sy), nameGap: 62, scale: true }, axisStyle),
      series: [{ type: 'scatter', data: pts, symbolSize: 8, itemStyle: { color: '#2563eb', opacity: 0.75 } }]
    }, true);

    // Pareto front of two objectives.
    const ox = fillSelect('pf-x', objectives, sel.px || objectives[0]);
    const oy = fillSelect('pf-y', objectives, sel.py || objectives[1] || objectives[0]);
    if (!sel.px) { document.getElementById('pf-y').value = objectives[1] || objectives[0]; }
    sel.px = document.getElementById('pf-x').value; sel.py = document.getElementById('pf-y').value;
    const all = done.map((x) => [value(x, sel.px), value(x, sel.py), x.id]).filter((p) => p[0] !== null && p[1] !== null);
    const sx = dir[sel.px] === 'maximise' ? 1 : -1; const sy = dir[sel.py] === 'maximise' ? 1 : -1;
    const dominated = (a, b) => sx * b[0] >= sx * a[0] && sy * b[1] >= sy * a[1] && (sx * b[0] > sx * a[0] || sy * b[1] > sy * a[1]);
    const front = all.filter((a) => !all.some((b) => dominated(a, b))).sort((a, b) => a[0] - b[0]);
    cPareto.setOption({
      animation: false, grid, legend: { top: 0, right: 0, textStyle: { fontSize: 11 } },
      tooltip: { formatter: (p) => `${p.data[2]}<br>${sel.px}: ${fmt(p.data[0])}<br>${sel.py}: ${fmt(p.data[1])}` },
      xAxis: Object.assign({ type: 'value', name: `${label(sel.px)} · ${dir[sel.px] || ''}`, nameGap: 30, scale: true }, axisStyle),
      yAxis: Object.assign({ type: 'value', name: `${label(sel.py)} · ${dir[sel.py] || ''}`, nameGap: 62, scale: true }, axisStyle),
      series: [
        { name: 'experiments', type: 'scatter', data: all, symbolSize: 7, itemStyle: { color: '#b8c2d3' } },
        { name: `Pareto front (${front.length})`, type: 'line', data: front, symbolSize: 10, step: false,
          lineStyle: { color: '#d97706', width: 2 }, itemStyle: { color: '#d97706' } }]
    }, true);
    void ox; void oy;

    // Gantt chart: one row per device of the workcell (one per position in use on a device with several), one bar
    // per step.
    const used = {};
    for (const x of experiments) for (const s of x.steps) {
      if (s.position !== null && s.position !== undefined) (used[s.device] = used[s.device] || new Set()).add(s.position);
    }
    const devices = [];
    for (const d of (detail.devices || [])) {
      if (used[d.name]) [...used[d.name]].sort((a, b) => a - b).forEach((p) => devices.push(`${d.name} #${p}`));
      else devices.push(d.name);
    }
    const rowOf = (s) => devices.indexOf(s.position !== null && s.position !== undefined ? `${s.device} #${s.position}` : s.device);
    const stepNames = ((detail.protocol || {}).steps || []).map((s) => s.name);
    const palette = ['#2563eb', '#0f9d6b', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
    const now = detail.elapsed_minutes;
    const bars = [];
    for (const x of experiments) for (const s of x.steps) {
      const row = rowOf(s); if (row < 0) continue;
      const end = s.end_min === null ? now : s.end_min;
      bars.push({ value: [row, s.start_min, end, x.id, s.name, s.status],
        itemStyle: { color: s.status === 'failed' ? '#dc2626' : palette[Math.max(0, stepNames.indexOf(s.name)) % palette.length], opacity: s.end_min === null ? 0.55 : 0.9 } });
    }
    document.getElementById('gantt-legend').innerHTML = stepNames.map((n, i) =>
      `<span style="display:inline-flex;align-items:center;gap:4px;margin-left:10px;font-size:12px"><i style="width:10px;height:10px;border-radius:2px;background:${palette[i % palette.length]};display:inline-block"></i>${h(n)}</span>`).join('');
    cGantt.setOption({
      animation: false, grid: { left: 90, right: 20, top: 10, bottom: 40 },
      tooltip: { formatter: (p) => `${p.value[3]} · ${p.value[4]}<br>${devices[p.value[0]]}: ${fmt(p.value[1], 1)}–${fmt(p.value[2], 1)} min<br>${p.value[5]}` },
      xAxis: Object.assign({ type: 'value', name: 'lab time (min)', nameGap: 30, min: 0, max: (v) => Math.ceil(Math.max(v.max, 1)) }, axisStyle),
      yAxis: { type: 'category', data: devices, inverse: true, axisTick: { show: false }, axisLine: { lineStyle: { color: '#9aa4b5' } } },
      dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' }],
      series: [{ type: 'custom', encode: { x: [1, 2], y: 0 }, data: bars,
        renderItem: (params, api) => {
          const row = api.value(0); const start = api.coord([api.value(1), row]); const end = api.coord([api.value(2), row]);
          const height = api.size([0, 1])[1] * 0.62;
          const rect = echarts.graphic.clipRectByRect({ x: start[0], y: start[1] - height / 2, width: Math.max(1, end[0] - start[0]), height },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
          return rect && { type: 'rect', transition: [], shape: rect, style: api.style() };
        } }]
    }, true);
  };

  const renderTable = () => {
    const objectives = (detail.objectives || []).map((o) => o.name);
    const params = (detail.parameters || []).map((p) => p.name);
    const constrained = (detail.constraints || []).length > 0;
    const rows = experiments.slice().sort((a, b) => b.index - a.index).map((x) => `
      <tr class="clickable" data-exp="${h(x.id)}"><td class="mono">${h(x.id)}</td><td>${badge(x.status)}</td>
      ${params.map((p) => `<td class="num">${fmt(x.parameters[p])}</td>`).join('')}
      ${objectives.map((o) => `<td class="num"><b>${x.measurements[o] ? fmt(x.measurements[o].value) : '–'}</b></td>`).join('')}
      ${constrained ? `<td>${x.feasible === true ? 'yes' : x.feasible === false ? '<span class="muted">no</span>' : '–'}</td>` : ''}
      <td class="muted" style="font-size:12px">${h([...new Set(x.steps.map((s) => s.device))].join(' → '))}</td>
      <td class="muted">${h(x.planner)}</td></tr>`).join('');
    document.getElementById('x-table').innerHTML = `<table id="experiment-table"><thead><tr><th>Experiment</th><th>Status</th>
      ${params.map((p) => `<th class="num">${h(p)}</th>`).join('')}${objectives.map((o) => `<th class="num">${h(o)}</th>`).join('')}
      ${constrained ? '<th>Meets constraints</th>' : ''}<th>Devices</th><th>Planner</th></tr></thead><tbody>${rows || `<tr><td colspan="99" class="empty">No experiments yet.</td></tr>`}</tbody></table>`;
    document.querySelectorAll('#experiment-table tr[data-exp]').forEach((tr) => tr.addEventListener('click', () => openExperiment(id, tr.dataset.exp)));
  };

  let pending = null; let busy = false;
  const refresh = async () => {
    if (busy) { schedule(); return; }
    busy = true;
    try {
      const [d, xs] = await Promise.all([api(`/campaigns/${enc}`), api(`/campaigns/${enc}/experiments?size=1000`)]);
      detail = d; experiments = xs.items;
      renderHead(); renderCharts(); renderTable();
      document.getElementById('app').dataset.lastSeq = d.last_seq;
    } catch (e) {
      document.getElementById('c-error').innerHTML = errorBox(e);
    } finally { busy = false; }
  };
  const schedule = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 250); };
  ['best-obj', 'sc-x', 'sc-y', 'pf-x', 'pf-y'].forEach((elId) => document.getElementById(elId).addEventListener('change', () => {
    sel.best = document.getElementById('best-obj').value; sel.sx = document.getElementById('sc-x').value; sel.sy = document.getElementById('sc-y').value;
    sel.px = document.getElementById('pf-x').value; sel.py = document.getElementById('pf-y').value;
    renderCharts();
  }));

  await refresh();
  const feed = document.getElementById('feed');
  const describe = (e) => {
    const b = e.body;
    const parts = [b.experimentId, b.stepName || (b.step !== undefined ? 'step ' + b.step : null), b.device, b.name && b.value !== undefined ? `${b.name}=${fmt(b.value)}` : null, b.reason].filter((v) => v !== undefined && v !== null);
    return parts.join(' · ');
  };
  const stop = stream(`/campaigns/${enc}/stream`, Math.max(0, (detail ? detail.last_seq : 0) - 25), (e) => {
    lastSeq = e.seq;
    const line = document.createElement('div');
    line.innerHTML = `<span class="muted">#${e.seq}</span> <span class="t">${h(e.type)}</span> ${h(describe(e))} <span class="muted">${h(e.actor)}</span>`;
    feed.prepend(line);
    while (feed.childElementCount > 200) feed.lastElementChild.remove();
    document.getElementById('feed-seq').innerHTML = `event #${e.seq} · ${when(e.at, detail && detail.time_mode)}`;
    app.dataset.streamSeq = e.seq;
    if (!detail || e.seq > detail.last_seq) schedule();
  });
  pageCleanup.push(stop, () => clearTimeout(pending));
}

// ------------------------------------------------------------------ provenance drawer

function closeDrawer() { const d = document.getElementById('drawer'); d.classList.add('hidden'); d.innerHTML = ''; }
document.getElementById('drawer').addEventListener('click', (ev) => { if (ev.target.id === 'drawer') closeDrawer(); });
document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeDrawer(); });

async function openExperiment(campaign, eid) {
  const d = document.getElementById('drawer');
  d.classList.remove('hidden');
  d.innerHTML = `<div class="sheet" id="provenance"><div class="muted">Loading ${h(eid)}…</div></div>`;
  try {
    const x = await api(`/campaigns/${encodeURIComponent(campaign)}/experiments/${encodeURIComponent(eid)}`);
    const kv = (pairs) => `<div class="kv">${pairs.map(([k, v]) => `<div>${h(k)}</div><div>${v}</div>`).join('')}</div>`;
    d.firstElementChild.innerHTML = `
      <div class="page-head"><h1 class="mono">${h(x.id)}</h1>${badge(x.status)}<span class="spacer"></span><button class="btn" id="close-drawer">Close</button></div>
      <h2>Provenance</h2>
      ${kv([['campaign', `<span class="mono">${h(x.campaign)}</span>`], ['proposed by', `${h(x.planner)} ${h(x.planner_version)}`], ['rationale', h(x.rationale)],
        ['proposed at', when(x.proposed_at, x.time_mode)], ['ended at', when(x.ended_at, x.time_mode)], ['seed', h(x.seed)], ['software', h(x.software_version)],
        ...x.sources.map((s) => [`${s.role} file sha256`, `<span class="mono" style="font-size:11px">${h(s.sha256)}</span>`]),
        ...(x.failure ? [['failure', h(x.failure)]] : [])])}
      <h2>Parameters</h2>${kv(Object.entries(x.parameters).map(([k, v]) => [k, fmt(v)]))}
      <h2>Measurements</h2>
      <table><thead><tr><th>name</th><th class="num">value</th><th>unit</th><th>device</th><th>step</th><th>method</th><th>at</th></tr></thead><tbody>
      ${Object.values(x.measurements).map((m) => `<tr><td>${h(m.name)}</td><td class="num"><b>${fmt(m.value)}</b></td><td>${h(m.unit)}</td><td>${h(m.device)}</td><td>${h(m.step)}</td><td class="mono">${h(m.method)}</td><td class="mono">${when(m.at, x.time_mode)}</td></tr>`).join('') || '<tr><td colspan="7" class="muted">none yet</td></tr>'}
      </tbody></table>
      <h2 class="section">Steps</h2>
      <table><thead><tr><th>#</th><th>step</th><th>device</th><th>status</th><th class="num">start (min)</th><th class="num">end (min)</th></tr></thead><tbody>
      ${x.steps.map((s) => `<tr><td>${s.step}</td><td>${h(s.name)}</td><td>${h(s.device)}</td><td>${badge(s.status)}</td><td class="num">${fmt(s.start_min, 2)}</td><td class="num">${s.end_min === null ? '–' : fmt(s.end_min, 2)}</td></tr>`).join('')}
      </tbody></table>
      <h2 class="section">Events (hash-chained)</h2>
      <table><thead><tr><th>seq</th><th>type</th><th>actor</th><th>at</th><th>hash</th></tr></thead><tbody>
      ${x.events.map((e) => `<tr><td class="num">${e.seq}</td><td>${h(e.type)}</td><td class="mono">${h(e.actor)}</td><td class="mono">${when(e.at, x.time_mode)}</td><td class="mono" title="${h(e.hash)}">${h(e.hash.slice(0, 12))}…</td></tr>`).join('')}
      </tbody></table>`;
    document.getElementById('close-drawer').addEventListener('click', closeDrawer);
  } catch (e) {
    d.firstElementChild.innerHTML = errorBox(e);
  }
}

// ------------------------------------------------------------------ devices

async function devicesPage() {
  app.innerHTML = `<div class="page-head"><h1>Devices</h1><span class="sub">each workcell as the campaigns running on it see it (or its latest campaign); refreshed every second</span></div><div id="devices"></div>`;
  const render = async () => {
    const data = await api('/devices');
    document.getElementById('devices').innerHTML = data.items.map((w) => `
      <div class="panel" style="margin-bottom:16px">
        <div class="chart-head"><h2>${h(w.workcell)}</h2><span class="muted">campaign <a href="#/campaigns/${encodeURIComponent(w.campaign)}" class="mono">${h(w.campaign)}</a>${w.time_mode === 'virtual' ? ' · simulated' : ''}${(w.shared_with || []).length ? ` · shared with ${w.shared_with.map(h).join(', ')}` : ''}</span>
          ${w.live ? '<span class="live-dot"></span><span class="muted">live</span>' : ''}</div>
        <div class="devices">${w.devices.map((d) => `
          <div class="panel device" data-device="${h(d.name)}">
            <div style="display:flex;justify-content:space-between;align-items:center"><h3>${h(d.name)}</h3>${badge(d.state)}</div>
            <div class="kind">${h(d.kind.replace('_', ' '))} · ${h(d.capabilities.join(', '))} · driver ${h(d.driver)}</div>
            <div class="row"><span>in use</span><b>${d.in_use} / ${d.capacity}</b></div>
            <div class="row"><span>now</span><span class="mono">${d.current.map((c) => `${h(c.experiment)} ${h(c.step)}`).join(', ') || '–'}</span></div>
            <div class="row"><span>steps done / failed</span><span>${d.steps_completed} / ${d.steps_failed}</span></div>
            <div class="row"><span>utilisation</span><span>${(d.utilization * 100).toFixed(0)}%</span></div>
            <div class="progress" style="margin-top:6px"><div style="width:${(d.utilization * 100).toFixed(1)}%"></div></div>
          </div>`).join('')}</div>
      </div>`).join('') || '<div class="panel empty">No workcells yet: create a campaign first.</div>';
  };
  await render().catch((e) => { document.getElementById('devices').innerHTML = errorBox(e); });
  const timer = setInterval(() => render().catch(() => {}), 1000);
  pageCleanup.push(() => clearInterval(timer));
}

route();
