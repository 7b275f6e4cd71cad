// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// The string decoder against real Nix: every literal below is decoded by us and evaluated by
// `nix-instantiate --eval --strict --json` (Nix is a test prerequisite), and the values must
// be equal. Interpolations are all `${x}` with `x` bound to the decoder's placeholder
// character, so a dynamic string compares too. Attribute names are checked the same way.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Node, Tree } from 'web-tree-sitter';
import { attrpathSegments } from '../../../scripts/nix-ast/attrpaths.js';
import { attrName, showAttrName } from '../../../scripts/nix-ast/names.js';
import { parseNix } from '../../../scripts/nix-ast/parser.js';
import { decodeString, INTERPOLATION } from '../../../scripts/nix-ast/strings.js';

/** Evaluates `exprs` in one Nix process, `x` bound to the placeholder; names the first one Nix refuses. */
function nixValues(exprs: readonly string[]): unknown[] {
  const run = (list: readonly string[]) =>
    JSON.parse(
      execFileSync(
        'nix-instantiate',
        [
          '--eval',
          '--strict',
          '--json',
          '-E',
          `let x = "${INTERPOLATION}"; in [\n${list.map((e) => `(${e})`).join('\n')}\n]`,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
      ),
    ) as unknown[];
  try {
    const out = run(exprs);
    if (out.length === exprs.length) return out;
  } catch {
    // Found below, one at a time.
  }
  for (const e of exprs) {
    try {
      run([e]);
    } catch (err) {
      throw new Error(`Nix refuses ${JSON.stringify(e)}: ${(err as { stderr?: string }).stderr}`);
    }
  }
  throw new Error('Nix evaluated the list to a different length: two cases run together');
}

async function withLiteral<T>(code: string, fn: (node: Node, tree: Tree) => T): Promise<T> {
  const tree = await parseNix(code);
  try {
    const node = tree.rootNode.firstNamedChild;
    if (!node || node.endIndex !== code.length) throw new Error(`not one literal: ${JSON.stringify(code)}`);
    return fn(node, tree);
  } finally {
    tree.delete();
  }
}

async function decoded(code: string): Promise<string | undefined> {
  return withLiteral(code, (node) => decodeString(node)?.text);
}

const DOUBLE_QUOTED = [
  '""',
  '"plain text"',
  '"a\\nb\\rc\\td"',
  '"back\\\\slash"',
  '"quote \\" inside"',
  '"\\$"',
  '"\\x\\q\\{\\}\\\'"', // any other escaped character is itself
  '"\\${x}"', // an escaped interpolation
  '"$\\{x}"', // `$` then an escaped `{`: the same value
  '"a$${x}"', // `$$` is one pair: `$${` is text
  '"a$$${x}"', // `$$` and an interpolation
  '"$$$$"',
  '"a$"', // a lone `$` at the end
  '"$ $a $"',
  '"a ${x} b ${x}${x}"',
  '"${x}"',
  '"ends in an escape\\n"',
  '"ends in \\\\"',
  '"ends in \\""',
  '"ünïcödé ✓ 😀 \\😀"',
  '"tab\there"',
  '"line\nbreak"',
  '"crlf\r\nline"', // Nix reads CR LF as LF
  '"lone\rcr"', // and a lone CR as LF
  '"escaped\\\r\ncr"', // but an escaped CR stays CR
  '"  leading spaces are kept\n  in double quotes"',
  '"${"${x}"} nested"',
  '"${ builtins.substring 1 1 "}${x}" }"', // a brace inside the interpolation does not end it
];

const INDENTED = [
  "''''",
  "''plain''",
  "''\n  two\n  lines\n''",
  "''\n    deeper\n  shallower\n''",
  "''\n  first\n\n  after an empty line\n''",
  "''\n  a\n      \n  line of spaces only\n''",
  "''\n\tTab\n\tindented\n''", // a tab is not indentation
  "''\n  \tspaces then a tab\n  b\n''",
  "''  same line\n  next''",
  "''   \n  opener takes spaces and one newline\n''",
  "''\n\n  leading empty line\n''",
  "''\n  no final newline''",
  "''\n  last line of spaces\n    ''",
  "''\n  last line with text  ''",
  "'''''''", // `''`, escaped
  "''a'''b''", // `'''` is `''`
  "''''$x''", // `''$` is `$`
  "''''${x}''", // `''$` then `{x}`: no interpolation
  "''$${x}''", // `$$` is a pair here too
  "''$$${x}''",
  "''a$''",
  "''$''", // `$` before the closing `''`
  "''it's''",
  "'''$''", // `'` before `$`
  "''a''\\nb''\\tc''\\rd''",
  "''''\\x''\\'''", // `''\\X` is X
  "''''\\\\''",
  "''\n  ''\\n  escaped newline then spaces\n''", // Nix strips those spaces, though they did not count
  "''\n  ''\\ escaped space\n   b\n''",
  "''\n    ''$ escape ends the indentation\n  b\n''",
  "''\n  ${x}\n    b\n''",
  "''\n    a ${x}\n  ${x} b\n''",
  "''\n  ${x}\n  ''",
  "''\r\n  crlf stays\r\n  raw\r\n''", // CR is not indentation: nothing is stripped
  "''\n  \r\n  b\n''",
  "''\n  ünïcödé 😀\n''",
  "''\n  ends in an escape ''\\n''",
  "''\n  ends in ''$''",
  "''\n  \\ backslash is plain text here \\n\n''",
  "''\n  a\n  ''",
  "''\n  ${''${x}''} nested\n''",
];

describe('decodeString agrees with nix-instantiate', () => {
  it('double-quoted strings', async () => {
    const values = nixValues(DOUBLE_QUOTED);
    for (const [i, code] of DOUBLE_QUOTED.entries()) {
      expect(await decoded(code), code).toBe(values[i]);
    }
  });

  it('indented strings', async () => {
    const values = nixValues(INDENTED);
    for (const [i, code] of INDENTED.entries()) {
      expect(await decoded(code), code).toBe(values[i]);
    }
  });

  it('random literals from the characters that matter', async () => {
    // Deterministic: the same cases every run, different from the hand-written ones.
    let seed = 20260517;
    const next = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const dq = [
      'a',
      ' ',
      '$',
      '$',
      '{',
      '}',
      '\\',
      '\\$',
      '\\n',
      '\\r',
      '\\t',
      '\\\\',
      '\\"',
      '\r\n',
      '\r',
      '\n',
    ];
    const dqMore = ['\t', "'", '${x}', 'é', '😀', '\\{', '${"${x}"}'];
    const ind = ['a', ' ', '  ', '$', '{', '}', '\\', "'", "''$", "'''", "''\\n", "''\\t", "''\\ ", "''\\x"];
    const indMore = [
      '\n',
      '\n',
      '\n  ',
      '\n    ',
      '\r\n',
      '\t',
      '${x}',
      'é',
      "''\\\n",
      "'$",
      "$'",
      "${''${x}''}",
    ];
    const cases = new Set<string>();
    while (cases.size < 1500) {
      const indented = next(3) !== 0;
      const alphabet = indented ? [...ind, ...indMore] : [...dq, ...dqMore];
      let body = '';
      for (let n = next(24); n > 0; n--) body += alphabet[next(alphabet.length)];
      cases.add(indented ? `''${body}''` : `"${body}"`);
    }
    const ours: string[] = [];
    for (const code of cases) {
      const tree = await parseNix(code);
      try {
        const node = tree.rootNode.firstNamedChild;
        // Some bodies close the string early (`''a$''b''`): not one literal, for Nix either.
        if (!node?.type.endsWith('string_expression') || node.endIndex !== code.length) continue;
        if (decodeString(node)) ours.push(code);
        // Left undecoded only where tree-sitter itself sees a syntax error.
        else expect(tree.rootNode.hasError, code).toBe(true);
      } finally {
        tree.delete();
      }
    }
    expect(ours.length).toBeGreaterThan(1200);
    const values = nixValues(ours);
    for (const [i, code] of ours.entries()) expect(await decoded(code), code).toBe(values[i]);
  });
});

describe('decodeString', () => {
  it('maps each character of the value to its spelling in the source', async () => {
    const spans = (code: string) =>
      withLiteral(code, (node) => {
        const d = decodeString(node, { offsets: true });
        if (!d) throw new Error(code);
        return [...d.text].map((c, i) => `${c === '\n' ? '⏎' : c}:${code.slice(d.starts[i], d.ends[i])}`);
      });
    expect(await spans('"a\\nb${x}c"')).toEqual(['a:a', '⏎:\\n', 'b:b', `${INTERPOLATION}:\${x}`, 'c:c']);
    expect(await spans('"a\r\nb"')).toEqual(['a:a', '⏎:\r\n', 'b:b']);
    expect(await spans("''\n    x\n      ''$y\n''")).toEqual([
      'x:x',
      '⏎:\n',
      ' : ',
      ' : ',
      "$:''$",
      'y:y',
      '⏎:\n',
    ]);
  });

  it('tells a constant from a string Nix joins at evaluation', async () => {
    const constant = (code: string) => withLiteral(code, (node) => decodeString(node)?.constant);
    expect(await constant('"a\\nb"')).toBe(true);
    expect(await constant('""')).toBe(true);
    expect(await constant('"a${x}"')).toBe(false);
    expect(await constant("''''")).toBe(true);
    expect(await constant("''\n  a\n  b\n''")).toBe(true);
    expect(await constant("''a''$b''")).toBe(false); // three tokens
    expect(await constant("''a''\\nb''")).toBe(false);
  });

  it('is undefined for anything but a well-formed literal', async () => {
    expect(await decoded('"a${x}b"')).toBe(`a${INTERPOLATION}b`);
    expect(await withLiteral('1', (node) => decodeString(node))).toBe(undefined);
    // tree-sitter closes this string after `$'`; Nix reads `'''` and finds no end.
    expect(await decoded("''$'''")).toBe(undefined);
    const tree = await parseNix('"a${}"');
    try {
      const str = tree.rootNode.descendantsOfType('string_expression')[0];
      expect(str && decodeString(str)).toBe(undefined);
    } finally {
      tree.delete();
    }
  });
});

/** Attribute keys as written in `{ <key> = 1; }`. */
const KEYS = [
  'a',
  '"a"',
  '"a.b"',
  '""',
  '"a\\${b}"',
  '"a$${b}"',
  '"\\${x}"',
  '"$\\{x}"',
  '"a\\nb"',
  '"a\r\nb"',
  '"tab\\t"',
  '"ünï 😀"',
  '"a\\"b"',
  '"if"',
  '"a$"',
  '${"a"}',
  '${("a")}',
  '${ /* comment */ ("b\\n") }',
  "${''a''}",
  "${''\n  multi\n  line\n''}",
  "${''''}",
  // Dynamic: Nix names them only when it evaluates the set.
  '"a${x}"',
  '"${"a"}"',
  "${''a''$''}",
  '${x}',
  '${"a" + "b"}',
];

describe('attrName agrees with nix-instantiate', () => {
  it('names every key as Nix does, and a dynamic one not at all', async () => {
    const names = nixValues(KEYS.map((k) => `builtins.attrNames { ${k} = 1; }`)) as string[][];
    const parsed = KEYS.map((k) =>
      execFileSync('nix-instantiate', ['--parse', '-E', `x: { ${k} = 1; }`], { encoding: 'utf8' }).trim(),
    );
    for (const [i, key] of KEYS.entries()) {
      const code = `{ ${key} = 1; }`;
      const tree = await parseNix(code);
      try {
        const attrpath = tree.rootNode.descendantsOfType('attrpath')[0] as Node;
        const ours = attrName(attrpathSegments(attrpath)[0]?.node as Node);
        // `nix-instantiate --parse` prints a dynamic name as `"${…}"`.
        const dynamic = parsed[i]?.includes('"${') ?? false;
        expect(ours, key).toBe(dynamic ? undefined : names[i]?.[0]);
      } finally {
        tree.delete();
      }
    }
  });

  it('shows each name as a key Nix reads back to the same name', () => {
    const names = ['a', "a-b'", 'a.b', '', 'a${b}', 'a$${b}', 'a\nb\r\t', 'q"\\', 'if', 'or', 'ünï', 'a$'];
    const shown = names.map(showAttrName);
    expect(shown.slice(0, 3)).toEqual(['a', "a-b'", '"a.b"']);
    expect(nixValues(shown.map((k) => `builtins.attrNames { ${k} = 1; }`))).toEqual(names.map((n) => [n]));
  });
});
