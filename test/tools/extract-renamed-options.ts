// Regenerates scripts/nixos/renamed-options.json from a local nixpkgs checkout (kept outside
// this repo). Not run by the tests: it needs the checkout and takes minutes (one `git log -S`
// per entry without `sinceRelease`). Usage, from the repo root:
//   npx esbuild test/tools/extract-renamed-options.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=dist/extract-renamed-options.mjs
//   node dist/extract-renamed-options.mjs /path/to/nixpkgs > /tmp/renamed-options.json
// Then diff against the committed table: entries built by `map` over a list (libinput's
// touchpad options, nix.nix's legacy settings) are not literal calls and are kept by hand.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { parseNix } from '../../scripts/nix-ast/parser.js';
import { stringValue as decodedValue } from '../../scripts/nix-ast/strings.js';
import type { OptionChange, OptionChangeKind } from '../../scripts/nixos/renamed-options.js';

const CALLS: Record<string, OptionChangeKind> = {
  mkRenamedOptionModule: 'renamed',
  mkRenamedOptionModuleWith: 'renamed',
  mkRemovedOptionModule: 'removed',
  mkAliasOptionModule: 'alias',
  mkAliasOptionModuleMD: 'alias',
  mkChangedOptionModule: 'changed',
};

function nixFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.nix'))
    .map((f) => join(dir, f));
}

/** The callee name and arguments of the outermost application `f a b`. */
function call(node: Node): { name: string; args: Node[] } | undefined {
  const args: Node[] = [];
  let fn: Node = node;
  while (fn.type === 'apply_expression') {
    const arg = fn.childForFieldName('argument');
    const next = fn.childForFieldName('function');
    if (!arg || !next) return undefined;
    args.unshift(arg);
    fn = next;
  }
  const name =
    fn.type === 'select_expression' ? fn.childForFieldName('attrpath')?.lastNamedChild?.text : fn.text;
  return name && name in CALLS ? { name, args } : undefined;
}

function unparen(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.firstNamedChild) n = n.firstNamedChild;
  return n;
}

/** A string literal's value, or undefined when it interpolates. */
function stringValue(node: Node): string | undefined {
  const n = unparen(node);
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.type === '+') {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    const a = l ? stringValue(l) : undefined;
    const b = r ? stringValue(r) : undefined;
    return a !== undefined && b !== undefined ? a + b : undefined;
  }
  // Notes written as `''…''` blocks keep no surrounding blank lines in the table.
  const s = decodedValue(n);
  return n.type === 'indented_string_expression' ? s?.trim() : s;
}

function stringList(node: Node): string[] | undefined {
  const n = unparen(node);
  if (n.type !== 'list_expression') return undefined;
  const out: string[] = [];
  for (const c of n.namedChildren) {
    if (!c || c.type === 'comment') continue;
    const s = stringValue(c);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

function withArgs(node: Node): { from?: string[]; to?: string[]; since?: string } {
  const out: { from?: string[]; to?: string[]; since?: string } = {};
  const set = unparen(node).namedChildren.find((c) => c?.type === 'binding_set');
  for (const b of set?.namedChildren ?? []) {
    const key = b?.childForFieldName('attrpath')?.text;
    const value = b?.childForFieldName('expression');
    if (!key || !value) continue;
    if (key === 'from' || key === 'to') out[key] = stringList(value);
    if (key === 'sinceRelease' && /^\d{4}$/.test(value.text))
      out.since = `${value.text.slice(0, 2)}.${value.text.slice(2)}`;
  }
  return out;
}

/** The release a first commit on master shipped in; branch-offs are around May 20 and Nov 20. */
function releaseOfDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const md = m * 100 + d;
  const yy = y % 100;
  if (md < 520) return `${yy}.05`;
  if (md < 1120) return `${yy}.11`;
  return `${yy + 1}.05`;
}

function firstCommitDate(nixpkgs: string, from: string[]): string | undefined {
  // The pre-nixfmt spelling `[ "a" "b" ]`; nixfmt later split lists over lines, so only the
  // old spelling leads back to the commit that introduced the call.
  const needle = `[ ${from.map((s) => JSON.stringify(s)).join(' ')} ]`;
  const out = execFileSync(
    'git',
    ['-C', nixpkgs, 'log', '--reverse', '--format=%cs', '-S', needle, '--', 'nixos'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  return out.split('\n')[0] || undefined;
}

async function main(nixpkgs: string): Promise<void> {
  const entries: OptionChange[] = [];
  const seen = new Set<string>();
  for (const file of nixFiles(join(nixpkgs, 'nixos', 'modules'))) {
    const tree = await parseNix(readFileSync(file, 'utf8'));
    const visit = (node: Node): void => {
      const parentIsApply =
        node.parent?.type === 'apply_expression' && node.parent.childForFieldName('function')?.id === node.id;
      const c = node.type === 'apply_expression' && !parentIsApply ? call(node) : undefined;
      if (c) {
        const kind = CALLS[c.name] as OptionChangeKind;
        const w = c.name === 'mkRenamedOptionModuleWith' && c.args[0] ? withArgs(c.args[0]) : undefined;
        const from = w ? w.from : c.args[0] && stringList(c.args[0]);
        const to = w ? w.to : kind !== 'removed' && c.args[1] ? stringList(c.args[1]) : undefined;
        const note = kind === 'removed' && c.args[1] ? stringValue(c.args[1]) : undefined;
        if (from && (kind === 'removed' || to) && !seen.has(from.join('.'))) {
          seen.add(from.join('.'));
          const date = w?.since ? undefined : firstCommitDate(nixpkgs, from);
          const since = w?.since ?? (date ? releaseOfDate(date) : null);
          const basis = w?.since ? 'sinceRelease' : date ? 'git-history' : 'unknown';
          entries.push({
            from,
            kind,
            ...(to ? { to } : { removed: true }),
            ...(note ? { note: note.replace(/\s+/g, ' ') } : {}),
            since,
            sinceBasis: basis,
            origin: relative(nixpkgs, file),
          });
        }
        return;
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(tree.rootNode);
    tree.delete();
  }
  entries.sort((a, b) => a.from.join('.').localeCompare(b.from.join('.')));
  process.stdout.write(`${JSON.stringify({ entries }, null, 2)}\n`);
}

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: node dist/extract-renamed-options.mjs /path/to/nixpkgs\n');
  process.exitCode = 2;
} else {
  await main(target);
}
