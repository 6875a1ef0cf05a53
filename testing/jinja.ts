import { execFileSync } from 'node:child_process';

/**
 * Renders a Home Assistant template with Jinja2 itself (Debian's python3-jinja2), in the immutable
 * sandbox Home Assistant renders templates in, with undefined values left undefined as there, so a
 * discovery payload's templates are checked by the engine that will run them. `variables` are the
 * template's own (`value`, `value_json`). Home Assistant's extra functions (`states()`…) are absent:
 * a template that needs one fails here, which is the point.
 */
export function renderJinja(template: string, variables: Record<string, unknown>): string {
  const script = [
    'import json, sys',
    'from jinja2.sandbox import ImmutableSandboxedEnvironment',
    'job = json.load(sys.stdin)',
    "env = ImmutableSandboxedEnvironment(extensions=['jinja2.ext.loopcontrols'])",
    "sys.stdout.write(env.from_string(job['template']).render(**job['variables']))",
  ].join('\n');
  return execFileSync('python3', ['-c', script], { input: JSON.stringify({ template, variables }), encoding: 'utf8' });
}
