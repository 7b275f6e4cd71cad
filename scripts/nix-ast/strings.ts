// The value Nix gives a string literal, decoded the way Nix 2.8's lexer and parser decode it
// (src/libexpr/lexer.l and stripIndentation in parser.y), and checked against nix-instantiate
// in test/unit/nix-ast/strings.test.ts. Every part of the tool that needs the value of a
// string or of a quoted attribute name reads it here, so they all agree with Nix.
//
// The source text is lexed here again rather than read from tree-sitter's escape nodes:
// tree-sitter-nix splits `\$` into a `dollar_escape` holding only the `\` and a fragment
// holding the `$`, and it does not model the indentation rules at all. Its interpolation
// nodes are used only to skip over `${…}`; where it sees an interpolation somewhere other than
// where Nix's lexer would, the string is left undecoded.
import type { Node } from 'web-tree-sitter';

/** Stands for each interpolation (`${…}`) in a decoded text. */
export const INTERPOLATION = '\u0001';

/** One string literal as Nix reads it. */
export interface DecodedString {
  /** The value, with each interpolation as one INTERPOLATION character. */
  text: string;
  /**
   * Where the spelling of each character of `text` starts and ends in the source (UTF-16
   * offsets): an escape like `\n` spans two characters of source, an interpolation its
   * whole `${…}`. Empty unless asked for.
   */
  starts: number[];
  ends: number[];
  /** How many interpolations the string holds. */
  interpolations: number;
  /**
   * Whether Nix's parser makes the literal one constant string (its ExprString): a `"…"`
   * without interpolation, or a `''…''` without interpolation that is one token to the lexer
   * (`''a''$b''` is three, joined at evaluation). Only such a string makes `${…}` a static
   * attribute name; for anything else Nix checks the name when it evaluates the set.
   */
  constant: boolean;
}

/** A piece of a string literal as Nix's lexer cuts it: decoded text, or an interpolation. */
interface Piece {
  /** The decoded characters; undefined for an interpolation. */
  text: string | undefined;
  /** Source span, relative to the start of the literal. */
  from: number;
  to: number;
  /** Character i of `text` is source character `from + i` (plain text); else all of it spells each. */
  verbatim: boolean;
  /** Plain text of an indented string, whose leading spaces are indentation (Nix's `hasIndentation`). */
  indentation: boolean;
}

interface Span {
  start: number;
  end: number;
}

/**
 * The string literal `node` (`"…"` or `''…''`) decoded as Nix decodes it; undefined for any
 * other node, and for a literal that is not well formed. Pass `source` (the file's text) to
 * save a read from the tree; `offsets` to fill `starts` and `ends`; `staticOnly` to get
 * undefined at once for a string with an interpolation.
 */
export function decodeString(
  node: Node,
  opts: { source?: string; offsets?: boolean; staticOnly?: boolean } = {},
): DecodedString | undefined {
  const type = node.type;
  const indented = type === 'indented_string_expression';
  if (!indented && type !== 'string_expression') return undefined;
  const base = node.startIndex;
  const s = opts.source === undefined ? node.text : opts.source.slice(base, node.endIndex);
  const interpolations = s.includes('${') ? interpolationSpans(node, base) : [];
  if (opts.staticOnly && interpolations.length) return undefined;
  // Only the `${…}` are parsed by tree-sitter alone: a string whose interpolation holds a
  // syntax error (or is empty) is no string Nix would read.
  if (interpolations.length && node.hasError) return undefined;
  const pieces = indented ? lexIndented(s, interpolations) : lexDoubleQuoted(s, interpolations);
  if (!pieces) return undefined;
  const out: DecodedString = {
    text: '',
    starts: [],
    ends: [],
    interpolations: interpolations.length,
    constant: interpolations.length === 0 && (!indented || pieces.length <= 1),
  };
  const emit = opts.offsets ? emitTracked(out, base) : emitText(out);
  if (indented) stripIndentation(pieces, emit, opts.offsets === true);
  else for (const p of pieces) emit(p, p.text ?? INTERPOLATION);
  return out;
}

/** The value of a string literal without interpolation; undefined for anything else. */
export function stringValue(node: Node, source?: string): string | undefined {
  return decodeString(node, { staticOnly: true, ...(source === undefined ? {} : { source }) })?.text;
}

