/** The read-only status page: static HTML that polls /api/status and renders it (no framework, no build step). */
export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ako-serverless status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2733; }
  h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
  h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
  .meta { color: #5b6b7c; }
  table { border-collapse: collapse; margin: .3rem 0 1rem; }
  th, td { border: 1px solid #d5dde5; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  th { background: #eef2f6; }
  .instance { border: 1px solid #c3cfdb; border-radius: 6px; padding: .6rem 1rem; margin-bottom: 1rem; }
  .primary { background: #2563eb; color: #fff; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; }
  .bad { color: #b42318; }
  .ok { color: #067647; }
  code { font-size: .9em; }
  .charts { display: flex; gap: 1rem; flex-wrap: wrap; }
  .chart { border: 1px solid #d5dde5; border-radius: 6px; padding: .3rem .6rem; }
  .chart svg { display: block; }
  .chart .label { color: #5b6b7c; font-size: .85rem; }
</style>
</head>
<body>
<h1>ako-serverless</h1>
<div class="meta" id="meta">loading…</div>
<div id="conflicts"></div>
<h2>Last minutes</h2>
<div class="charts" id="charts"></div>
<div id="unowned"></div>
<div id="instances"></div>
<h2>Recent events</h2>
<table id="events"><thead><tr><th>time</th><th>level</th><th>message</th></tr></thead><tbody></tbody></table>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
function render(s) {
  document.getElementById('meta').innerHTML =
    'controller <code>' + esc(s.controller) + '</code> · kubernetes ' + s.kubernetes.map((k) => '<code>' + esc(k) + '</code>').join(', ') +
    ' · <span id="health" class="' + (s.health.state === 'converged' ? 'ok' : 'bad') + '">' + esc(s.health.state) +
    (s.health.problems.length ? ': ' + esc(s.health.problems.join(', ')) : '') + '</span>' +
    ' · objects seen ' + s.totals.objectsSeen + ' · models applied ' + s.totals.modelsApplied +
    ' · Avi requests ' + s.totals.aviRequests + ' · errors ' + s.totals.errors + ' · updated ' + esc(s.generatedAt);
  document.getElementById('conflicts').innerHTML = s.conflicts.length === 0 ? '' :
    '<h2 class="bad">Ownership conflicts</h2><table><tr><th>cluster</th><th>namespace</th><th>instances</th></tr>' +
    s.conflicts.map((c) => '<tr><td>' + esc(c.cluster) + '</td><td>' + esc(c.namespace) + '</td><td>' + esc(c.instances.join(', ')) + '</td></tr>').join('') + '</table>';
  document.getElementById('charts').innerHTML = charts(s.history);
  document.getElementById('unowned').innerHTML = !s.unownedNamespaces || s.unownedNamespaces.length === 0 ? '' :
    '<h2>Namespaces no instance selects</h2><table id="unowned-table"><tr><th>cluster</th><th>namespace</th><th>why</th></tr>' +
    s.unownedNamespaces.map((u) => '<tr><td>' + esc(u.cluster) + '</td><td>' + esc(u.namespace) + '</td><td>' +
      esc(u.why === 'blocked' ? 'in blockedNamespaceList' : 'no namespaceSelector matches its labels') + '</td></tr>').join('') + '</table>';
  document.getElementById('instances').innerHTML = s.instances.map((i) =>
    '<div class="instance" data-instance="' + esc(i.id) + '"><h2>' + esc(i.id) + (i.primary ? ' <span class="primary">primary</span>' : '') + '</h2>' +
    '<div class="meta">created_by <code>' + esc(i.createdBy) + '</code> · selector <code>' + esc(i.selector) + '</code> · namespaces ' +
    esc(i.ownedNamespaces.join(', ') || '(none)') + ' · queue ' + i.queueDepth + ' · in flight ' + i.inFlight +
    ' · dead letters <span class="' + (i.deadLetters ? 'bad' : '') + '">' + i.deadLetters + '</span></div>' +
    '<table class="vs"><thead><tr><th>virtual service</th><th>type</th><th>VIPs</th><th>FQDNs</th></tr></thead><tbody>' +
    i.virtualServices.map((v) => '<tr><td>' + esc(v.name) + '</td><td>' + esc(v.type) + '</td><td>' + esc(v.vips.join(', ')) + '</td><td>' + esc(v.fqdns.join(', ')) + '</td></tr>').join('') +
    '</tbody></table>' +
    objectsTable(i) + warningsTable(i) +
    (i.staticRoutes.length ? '<div>static routes: ' + i.staticRoutes.map((r) => '<code>' + esc(r) + '</code>').join(' ') + '</div>' : '') +
    (i.lastErrors.length ? '<div class="bad">' + i.lastErrors.map(esc).join('<br>') + '</div>' : '') +
    '</div>').join('');
  document.querySelector('#events tbody').innerHTML = s.recentEvents.slice(-30).reverse().map((e) =>
    '<tr><td>' + esc(e.time) + '</td><td class="' + (e.level === 'info' ? '' : 'bad') + '">' + esc(e.level) + '</td><td>' + esc(e.message) + '</td></tr>').join('');
}
function objectsTable(i) {
  if (!i.objects || !i.objects.length) return '';
  const servers = new Map(i.pools.map((p) => [p.name, p.servers]));
  return '<table class="objects"><thead><tr><th>Kubernetes object</th><th>virtual services</th><th>pools → servers</th><th>VIPs</th></tr></thead><tbody>' +
    i.objects.map((o) => '<tr><td>' + esc(o.object) + '</td><td>' + esc(o.virtualServices.join(', ')) + '</td><td>' +
      o.pools.map((p) => esc(p) + ' → ' + esc((servers.get(p) || []).join(', ') || '(no servers)')).join('<br>') + '</td><td>' +
      esc(o.vips.join(', ')) + '</td></tr>').join('') + '</tbody></table>';
}
function warningsTable(i) {
  if (!i.warnings || !i.warnings.length) return '';
  return '<table class="warnings"><thead><tr><th>object</th><th>skipped / refused because</th><th>detail</th><th>since</th></tr></thead><tbody>' +
    i.warnings.map((w) => '<tr><td>' + esc(w.object) + '</td><td class="bad">' + esc(w.reason) + '</td><td>' + esc(w.note) + '</td><td>' + esc(w.at) + '</td></tr>').join('') +
    '</tbody></table>';
}
// Inline SVG line charts: no library, works offline.
function chart(title, values, unit, limit) {
  const w = 300, h = 80;
  const nums = values.map((v) => (typeof v === 'number' ? v : null));
  const max = Math.max(1, limit || 0, ...nums.filter((v) => v !== null));
  const x = (k) => (nums.length < 2 ? 0 : (k / (nums.length - 1)) * w);
  const y = (v) => h - (v / max) * (h - 4);
  const pts = nums.map((v, k) => (v === null ? null : x(k).toFixed(1) + ',' + y(v).toFixed(1))).filter(Boolean).join(' ');
  const last = nums.filter((v) => v !== null).slice(-1)[0];
  return '<div class="chart"><div class="label">' + esc(title) + ': ' + (last === undefined ? '–' : esc(last) + ' ' + esc(unit)) +
    (limit ? ' (budget ' + esc(limit) + ')' : '') + '</div><svg width="' + w + '" height="' + h + '" role="img" aria-label="' + esc(title) + '">' +
    (limit ? '<line x1="0" x2="' + w + '" y1="' + y(limit) + '" y2="' + y(limit) + '" stroke="#b42318" stroke-dasharray="4 3"/>' : '') +
    '<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="' + pts + '"/></svg></div>';
}
function charts(hist) {
  if (!hist) return '';
  const s = hist.samples;
  return chart('controller requests/s', s.map((x) => x.requestsPerSecond), 'req/s', hist.budgetPerSecond) +
    chart('queue depth', s.map((x) => x.queueDepth), 'messages') +
    chart('sync latency', s.map((x) => x.syncLatencyMs), 'ms');
}
async function refresh() {
  try {
    const r = await fetch('/api/status', { cache: 'no-store' });
    if (r.ok) render(await r.json());
  } catch (e) {
    document.getElementById('meta').textContent = 'status unavailable: ' + e;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
