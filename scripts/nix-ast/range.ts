import type { Node, Point } from 'web-tree-sitter';

/** A source range with 1-based lines and columns (columns in UTF-16 code units, as ESLint and SARIF count). */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function pointToLineColumn(p: Point): { line: number; column: number } {
  return { line: p.row + 1, column: p.column + 1 };
}

export function rangeOf(node: Node): SourceRange {
  return {
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
  };
}

/** Range of a [start, end) slice of source, by UTF-16 offsets. */
export function rangeOfOffsets(source: string, start: number, end: number): SourceRange {
  const a = offsetToLineColumn(source, start);
  const b = offsetToLineColumn(source, end);
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

export function offsetToLineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