function interpolationSpans(node: Node, base: number): Span[] {
  const out: Span[] = [];
  for (const c of node.namedChildren) {
    if (c?.type === 'interpolation') out.push({ start: c.startIndex - base, end: c.endIndex - base });
  }
  return out;
}

/** Adds the characters of one piece (or the part of it `text` keeps, by index) to the result. */
type Emit = (piece: Piece, text: string, kept?: number[]) => void;

function emitText(out: DecodedString): Emit {
  return (_piece, text) => {
    out.text += text;
  };
}

function emitTracked(out: DecodedString, base: number): Emit {
  return (piece, text, kept) => {
    out.text += text;
    for (let i = 0; i < text.length; i++) {
      if (piece.verbatim) {
        const at = base + piece.from + (kept ? (kept[i] as number) : i);
        out.starts.push(at);
        out.ends.push(at + 1);
      } else {
        out.starts.push(base + piece.from);
        out.ends.push(base + piece.to);
      }
    }
  };
}

const ESCAPED: Record<string, string> = { n: '\n', r: '\r', t: '\t' };

/**
 * `"…"`: the lexer's STR token is runs of `[^$"\\]`, `$[^{"\\]`, `\\.` and `$\\.`, so `$$`
 * is one pair (`$${` is literal text, `$$${` a `$$` and an interpolation) and `$\{` is `$`
 * and an escaped `{`. Its unescaping maps `\n \r \t`, keeps any other escaped character,
 * and turns a raw CR or CR LF into LF.
 */
