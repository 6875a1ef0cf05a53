// The hub's dashboard: Preact + htm, no build step, served by the hub itself (no CDN).
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);
/**
 * A turn's stages as bars on one time axis whose zero is the end of speech as the VAD placed it:
 * [label, from, to] in the record's Unix ms. A stage the turn never reached has no bar.
 */
function stages(record) {
  const t = record.times;
  const spec = record.speculation;
  const specLabel = spec ? `speculation${spec.early ? ', committed early' : spec.reused ? ', reused' : ''}${spec.dropped ? `, ${spec.dropped} dropped` : ''}` : 'speculation';
  return [
    ['end-of-turn', 'end of turn', t.speechEndMs, t.endOfSpeechMs],
    ['speculation', specLabel, t.speculatedMs, t.speculatedMs !== undefined ? t.endOfSpeechMs : undefined],
    ['stt', record.engineMs?.stt ? 'speech to text' : 'transcript (speculated)', t.endOfSpeechMs, t.transcriptMs],
    ['reply', 'reply text', t.transcriptMs, t.firstReplyTextMs],
    ['tts', 'first TTS chunk', t.ttsStartMs, t.firstAudioOutMs],
  ].filter(([, , from, to]) => from !== undefined && to !== undefined);
}

function Waterfall({ record }) {
  const zero = record.times.speechEndMs ?? record.times.endOfSpeechMs;
  if (zero === undefined) return html`<p class="muted">listening…</p>`;
  const bars = stages(record).map(([stage, label, from, to]) => ({ stage, label, from: from - zero, to: Math.max(from, to) - zero }));
  const min = Math.min(0, ...bars.map((bar) => bar.from));
  const max = Math.max(500, ...bars.map((bar) => bar.to));
  const x = (ms) => `${((ms - min) / (max - min)) * 100}%`;
  // About five ticks, at 100, 250, 500 ms, 1 s, 2 s… whatever the turn's span.
  const tickMs = [100, 250, 500, 1_000, 2_000, 5_000, 10_000].find((step) => (max - min) / step <= 5) ?? 20_000;
  const ticks = [];
  for (let ms = Math.ceil(min / tickMs) * tickMs; ms <= max; ms += tickMs) ticks.push(ms);
  const first = record.times.firstAudioOutMs !== undefined ? Math.round(record.times.firstAudioOutMs - zero) : undefined;
  return html`<div class="waterfall">
    ${bars.map(
      (bar) => html`<div class="row" data-stage=${bar.stage}>
        <span class="label">${bar.label}</span>
        <span class="track"><span class="zero" style=${`left:${x(0)}`}></span><span class=${`bar ${bar.stage}`} style=${`left:${x(bar.from)};width:max(2px, calc(${x(bar.to)} - ${x(bar.from)}))`} title=${`${Math.round(bar.from)} → ${Math.round(bar.to)} ms`}></span></span>
        <span class="ms">${Math.round(bar.to - bar.from)} ms</span>
      </div>`,
    )}
    <div class="row axis"><span class="label"></span><span class="track">
      ${ticks.map((ms) => html`<span class="tick" style=${`left:${x(ms)}`}>${ms === 0 ? 'speech end' : `${ms > 0 ? '+' : ''}${ms}`}</span>`)}
    </span><span class="ms"></span></div>
    ${first !== undefined ? html`<div class="summary">first audio +${first} ms after the end of speech</div>` : ''}
  </div>`;
}

