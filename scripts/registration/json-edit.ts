// Edits one member of a JSON document (tappaas.json) and leaves every other byte as it was, so
// an onboarding or retiring pull request shows a diff of the inventory entry only. Pure: a
// small parser that records where each member starts and ends. Only for valid JSON.

interface Span {
  start: number;
  end: number;
}

interface ValueNode extends Span {
  kind: 'object' | 'array' | 'scalar';
  members?: Member[];
}

interface Member {
  key: string;
  keyStart: number;
  value: ValueNode;
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }

  string(): string {
    const start = this.i;
    this.i++; // opening quote
    while (this.s[this.i] !== '"') {
      if (this.i >= this.s.length) throw new Error('unterminated string');
      this.i += this.s[this.i] === '\\' ? 2 : 1;
    }
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  value(): ValueNode {
    this.ws();
    const start = this.i;
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const members: Member[] = [];
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return { kind: 'object', start, end: this.i, members };
      }
      for (;;) {
        this.ws();
        const keyStart = this.i;
        const key = this.string();
        this.ws();
        this.i++; // colon
        members.push({ key, keyStart, value: this.value() });
        this.ws();
        if (this.s[this.i++] === '}') return { kind: 'object', start, end: this.i, members };
      }
    }
    if (c === '[') {
      this.i++;
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return { kind: 'array', start, end: this.i };
      }
      for (;;) {
        this.value();
        this.ws();
        if (this.s[this.i++] === ']') return { kind: 'array', start, end: this.i };
      }
    }
    if (c === '"') this.string();
    else while (this.i < this.s.length && /[-+.\w]/.test(this.s[this.i]!)) this.i++;
    return { kind: 'scalar', start, end: this.i };
  }
}

function parseTree(text: string): ValueNode {
  JSON.parse(text); // refuse invalid JSON before trusting the spans
  return new Parser(text).value();
}

/** Indentation of the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** JSON as people write it: objects one member a line, short scalar arrays on one line. */
export function renderJson(value: unknown, indent: string, step = '  '): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = value.every((v) => v === null || typeof v !== 'object');
    const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (flat && inline.length <= 80) return inline;
    return `[\n${value.map((v) => `${indent}${step}${renderJson(v, indent + step, step)}`).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries
      .map(([k, v]) => `${indent}${step}${JSON.stringify(k)}: ${renderJson(v, indent + step, step)}`)
      .join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function memberIndent(text: string, obj: ValueNode): string {
  const first = obj.members?.[0];
  if (first && text.lastIndexOf('\n', first.keyStart) > obj.start) return indentAt(text, first.keyStart);
  return `${indentAt(text, obj.start)}  `;
}

/** Sets `path` (object keys) to `value`, creating the objects on the way. */
export function setMember(text: string, path: readonly string[], value: unknown): string {
  if (path.length === 0) throw new Error('empty path');
  let node = parseTree(text);
  for (let depth = 0; depth < path.length; depth++) {
    if (node.kind !== 'object') throw new Error(`/${path.slice(0, depth).join('/')} is not an object`);
    const key = path[depth]!;
    const found = node.members!.filter((m) => m.key === key).at(-1);
    const rest = path.slice(depth + 1);
    if (found && rest.length > 0) {
      node = found.value;
      continue;
    }
    const indent = memberIndent(text, node);
    // Build what is missing below this object as one value.
    const newValue = rest.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value);
    if (found)
      return text.slice(0, found.value.start) + renderJson(newValue, indent) + text.slice(found.value.end);
    const member = `${JSON.stringify(key)}: ${renderJson(newValue, indent)}`;
    const last = node.members!.at(-1);
    if (last) return `${text.slice(0, last.value.end)},\n${indent}${member}${text.slice(last.value.end)}`;
    const closing = indentAt(text, node.start);
    return `${text.slice(0, node.start)}{\n${indent}${member}\n${closing}}${text.slice(node.end)}`;
  }
  return text;
}

/** Removes `path`; the text is returned as it was when there is no such member. */
export function removeMember(text: string, path: readonly string[]): string {
  let node = parseTree(text);
  for (let depth = 0; depth < path.length; depth++) {
    if (node.kind !== 'object') return text;
    const members = node.members!;
    const idx = members.map((m) => m.key).lastIndexOf(path[depth]!);
    if (idx < 0) return text;
    if (depth < path.length - 1) {
      node = members[idx]!.value;
      continue;
    }
    const m = members[idx]!;
    if (members.length === 1) return `${text.slice(0, node.start)}{}${text.slice(node.end)}`;
    if (idx > 0) return text.slice(0, members[idx - 1]!.value.end) + text.slice(m.value.end);
    return text.slice(0, m.keyStart) + text.slice(members[1]!.keyStart);
  }
  return text;
}
