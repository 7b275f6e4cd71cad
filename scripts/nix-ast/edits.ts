// Source edits that remove a piece of syntax without leaving a hole: a statement alone on
// its lines goes with its line (and a comment trailing it there); inline, the spaces after
// it go too, so `a = 1; b = 2;` becomes `a = 1;` and not `a = 1; `.

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** Removes [start, end) of `source` with the whitespace (or whole lines) that belongs to it. */
export function removeStatement(source: string, start: number, end: number): TextEdit {
  let before = start;
  while (before > 0 && isBlank(source[before - 1])) before--;
  let after = end;
  while (after < source.length && isBlank(source[after])) after++;
  const atLineStart = before === 0 || source[before - 1] === '\n';
  let lineEnd = after;
  if (source[lineEnd] === '#') {
    const nl = source.indexOf('\n', lineEnd);
    lineEnd = nl === -1 ? source.length : nl;
  }
  if (source[lineEnd] === '\r' && source[lineEnd + 1] === '\n') lineEnd++;
  const atLineEnd = lineEnd === source.length || source[lineEnd] === '\n';
  if (atLineStart && atLineEnd) {
    return { start: before, end: lineEnd === source.length ? lineEnd : lineEnd + 1, text: '' };
  }
  if (after > end) return { start, end: after, text: '' };
  return { start: before, end, text: '' };
}

/** Removes one word of a list (an inherited name, say) with the blanks before it. */
export function removeWord(source: string, start: number, end: number): TextEdit {
  let before = start;
  while (before > 0 && /\s/.test(source[before - 1] as string)) before--;
  return { start: before, end, text: '' };
}
