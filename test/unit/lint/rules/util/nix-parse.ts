// Real Nix as the judge of a fix: `nix-instantiate --parse` prints the parsed expression
// without the source's parentheses, comments and layout, so two texts that print the same
// parse the same. Free variables are allowed by wrapping in `with {};`.
import { execFileSync } from 'node:child_process';
import { runRules } from '../../../../../scripts/lint/engine.js';
import type { Diagnostic, Rule } from '../../../../../scripts/lint/types.js';
import { parseNix } from '../../../../../scripts/nix-ast/parser.js';

export function nixParse(code: string): string {
  return execFileSync('nix-instantiate', ['--parse', '-E', `with {}; ${code}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Runs one rule even where tree-sitter flags a syntax error that real Nix accepts. */
export async function lintLenient(id: string, rule: Rule, code: string): Promise<Diagnostic[]> {
  const tree = await parseNix(code);
  try {
    return runRules({ path: 'test.nix', source: code, tree, root: tree.rootNode }, [
      { id, rule, severity: 'error', options: undefined },
    ]);
  } finally {
    tree.delete();
  }
}

/**
 * Evaluates `expr` as flakes do (`nix eval --pure-eval`): 'ok' when it evaluates, else
 * Nix's stderr, so a test can state what pure evaluation does to an impure form.
 */
export function pureEval(expr: string): string {
  try {
    execFileSync(
      'nix',
      ['eval', '--extra-experimental-features', 'nix-command', '--pure-eval', '--expr', expr],
      {
        stdio: 'pipe',
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    return 'ok';
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
}
