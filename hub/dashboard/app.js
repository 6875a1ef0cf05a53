// The hub's dashboard: Preact + htm, no build step, served by the hub itself (no CDN).
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);
const STAGES = [
  ['wakeMs', 'wake'],
  ['endOfSpeechMs', 'end of speech'],
  ['transcriptMs', 'transcript'],
  ['firstReplyTextMs', 'reply text'],
  ['firstAudioOutMs', 'first audio'],
  ['lastAudioOutMs', 'done'],
];

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
  return live.map((turn) => {
    const start = turn.times.wakeMs ?? turn.times.turnStartMs ?? turn.startMs;
    return html`<div class="turn" data-turn=${`${turn.satelliteId}:${turn.turnId}`}>
      <strong>${turn.satelliteId}</strong> turn ${turn.turnId} ${turn.outcome ? `— ${turn.outcome}` : '— in progress'}
      <ul class="stages">
        ${STAGES.map(([key, label]) => html`<li class=${turn.times[key] ? 'done' : ''}>${label}${turn.times[key] ? ` +${Math.round(turn.times[key] - start)} ms` : ''}</li>`)}
      </ul>
      ${turn.transcript ? html`<div>“${turn.transcript}”</div>` : ''}
      ${turn.replyText ? html`<div class="reply">${turn.replyText}</div>` : ''}
    </div>`;
  });
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
  const [state, setState] = useState({ satellites: [], engines: {}, recent: [] });
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
