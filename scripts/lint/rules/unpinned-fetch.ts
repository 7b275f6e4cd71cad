import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { bindingsOf, builtinName, definedNames, isString, stringLiteralValue } from './util/nix.js';

/** Bare names Nix binds globally (they win over any `with`); `fetchurl` is only `builtins.fetchurl`. */
const GLOBAL_FETCHERS: ReadonlySet<string> = new Set([
  'fetchTarball',
  'fetchGit',
  'fetchTree',
  'fetchMercurial',
]);

interface Fetcher {
  /** Attributes of which any one pins the result. */
  pins: string[];
  pinned: string;
}

const FETCHERS: Record<string, Fetcher> = {
  fetchTarball: {
    pins: ['sha256', 'hash'],
    pinned:
      'builtins.fetchTarball { url = "…"; sha256 = "…"; } (hash from `nix-prefetch-url --unpack URL`), or better a flake input',
  },
  fetchurl: {
    pins: ['sha256', 'hash'],
    pinned:
      'builtins.fetchurl { url = "…"; sha256 = "…"; } (hash from `nix-prefetch-url URL`), or better a flake input',
  },
  fetchGit: {
    pins: ['rev'],
    pinned: 'builtins.fetchGit { url = "…"; rev = "<40-hex commit>"; ref = "…"; }, or better a flake input',
  },
  fetchMercurial: {
    pins: ['rev'],
    pinned: 'builtins.fetchMercurial { url = "…"; rev = "<40-hex changeset>"; }, or better a flake input',
  },
  fetchTree: {
    pins: ['rev', 'narHash'],
    pinned:
      'builtins.fetchTree { type = "github"; owner = "…"; repo = "…"; rev = "<40-hex commit>"; narHash = "sha256-…"; }, or better a flake input',
  },
};

const FETCHER_CALL = /(^|\.|__)(fetchTarball|fetchurl|fetchGit|fetchMercurial|fetchTree)$/;

const SETS = new Set(['attrset_expression', 'rec_attrset_expression']);

function unparen(node: Node | null): Node | null {
  let n = node;
  while (n?.type === 'parenthesized_expression') n = n.childForFieldName('expression');
  return n;
}

/** A flake-style reference string that carries its own pin (`?rev=`, `narHash=`, a commit id). */
function isPinnedRef(text: string): boolean {
  return /[?&](rev|narHash)=/.test(text) || /(^|\/)[0-9a-f]{40}($|[/?])/.test(text);
}

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'A builtin fetcher without a pin: `fetchTarball`/`fetchurl` without `sha256`, `fetchGit`/`fetchMercurial` without `rev`, `fetchTree` without `rev` or `narHash`.',
      why: 'Without a hash or revision the fetch returns whatever the URL serves today: two evaluations of the same commit can build different systems, the download is repeated when the cache expires, and pure (flake) evaluation refuses it.',
      bad: 'import (builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz") { }',
      good: 'import (builtins.fetchTarball { url = "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz"; sha256 = "0000000000000000000000000000000000000000000000000000"; }) { }',
      certainty:
        'Not certain: an unpinned fetch works, but gives different results over time (and fails under pure evaluation when it is evaluated).',
    },
    messages: {
      bareUrl: '`{{fn}}` of a bare URL is not pinned: write {{pinned}}.',
      missingPin: '`{{fn}}` without `{{pins}}` is not pinned: write {{pinned}}.',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
  },
  create(context) {
    return {
      apply_expression(node) {
        const fn = node.childForFieldName('function');
        if (!fn || (fn.type !== 'variable_expression' && fn.type !== 'select_expression')) return;
        // Cheap text test first: most applications call something else.
        if (!FETCHER_CALL.test(fn.text)) return;
        const name = builtinName(fn, GLOBAL_FETCHERS);
        const fetcher = name ? FETCHERS[name] : undefined;
        if (!name || !fetcher) return;
        const arg = unparen(node.childForFieldName('argument'));
        if (!arg) return;
        const shown = fn.type === 'select_expression' ? `builtins.${name}` : fn.text;
        if (isString(arg) || arg.type === 'uri_expression') {
          const literal = arg.type === 'uri_expression' ? arg.text : stringLiteralValue(arg);
          if (name === 'fetchTree' && literal !== undefined && isPinnedRef(literal)) return;
          context.report({ node: fn, messageId: 'bareUrl', data: { fn: shown, pinned: fetcher.pinned } });
          return;
        }
        if (!SETS.has(arg.type)) return; // a variable or a call: cannot tell from here
        const names: string[] = [];
        for (const b of bindingsOf(arg)) {
          const defined = definedNames(b);
          // A computed key (`${k} = …`) might be the pin: do not guess.
          if (defined.length === 0 && b.type === 'binding') return;
          names.push(...defined);
        }
        if (fetcher.pins.some((p) => names.includes(p))) return;
        if (name === 'fetchTree' && names.includes('url')) {
          const url = bindingsOf(arg).find((b) => definedNames(b)[0] === 'url');
          const value = stringLiteralValue(url?.childForFieldName('expression'));
          if (value !== undefined && isPinnedRef(value)) return;
        }
        context.report({
          node: fn,
          messageId: 'missingPin',
          data: { fn: shown, pins: fetcher.pins.join('` or `'), pinned: fetcher.pinned },
        });
      },
    };
  },
};

export default rule;
