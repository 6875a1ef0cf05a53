import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub } from '@hugh/hub';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('../deploy/monitoring/', import.meta.url));

/** PromQL's own words: functions, aggregations and operators, never metric names. */
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'irate', 'histogram_quantile', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names an expression reads: label matchers, grouping labels, ranges, strings and Grafana variables left out. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$__\w+/g, ' ');
  return [...stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((match) => match[0]).filter((word) => !PROMQL_WORDS.has(word));
}

describe('deploy/monitoring', () => {
  let hub: Hub;

  beforeAll(async () => {
    // promtool is in Debian's prometheus package (scripts/setup.sh --test installs it); fetched here only where missing.
    await run('sh', ['-c', 'command -v promtool || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus)'], { timeout: 600_000 });
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0, trustedAddresses: ['127.0.0.1'] } }), { logger: silentLogger() });
  }, 660_000);

  afterAll(async () => hub?.close());

  it('promtool: the rules and the example config check, and each alert fires on the series meant to fire it (and only then)', async () => {
    const rules = await run('promtool', ['check', 'rules', 'hugh-alerts.yml'], { cwd: dir });
    expect(rules.stdout).toMatch(/SUCCESS: 6 rules found/);
    await run('promtool', ['check', 'config', 'prometheus.example.yml'], { cwd: dir });
    const tests = await run('promtool', ['test', 'rules', 'hugh-alerts.test.yml'], { cwd: dir });
    expect(tests.stdout).toMatch(/SUCCESS/);
  });

  it('the metric-name reader finds names and skips labels, functions and variables (the check below can fail)', () => {
    expect(metricNames('histogram_quantile(0.9, sum by (instance, le) (rate(hugh_turn_stage_seconds_bucket{stage="first_audio"}[15m]))) > 2')).toEqual(['hugh_turn_stage_seconds_bucket']);
    expect(metricNames('max by (satellite) (hugh_satellite_up) == 0 or up{job="hugh-hub"}')).toEqual(['hugh_satellite_up', 'up']);
    expect(metricNames('sum(increase(hugh_typo_total[$__rate_interval]))')).toEqual(['hugh_typo_total']);
  });

  it('every metric the alert rules and the Grafana dashboard use is one a running hub exports on /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${hub.httpPort}/metrics`)).text();
    const exported = new Set<string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name!);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
    }
    const rules = parseYaml(readFileSync(`${dir}hugh-alerts.yml`, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const dashboard = JSON.parse(readFileSync(`${dir}grafana-dashboard.json`, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const uses = [
      ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `panel ${panel.title}`, expr: target.expr }))),
    ];
    expect(uses.length).toBeGreaterThan(20);
    // `up` is Prometheus' own series for each scrape target: the one name no hub exports.
    const missing = uses.flatMap(({ where, expr }) => metricNames(expr).filter((name) => name !== 'up' && !exported.has(name)).map((name) => `${where}: ${name}`));
    expect(missing).toEqual([]);
    const used = new Set(uses.flatMap(({ expr }) => metricNames(expr)));
    for (const name of ['hugh_capability_state', 'hugh_engine_failovers_total', 'hugh_turn_stage_seconds_bucket', 'hugh_satellite_up', 'up']) expect(used).toContain(name);
  });
});
