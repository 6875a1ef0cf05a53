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
    expect(shown).toMatch(/first audio \+\d+ ms/);
    expect(shown).toMatch(/It's \d{1,2}:\d{2} [AP]M/);
  } finally {
    await den.stop();
  }

  await page.fill('input[name="question"]', 'what time is it');
  await page.click('form:has(input[name="question"]) button');
  await waitFor(async () => /It's \d{1,2}:\d{2}/.test(await page.locator('.answer').innerText()), 'the typed answer');

  mkdirSync(join(process.cwd(), 'test-output'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  expect(outside).toEqual([]);
  expect(pageErrors).toEqual([]);
  await context.close();
});
