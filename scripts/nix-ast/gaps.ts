// Constructs that real Nix accepts but the shipped tree-sitter-nix grammar does not. Each is
// found by a small lexer (strings, comments, URIs and interpolation are skipped as Nix's own
// lexer does) and rewritten in place with text of the same length, so every offset, line
// and column of the rewritten source still points at the same spot of the original.
// Rewriting never decides validity: whenever a gap was used, nix-instantiate is asked.

export type GapKind =
  | 'formals-trailing-comma'
  | 'empty-inherit'
  | 'home-path-interpolation'
  | 'pipe-operator';

export interface GapSite {
  kind: GapKind;
  /** [start, end) in UTF-16 code units of the original source. */
  start: number;
  end: number;
  /** Same length as the replaced text; equal to it where the grammar's tree is usable as is. */
  replacement: string;
}

export const GAP_DESCRIPTIONS: Record<GapKind, string> = {
  'formals-trailing-comma': 'a trailing comma in a function’s formals (`{ a, b, }:`)',
  'empty-inherit': 'an empty `inherit;` or `inherit (x);`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Nix syntax shown to the user
  'home-path-interpolation': 'a home path starting with an interpolation (`~/${x}`)',
  'pipe-operator': 'a pipe operator (`|>` or `<|`)',
};

type TokenType = 'ident' | 'uri' | 'punct' | 'string';

interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

const URI = /[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+/y;
const IDENT = /[a-zA-Z_][a-zA-Z0-9_'-]*/y;
const TWO_CHAR = new Set(['${', '|>', '<|']);

interface Frame {
  mode: 'code' | 'dq' | 'ind';
  braces: number;
}

/**
 * The code tokens of a Nix source: identifiers, URIs, punctuation, and one `string` token at
 * each string's opening quote. Comments and string text are skipped; the code inside `${ }`
 * is tokenized like any other code. Unterminated strings and comments end at end of file.
 */
export function codeTokens(source: string): Token[] {
  const tokens: Token[] = [];
  const stack: Frame[] = [{ mode: 'code', braces: 0 }];
  const n = source.length;
  let i = 0;
  const push = (type: TokenType, start: number, end: number) =>
    tokens.push({ type, text: source.slice(start, end), start, end });
  const openInterpolation = () => {
    push('punct', i, i + 2);
    i += 2;
    stack.push({ mode: 'code', braces: 0 });
  };
  while (i < n) {
    const frame = stack[stack.length - 1]!;
    const c = source[i]!;
    const next = source[i + 1];
    if (frame.mode === 'dq') {
      if (c === '\\') i += 2;
      else if (c === '$' && next === '{') openInterpolation();
      // `$` eats the next character unless it starts `${`, ends the string or is a backslash.
      else if (c === '$') i += next === '"' || next === '\\' ? 1 : 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else i++;
      continue;
    }
    if (frame.mode === 'ind') {
      if (c === "'" && next === "'") {
        const third = source[i + 2];
        if (third === '$' || third === "'") i += 3;
        else if (third === '\\') i += 4;
        else {
          stack.pop();
          i += 2;
        }
      } else if (c === '$' && next === '{') openInterpolation();
      else if (c === '$') i += next === "'" ? 1 : 2;
      else if (c === "'") i += next === '$' ? 1 : 2;
      else i++;
      continue;
    }
    // code
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '#') {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
    } else if (c === '"') {
      push('string', i, i + 1);
      stack.push({ mode: 'dq', braces: 0 });
      i++;
    } else if (c === "'" && next === "'") {
      push('string', i, i + 2);
      stack.push({ mode: 'ind', braces: 0 });
      i += 2;
    } else if (c === '$' && next === '{') {
      openInterpolation();
    } else if (/[a-zA-Z_]/.test(c)) {
      URI.lastIndex = i;
      IDENT.lastIndex = i;
      const uri = URI.exec(source);
      if (uri) {
        push('uri', i, i + uri[0].length);
        i += uri[0].length;
      } else {
        const id = IDENT.exec(source)!;
        push('ident', i, i + id[0].length);
        i += id[0].length;
      }
    } else if (c === '{') {
      frame.braces++;
      push('punct', i, ++i);
    } else if (c === '}') {
      if (frame.braces === 0 && stack.length > 1) stack.pop();
      else frame.braces--;
      push('punct', i, ++i);
    } else if (next !== undefined && TWO_CHAR.has(c + next)) {
      push('punct', i, i + 2);
      i += 2;
    } else {
      push('punct', i, ++i);
    }
  }
  return tokens;
}

/** Every gap site of the source, in order. */
export function findGaps(source: string): GapSite[] {
  const tokens = codeTokens(source);
  const sites: GapSite[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const next = tokens[k + 1];
    if (t.text === ',' && t.type === 'punct' && next?.text === '}') {
      // Commas occur in Nix code only between formals, so `,` before `}` is a trailing one.
      sites.push({ kind: 'formals-trailing-comma', start: t.start, end: t.end, replacement: ' ' });
    } else if (t.type === 'ident' && t.text === 'inherit') {
      // Kept as written: tree-sitter only inserts a MISSING identifier there, the tree stays
      // usable, and the empty-inherit rule reads exactly that node.
      const end = emptyInheritEnd(tokens, k);
      if (end !== undefined)
        sites.push({ kind: 'empty-inherit', start: t.start, end, replacement: source.slice(t.start, end) });
    } else if (
      t.text === '~' &&
      next?.text === '/' &&
      next.start === t.end &&
      tokens[k + 2]?.text === '${' &&
      tokens[k + 2]!.start === next.end
    ) {
      // `./${x}` parses; it stands in for `~/${x}` (a path node of another kind, same place).
      sites.push({ kind: 'home-path-interpolation', start: t.start, end: t.end, replacement: '.' });
    } else if (t.type === 'punct' && (t.text === '|>' || t.text === '<|')) {
      // `->` has the lowest precedence of the operators the grammar knows, as pipes do in Nix.
      sites.push({ kind: 'pipe-operator', start: t.start, end: t.end, replacement: '->' });
    }
  }
  return sites;
}

/** End offset of `inherit;` or `inherit (expr);` starting at token k, if it is one. */
function emptyInheritEnd(tokens: Token[], k: number): number | undefined {
  let j = k + 1;
  if (tokens[j]?.text === '(') {
    let depth = 0;
    for (; j < tokens.length; j++) {
      const text = tokens[j]!.text;
      if (text === '(') depth++;
      else if (text === ')' && --depth === 0) break;
    }
    j++;
  }
  const semi = tokens[j];
  return semi?.text === ';' && semi.type === 'punct' ? semi.end : undefined;
}

/** Whether applying the sites changes the source at all. */
export function rewrites(source: string, sites: GapSite[]): boolean {
  return sites.some((s) => source.slice(s.start, s.end) !== s.replacement);
}

/** The source with every site replaced; offsets are unchanged. */
export function applyGaps(source: string, sites: GapSite[]): string {
  let out = '';
  let at = 0;
  for (const s of sites) {
    out += source.slice(at, s.start) + s.replacement;
    at = s.end;
  }
  return out + source.slice(at);
}