/** p50 and p90 of the response time per hour, last 24 hours, as lines; hours without turns leave gaps. */
function LatencyPlot({ hours }) {
  const width = 560;
  const height = 180;
  const pad = { left: 44, right: 8, top: 10, bottom: 24 };
  const values = hours.flatMap((hour) => (hour.p90Ms !== undefined ? [hour.p90Ms] : []));
  const top = Math.max(1_000, Math.ceil(Math.max(0, ...values) / 500) * 500);
  const x = (index) => pad.left + (index / Math.max(1, hours.length - 1)) * (width - pad.left - pad.right);
  const y = (ms) => height - pad.bottom - (ms / top) * (height - pad.top - pad.bottom);
  const segments = (key) => {
    const lines = [];
    let current = [];
    hours.forEach((hour, index) => {
      if (hour[key] === undefined) {
        if (current.length) lines.push(current);
        current = [];
      } else current.push(`${x(index).toFixed(1)},${y(hour[key]).toFixed(1)}`);
    });
    if (current.length) lines.push(current);
    return lines;
  };
  const gridMs = [0, top / 2, top];
  const turns = hours.reduce((sum, hour) => sum + hour.turns, 0);
  return html`<figure class="latency">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label="response time per hour, p50 and p90">
      ${gridMs.map((ms) => html`<g><line x1=${pad.left} x2=${width - pad.right} y1=${y(ms)} y2=${y(ms)} class="grid" /><text x=${pad.left - 6} y=${y(ms) + 4} text-anchor="end">${ms >= 1_000 ? `${ms / 1_000} s` : `${ms} ms`}</text></g>`)}
      ${hours.map((hour, index) => (index % 6 === 0 || index === hours.length - 1 ? html`<text x=${x(index)} y=${height - 6} text-anchor="middle">${new Date(hour.hourStartMs).getHours()}:00</text>` : ''))}
      ${['p90Ms', 'p50Ms'].flatMap((key) =>
        segments(key).map((points) => (points.length === 1 ? html`<circle class=${key} cx=${points[0].split(',')[0]} cy=${points[0].split(',')[1]} r="3" />` : html`<polyline class=${key} points=${points.join(' ')} />`)),
      )}
    </svg>
    <figcaption><span class="key p50Ms"></span> p50 <span class="key p90Ms"></span> p90, from the end of speech to the first reply audio, per hour (${turns} turns in 24 h)</figcaption>
  </figure>`;
}

const ago = (ms) => (ms ? `${Math.max(0, Math.round((Date.now() - ms) / 1000))} s ago` : '');