/** The characters where a double-quoted string's plain text may stop. */
const DOUBLE_QUOTED_SPECIAL = /["\\$\r]/g;

function lexDoubleQuoted(s: string, interpolations: Span[]): Piece[] | undefined {
  const end = s.length - 1;
  if (end < 1 || s[0] !== '"' || s[end] !== '"') return undefined;
  const pieces: Piece[] = [];
  let run = 1;
  const flush = (to: number) => {
    if (to > run) pieces.push({ text: s.slice(run, to), from: run, to, verbatim: true, indentation: false });
  };
  const special = (text: string, from: number, to: number) => {
    flush(from);
    pieces.push({ text, from, to, verbatim: false, indentation: false });
    run = to;
  };
  let k = 0;
  let i = 1;
  while (i < end) {
    DOUBLE_QUOTED_SPECIAL.lastIndex = i;
    i = DOUBLE_QUOTED_SPECIAL.exec(s)?.index ?? s.length;
    if (i >= end) break;
    const c = s[i];
    if (c === '"') return undefined;
    if (c === '$' && s[i + 1] === '{') {
      const span = interpolations[k++];
      if (span?.start !== i) return undefined;
      flush(i);
      pieces.push({ text: undefined, from: i, to: span.end, verbatim: false, indentation: false });
      i = run = span.end;
    } else if (c === '\\') {
      const e = s[i + 1] as string;
      special(ESCAPED[e] ?? e, i, i + 2);
      i += 2;
    } else if (c === '\r') {
      const to = s[i + 1] === '\n' ? i + 2 : i + 1;
      special('\n', i, to);
      i = to;
    } else if (c === '$' && s[i + 1] === '$') i += 2;
    else i++;
  }
  if (i !== end || k !== interpolations.length) return undefined;
  flush(end);
  return pieces;
}

/**
 * `''…''`: the opening token takes spaces and one newline right after `''`. Plain text is
 * runs of `[^$']`, `$[^{']` and `'[^'$]`, kept raw (no CR normalisation); `'''` is `''`,
 * `''$` is `$`, `''\X` is X unescaped; a `$` before a `'`, and a `'` before a `$`, are
 * tokens of their own that (like every escape) count as text, not indentation.
 */
/** The characters where an indented string's plain text may stop. */
const INDENTED_SPECIAL = /[$']/g;

function lexIndented(s: string, interpolations: Span[]): Piece[] | undefined {
  const end = s.length - 2;
  if (end < 2 || !s.startsWith("''") || !s.endsWith("''")) return undefined;
  const pieces: Piece[] = [];
  const token = (text: string, from: number, to: number) => {
    pieces.push({ text, from, to, verbatim: false, indentation: false });
  };
  let i = 2;
  let j = i;
  while (s[j] === ' ') j++;
  if (s[j] === '\n') i = j + 1;
  let k = 0;
  while (i < end) {
    const c = s[i];
    const d = s[i + 1];
    if (c === '$' && d === '{') {
      const span = interpolations[k++];
      if (span?.start !== i) return undefined;
      pieces.push({ text: undefined, from: i, to: span.end, verbatim: false, indentation: false });
      i = span.end;
    } else if (c === "'" && d === "'") {
      const e = s[i + 2];
      if (e === "'") token("''", i, i + 3);
      else if (e === '$') token('$', i, i + 3);
      else if (e === '\\' && i + 3 < end) {
        const x = s[i + 3] as string;
        token(ESCAPED[x] ?? x, i, i + 4);
      } else return undefined; // `''` ends the string before its end
      i = (pieces[pieces.length - 1] as Piece).to;
    } else if ((c === '$' && d === "'") || (c === "'" && d === '$')) {
      token(c, i, i + 1);
      i++;
    } else {
      // `$$` and `'x` are pairs; `${`, `$'`, `''` and `'$` end the run.
      const from = i;
      while (i < end) {
        INDENTED_SPECIAL.lastIndex = i;
        i = Math.min(INDENTED_SPECIAL.exec(s)?.index ?? end, end);
        if (i === end) break;
        const b = s[i + 1];
        if (s[i] === '$' ? b === '{' || b === "'" : b === "'" || b === '$') break;
        i += 2;
      }
      pieces.push({ text: s.slice(from, i), from, to: i, verbatim: true, indentation: true });
    }
  }
  if (i !== end || k !== interpolations.length) return undefined;
  return pieces;
}

/**
 * Nix's stripIndentation: the smallest indentation (in spaces) of the lines that have text
 * is removed from every line. A line's indentation ends at its first character that is not a
 * space of plain text (an escape or an interpolation ends it too); lines of spaces only do
 * not count. The second pass reads escapes like text, so an escaped newline starts a line
 * whose spaces are stripped though they did not count; the last piece loses a final line of
 * spaces only. Both quirks are Nix's, kept so the values agree.
 */
function stripIndentation(pieces: Piece[], emit: Emit, track: boolean): void {
  let atStart = true;
  let minIndent = Number.POSITIVE_INFINITY;
  let indent = 0;
  for (const p of pieces) {
    const t = p.text;
    if (!p.indentation || t === undefined) {
      if (atStart) {
        atStart = false;
        minIndent = Math.min(minIndent, indent);
      }
      continue;
    }
    for (let j = 0; j < t.length; j++) {
      if (!atStart) {
        // Inside a line: nothing counts until the next newline.
        j = t.indexOf('\n', j);
        if (j === -1) break;
        atStart = true;
        indent = 0;
        continue;
      }
      const c = t.charCodeAt(j);
      if (c === SPACE) indent++;
      else if (c === NEWLINE) indent = 0;
      else {
        atStart = false;
        minIndent = Math.min(minIndent, indent);
      }
    }
  }
  atStart = true;
  let dropped = 0;
  for (let n = 0; n < pieces.length; n++) {
    const p = pieces[n] as Piece;
    const t = p.text;
    if (t === undefined) {
      atStart = false;
      dropped = 0;
      emit(p, INTERPOLATION);
      continue;
    }
    // The text kept is t without the indentation dropped; `kept` maps it back when tracking.
    let text = '';
    let from = 0;
    const kept: number[] | undefined = track ? [] : undefined;
    for (let j = 0; j < t.length; j++) {
      if (!atStart) {
        const nl = t.indexOf('\n', j);
        const stop = nl === -1 ? t.length : nl + 1;
        if (kept) for (let q = j; q < stop; q++) kept.push(q);
        if (nl === -1) break;
        atStart = true;
        j = nl;
        continue;
      }
      const c = t.charCodeAt(j);
      if (c === SPACE) {
        if (dropped++ < minIndent) {
          text += t.slice(from, j);
          from = j + 1;
          continue;
        }
      } else if (c === NEWLINE) dropped = 0;
      else {
        atStart = false;
        dropped = 0;
      }
      kept?.push(j);
    }
    text += t.slice(from);
    if (n === pieces.length - 1) {
      const nl = text.lastIndexOf('\n');
      if (nl !== -1 && /^ *$/.test(text.slice(nl + 1))) {
        text = text.slice(0, nl + 1);
        if (kept) kept.length = nl + 1;
      }
    }
    emit(p, text, kept);
  }
}

const SPACE = 32;
const NEWLINE = 10;
