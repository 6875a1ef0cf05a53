import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CredentialStore, HubConfigSchema, createPipeline, startHub, type Hub } from '@hugh/hub';
import type { HubClient } from '@hugh/satellite';
import { startFileSatellite } from '../testing/file-satellite.js';
import { waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

// Debian's chromium, driven headless by playwright-core (no browser download).
const SCREENSHOT = join(process.cwd(), 'test-output', 'dashboard.png');
const dir = mkdtempSync(join(tmpdir(), 'hugh-dashboard-'));
let hub: Hub;
let browser: Browser;
let kitchen: HubClient;
const passwords: Record<string, string> = {};

beforeAll(async () => {
  const credentialsFile = join(dir, 'credentials.json');
  const store = CredentialStore.load(credentialsFile);
  passwords.dashboard = await store.issue('integration', 'dashboard');
  passwords.kitchen = await store.issue('satellite', 'kitchen');
  passwords.den = await store.issue('satellite', 'den');
  const config = HubConfigSchema.parse({
    mqtt: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    auth: { credentialsFile },
    state: { dir: join(dir, 'state') },
    vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
    llm: { url: 'http://127.0.0.1:9' },
  });
  const logger = silentLogger();
  hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
  kitchen = await connectSatellite('kitchen', `mqtt://127.0.0.1:${hub.mqttPort}`, { password: passwords.kitchen! });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await kitchen?.stop();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('asks for credentials: without them the page and its API answer 401', async () => {
  for (const path of ['/', '/api/state', '/assets/app.js']) expect((await fetch(`http://127.0.0.1:${hub.httpPort}${path}`)).status).toBe(401);
  const wrong = await fetch(`http://127.0.0.1:${hub.httpPort}/api/state`, { headers: { authorization: `Basic ${Buffer.from('dashboard:nope').toString('base64')}` } });
  expect(wrong.status).toBe(401);
  // A satellite's password, from a device in one room, does not open the dashboard (which speaks in every room).
  const satellite = await fetch(`http://127.0.0.1:${hub.httpPort}/api/state`, { headers: { authorization: `Basic ${Buffer.from(`kitchen:${passwords.kitchen}`).toString('base64')}` } });
  expect(satellite.status).toBe(401);
});

it('loads without internet, lists a connected satellite, updates live while a turn runs, answers a typed question; a screenshot is taken', async () => {
  const context = await browser.newContext({ httpCredentials: { username: 'dashboard', password: passwords.dashboard! }, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`http://127.0.0.1:${hub.httpPort}/`)) outside.push(request.url());
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Earlier turns for the latency history: the plot reads records as the hub keeps them, by the hour they happened.
  const nowMs = Date.now();
  const earlier = [1, 1, 2, 3, 3, 3, 5, 8, 13, 21].map((hoursAgo, index) => {
    const speechEndMs = nowMs - hoursAgo * 3_600_000;
    return { satelliteId: 'kitchen', turnId: 900 + index, outcome: 'answered' as const, transcript: 'what time is it', times: { turnStartMs: speechEndMs - 1_500, speechEndMs, endOfSpeechMs: speechEndMs + 200, firstAudioOutMs: speechEndMs + 350 + index * 60 }, engineMs: {} };
  });
  for (const record of earlier) hub.events.emit('turn', record);
  await page.goto(`http://127.0.0.1:${hub.httpPort}/`);
  await page.locator('tr[data-satellite="kitchen"]').waitFor({ timeout: 10_000 });
  expect(await page.locator('tr[data-satellite="kitchen"]').innerText()).toMatch(/kitchen\s+test\s+idle\s+mqtt/);

  // A spoken turn on another satellite: it appears, then its timeline fills in live.
  const den = await startFileSatellite({ hubUrl: `ws://127.0.0.1:${hub.httpPort}`, id: 'den', clip: synthesize('hey jarvis, what time is it', VOICES[0]!, { padS: 1 }), password: passwords.den! });
  try {
    await page.locator('tr[data-satellite="den"]').waitFor({ timeout: 10_000 });
    const turn = page.locator('.turn[data-turn^="den:"]');
    await turn.waitFor({ timeout: 15_000 });
    await waitFor(async () => /answered/.test(await turn.innerText()), 'the turn to finish on the page', 30_000);
    const shown = await turn.innerText();
    expect(shown).toMatch(/what time is it/);
    expect(shown).toMatch(/first audio \+\d+ ms after the end of speech/);
    expect(shown).toMatch(/It's \d{1,2}:\d{2} [AP]M/);
    // The waterfall: one bar per stage on an axis from the VAD's end of speech, each with its width.
    const stages = await turn.locator('.waterfall .row[data-stage]').evaluateAll((rows) => rows.map((row) => ({ stage: row.getAttribute('data-stage'), width: row.querySelector('.bar')?.getBoundingClientRect().width ?? 0 })));
    expect(stages.map((row) => row.stage)).toEqual(expect.arrayContaining(['end-of-turn', 'speculation', 'stt', 'reply', 'tts']));
    expect(stages.every((row) => row.width >= 2)).toBe(true);
    await expect.poll(() => turn.locator('.waterfall .tick', { hasText: 'speech end' }).count()).toBe(1);
  } finally {
    await den.stop();
  }

  await page.fill('input[name="question"]', 'what time is it');
  await page.click('form:has(input[name="question"]) button');
  await waitFor(async () => /It's \d{1,2}:\d{2}/.test(await page.locator('.answer').innerText()), 'the typed answer');

  // The latency history: p50 and p90 per hour as lines, hours without turns as gaps.
  const plot = page.locator('#latency');
  await waitFor(async () => /\(1[12] turns in 24 h\)/.test(await plot.innerText()), 'the latency history with every turn');
  expect(await plot.locator('polyline.p50Ms, circle.p50Ms').count()).toBeGreaterThanOrEqual(2);
  expect(await plot.locator('polyline.p90Ms, circle.p90Ms').count()).toBeGreaterThanOrEqual(2);

  mkdirSync(join(process.cwd(), 'test-output'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  expect(outside).toEqual([]);
  expect(pageErrors).toEqual([]);
  await context.close();
});