async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${answer.code}: ${answer.message}`);
  return answer;
}

function Satellites({ satellites }) {
  if (satellites.length === 0) return html`<p>No satellite connected.</p>`;
  return html`<table>
    <tr><th>satellite</th><th>room</th><th>state</th><th>link</th><th>hub</th><th>last seen</th></tr>
    ${satellites.map(
      (s) => html`<tr data-satellite=${s.id}>
        <td>${s.id}</td><td>${s.room ?? ''}</td>
        <td><span class=${`state ${s.muted ? 'muted' : s.state}`}>${s.muted ? 'muted' : s.state}</span></td>
        <td>${s.transport}</td><td class="hub-link">${hubLink(s.link)}</td><td>${ago(s.lastSeenMs)}</td>
      </tr>`,
    )}
  </table>`;
}

// Capability (issue 17): which of its hubs a satellite is on, and a banner while the hub runs reduced.
const hubLink = (link) => (!link || link.hubCount === 1 ? 'only hub' : link.hubIndex === 0 ? `primary (1 of ${link.hubCount})` : `fallback (${link.hubIndex + 1} of ${link.hubCount})`);

function CapabilityBanner({ capability }) {
  if (!capability || capability.state === 'full') return '';
  const title = capability.state === 'down' ? 'The hub cannot speak or hear' : 'Running on backups';
  return html`<div id="capability" class=${`banner ${capability.state}`} role="status">
    <strong>${title}</strong> since ${new Date(capability.sinceMs).toLocaleTimeString()}
    <ul>${capability.reasons.map((r) => html`<li>${r.message}</li>`)}</ul>
  </div>`;
}

function Timeline({ turns }) {
  const live = Object.values(turns).sort((a, b) => b.startMs - a.startMs).slice(0, 4);
  if (live.length === 0) return html`<p>No turn yet.</p>`;
  return live.map(
    (turn) => html`<div class="turn" data-turn=${`${turn.satelliteId}:${turn.turnId}`}>
      <strong>${turn.satelliteId}</strong> turn ${turn.turnId} ${turn.outcome ? `— ${turn.outcome}` : '— in progress'}
      <${Waterfall} record=${turn} />
      ${turn.transcript ? html`<div>“${turn.transcript}”</div>` : ''}
      ${turn.replyText ? html`<div class="reply">${turn.replyText}</div>` : ''}
    </div>`,
  );
}

function Engines({ engines }) {
  const rows = Object.entries(engines ?? {}).flatMap(([kind, chain]) => chain.map((engine) => ({ kind, ...engine })));
  if (rows.length === 0) return html`<p>No engine reported.</p>`;
  return html`<table>
    ${rows.map((e) => html`<tr><td>${e.kind}</td><td>${e.name}</td><td class=${e.state === 'closed' ? 'ok' : 'bad'}>${e.state === 'closed' ? 'healthy' : e.state}</td></tr>`)}
  </table>`;
}

function Controls({ satellites }) {
  const [target, setTarget] = useState('');
  const [question, setQuestion] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const [answer, setAnswer] = useState('');
  const chosen = target || satellites[0]?.id || '';
  const ask = async (event) => {
    event.preventDefault();
    try {
      setAnswer((await post('/api/ask', { text: question, satelliteId: chosen })).reply);
    } catch (error) {
      setAnswer(error.message);
    }
  };
  const announce = async (event) => {
    event.preventDefault();
    try {
      await post('/api/announce', { satelliteId: chosen, text: announcement });
      setAnswer(`Announced on ${chosen}.`);
    } catch (error) {
      setAnswer(error.message);
    }
  };
  return html`<div>
    <form><label>Satellite </label>
      <select value=${chosen} onChange=${(e) => setTarget(e.currentTarget.value)}>
        ${satellites.map((s) => html`<option value=${s.id}>${s.id}</option>`)}
      </select>
    </form>
    <form onSubmit=${ask}><input type="text" name="question" placeholder="Ask a question" value=${question} onInput=${(e) => setQuestion(e.currentTarget.value)} /><button>Ask</button></form>
    <form onSubmit=${announce}><input type="text" name="announcement" placeholder="Announce on the satellite" value=${announcement} onInput=${(e) => setAnnouncement(e.currentTarget.value)} /><button>Announce</button></form>
    <div class="answer">${answer}</div>
  </div>`;
}

function App() {
  const [state, setState] = useState({ satellites: [], engines: {}, recent: [], latency: [] });
  const [turns, setTurns] = useState({});
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const refresh = () => fetch('/api/state').then((r) => r.json()).then(setState).catch(() => undefined);
    refresh();
    const timer = setInterval(refresh, 5000);
    const source = new EventSource('/api/events');
    const upsert = (key, change) => setTurns((all) => ({ ...all, [key]: change(all[key] ?? { times: {}, startMs: Date.now() }) }));
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    for (const name of ['satellite-online', 'satellite-offline', 'state', 'volume', 'capability']) source.addEventListener(name, refresh);
    source.addEventListener('wake', (e) => {
      const d = JSON.parse(e.data);
      upsert(`${d.satelliteId}:${d.turnId}`, (t) => ({ ...t, satelliteId: d.satelliteId, turnId: d.turnId, times: { ...t.times, wakeMs: d.atMs } }));
    });
    source.addEventListener('transcript', (e) => {
      const d = JSON.parse(e.data);
      upsert(`${d.satelliteId}:${d.turnId}`, (t) => ({ ...t, satelliteId: d.satelliteId, turnId: d.turnId, transcript: d.text, times: { ...t.times, transcriptMs: d.atMs } }));
    });
    source.addEventListener('turn', (e) => {
      const { record } = JSON.parse(e.data);
      upsert(`${record.satelliteId}:${record.turnId}`, (t) => ({ ...t, ...record, times: { ...t.times, ...record.times } }));
      refresh();
    });
    return () => {
      clearInterval(timer);
      source.close();
    };
  }, []);

  return html`<${CapabilityBanner} capability=${state.capability} /><main>
    <section id="satellites"><h2>Satellites ${connected ? '' : '(reconnecting…)'}</h2><${Satellites} satellites=${state.satellites} /></section>
    <section id="timeline"><h2>Current turns</h2><${Timeline} turns=${turns} /></section>
    <section id="latency"><h2>Response time, last 24 hours</h2><${LatencyPlot} hours=${state.latency} /></section>
    <section id="controls"><h2>Ask or announce</h2><${Controls} satellites=${state.satellites} /></section>
    <section id="engines"><h2>Engines</h2><${Engines} engines=${state.engines} /></section>
    <section id="recent"><h2>Recent turns</h2>
      <table>${state.recent.map((r) => html`<tr><td>${r.satelliteId}</td><td>${r.transcript ?? `(${r.outcome})`}</td><td class="reply">${r.replyText ?? ''}</td></tr>`)}</table>
    </section>
  </main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the static "Loading…"
render(html`<${App} />`, root);
