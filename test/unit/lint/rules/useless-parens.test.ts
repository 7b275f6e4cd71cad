import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/useless-parens.js';
import { applyFixes, type InvalidCase, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';
import { nixParse } from './util/nix-parse.js';

// Precedence that the parentheses carry: the last test proves with nix-instantiate --parse
// that dropping them changes the parse.
const needed = [
  '[ (f x) ]',
  '[ (-1) ]',
  '[ (x: x) ]',
  'f (g x)',
  '(a: b) x',
  '!(a == b)',
  '(a + b) * c',
  '(a.b or c).d',
  '(a.b).c or d',
  '(1).a',
  '(./p).a',
  '(if a then b else c) d',
  '(a.b) or c',
];

const valid = [
  ...needed,
  // Same parse without them, but kept: a default inside a list reads as two elements.
  '[ (a.b or c) ]',
  'f (a.b or c)',
  '-(f x)',
  // Compound expressions in full-expression positions: a readability choice, left alone.
  'if (a == b) then c else d',
  'x: (y + 1)',
  'assert (a != b); c',
  'with (import ./x.nix); y',
  // Parentheses that are syntax, not an expression.
  '{ inherit (pkgs) git; }',
  '{ a = 1; }',
];

const invalid: InvalidCase[] = [
  {
    name: 'whole binding value',
    code: '{ a = (b + c); }',
    errors: [{ messageId: 'unnecessary', line: 1, column: 7, endColumn: 14 }],
    output: '{ a = b + c; }',
  },
  {
    name: 'whole binding value: a function',
    code: '{ f = (x: x); }',
    errors: [{ messageId: 'unnecessary', line: 1, column: 7 }],
    output: '{ f = x: x; }',
  },
  {
    name: 'atom list element',
    code: '[ (pkgs.git) ("s") (x) ]',
    errors: [
      { messageId: 'unnecessary', line: 1, column: 3 },
      { messageId: 'unnecessary', line: 1, column: 14 },
      { messageId: 'unnecessary', line: 1, column: 20 },
    ],
    output: '[ pkgs.git "s" x ]',
  },
  {
    name: 'double parentheses around an atom',
    code: '{ a = ((b)); }',
    errors: [{ messageId: 'double', line: 1, column: 7 }],
    output: '{ a = b; }',
  },
  {
    name: 'double parentheses where one pair is needed',
    code: '[ ((f x)) ]',
    errors: [{ messageId: 'double', line: 1, column: 3 }],
    output: '[ (f x) ]',
  },
  {
    name: 'argument of an application',
    code: 'f (x) (y.z)',
    errors: [
      { messageId: 'unnecessary', line: 1, column: 3 },
      { messageId: 'unnecessary', line: 1, column: 7 },
    ],
    output: 'f x y.z',
  },
  {
    name: 'application is left-associative',
    code: '(f a) b',
    errors: [{ messageId: 'unnecessary', line: 1, column: 1 }],
    output: 'f a b',
  },
  {
    name: 'base of a selection',
    code: '(a).b + ({ c = 1; }).c',
    errors: [
      { messageId: 'unnecessary', line: 1, column: 1 },
      { messageId: 'unnecessary', line: 1, column: 9 },
    ],
    output: 'a.b + { c = 1; }.c',
  },
  {
    name: 'a selection as base of a selection: same value, but a different parse, so only suggested',
    code: '(x.y).z',
    errors: [{ messageId: 'unnecessary', line: 1, column: 1 }],
  },
  {
    name: 'operands: tokens stay apart',
    code: 'a -(b) + f(x) + g/(h)',
    errors: [
      { messageId: 'unnecessary', line: 1, column: 4 },
      { messageId: 'unnecessary', line: 1, column: 11 },
      { messageId: 'unnecessary', line: 1, column: 19 },
    ],
    output: 'a -b + f x + g/ h',
  },
  {
    name: 'function body atom: `x:y` would lex as a URI',
    code: 'x:(y)',
    errors: [{ messageId: 'unnecessary', line: 1, column: 3 }],
    output: 'x: y',
  },
  {
    name: 'negation and minus of an atom',
    code: '{ a = !(b); c = -(d); }',
    errors: [
      { messageId: 'unnecessary', line: 1, column: 8 },
      { messageId: 'unnecessary', line: 1, column: 18 },
    ],
    output: '{ a = !b; c = -d; }',
  },
  {
    name: 'let body, interpolation, atoms in if',
    code: `let a = 1; in ("\${(a)}" + (if (c) then (1) else 2))`,
    errors: [
      { messageId: 'unnecessary', line: 1, column: 15 },
      { messageId: 'unnecessary', line: 1, column: 19 },
      { messageId: 'unnecessary', line: 1, column: 31 },
      { messageId: 'unnecessary', line: 1, column: 40 },
    ],
    // The let body's pair overlaps the inner fixes: it goes on the next pass, as in ESLint.
    output: `let a = 1; in ("\${a}" + (if c then 1 else 2))`,
  },
  {
    name: 'a comment inside: reported, not fixed',
    code: '{ a = (b # why\n); }',
    errors: [{ messageId: 'unnecessary', line: 1, column: 7 }],
  },
];

ruleTester('useless-parens', rule, { valid, invalid });

describe('useless-parens against real Nix', () => {
  it('every fixed output parses exactly as its input (nix-instantiate --parse)', async () => {
    for (const c of invalid.filter((c) => c.output !== undefined)) {
      const found = await lintWithRule('useless-parens', rule, c.code);
      const fixed = applyFixes(
        c.code,
        found.flatMap((d) => (d.fix ? [d.fix] : [])),
      );
      expect({ code: c.code, parse: nixParse(fixed) }).toEqual({ code: c.code, parse: nixParse(c.code) });
    }
  });
  it('removing the parentheses of each valid case would change the parse (or not lex)', () => {
    for (const code of needed) {
      const bare = code.replace(/\(([^()]*)\)/, '$1');
      let changed = true;
      try {
        changed = nixParse(bare) !== nixParse(code);
      } catch {
        changed = true;
      }
      expect({ code, changed }).toEqual({ code, changed: true });
    }
  });
});
