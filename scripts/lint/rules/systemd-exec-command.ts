// systemd units whose Exec lines are written as shell scripts, or that install software at
// start-up. systemd runs an Exec line as one command without a shell: a second line (NixOS
// writes it as a line of its own, which systemd does not read as part of the setting), `&&`,
// `||`, a pipe or a `;` stuck to a word is not what the author meant; all errors. A lone `;`
// word is systemd's own separator of command lines (deprecated since systemd 257): the
// commands do run one after another, so that is a warning. An installer at start-up (`pip
// install`, `curl … | sh`) makes every boot depend on the network and on whatever version is
// current, outside Nix, so a rollback no longer rolls it back: run by an Exec line it is an
// error; in `script`/`preStart`/`postStart`, a real shell script where the author may mean
// it, a warning.
import type { Node } from 'web-tree-sitter';
import { attrpathSegments, unwrapValue } from '../../nix-ast/attrpaths.js';
import { definitionPath } from '../../nix-ast/definition-path.js';
import { keyBindings } from '../../nix-ast/key-bindings.js';
import { moduleInfo } from '../../nix-ast/module.js';
import { rangeOfOffsets } from '../../nix-ast/range.js';
import { decodeString } from '../../nix-ast/strings.js';
import type { Rule } from '../types.js';

const EXEC_KEYS = new Set([
  'ExecStart',
  'ExecStartPre',
  'ExecStartPost',
  'ExecCondition',
  'ExecReload',
  'ExecStop',
  'ExecStopPost',
]);
/** Service attributes whose script runs at every start: installers are wrong there too. */
const SCRIPT_KEYS = new Set(['script', 'preStart', 'postStart']);

const INSTALLERS: [RegExp, string][] = [
  [/\bpip[0-9.]*\s+install\b/, 'pip install'],
  [/\b(?:npm|pnpm)\s+(?:install|i|ci|add)\b/, 'npm install'],
  [/\byarn\s+(?:install|add)\b/, 'yarn install'],
  [/\bnix-env\s+(?:-i\w*|--install)\b/, 'nix-env -i'],
  [/\b(?:curl|wget)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/, 'a downloaded script piped to a shell'],
  [/\bapt(?:-get)?\s+install\b/, 'apt-get install'],
  [/\b(?:cargo|go|gem)\s+install\b/, 'a language package installer'],
];

/** The commands of an Exec value: lines, with `\`-continuations joined. */
export function commandLines(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let current: { text: string; start: number } | undefined;
  let at = 0;
  for (const line of text.split('\n')) {
    const start = at;
    at += line.length + 1;
    if (current) current.text += `\n${line}`;
    else if (line.trim()) current = { text: line, start };
    else continue;
    if (!/\\\s*$/.test(line)) {
      out.push(current);
      current = undefined;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * The first shell operator outside quotes that stands as a word of its own (`a && b`,
 * `a | tee x`), or a `;` ending a word (`a; b`). `lone` marks a `;` word by itself (`a ; b`),
 * which systemd reads as its own separator of command lines. An operator inside a word
 * (`--match=a|b`) is an argument that systemd passes on as the author wrote it.
 */
export function shellOperator(command: string): { op: string; index: number; lone?: boolean } | undefined {
  let quote: string | undefined;
  const wordEnd = (i: number) => i >= command.length || /\s/.test(command[i] as string);
  const wordStart = (i: number) => i === 0 || /\s/.test(command[i - 1] as string);
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
    else if ((c === '&' && command[i + 1] === '&') || (c === '|' && command[i + 1] === '|')) {
      if (wordStart(i) && wordEnd(i + 2)) return { op: `${c}${c}`, index: i };
      i++;
    } else if (c === '|' && wordStart(i) && wordEnd(i + 1)) return { op: '|', index: i };
    else if (c === ';' && wordEnd(i + 1)) {
      return wordStart(i) ? { op: ';', index: i, lone: true } : { op: ';', index: i };
    }
  }
  return undefined;
}

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'systemd Exec lines that hold several commands or shell syntax, and services that install software when they start.',
      why: 'systemd runs an Exec line as one command without a shell, so a second line, `&&`, `;` or a pipe does not do what it says. Installing at start-up (`pip install`, `curl … | sh`) makes each start depend on the network and on the current upstream version, outside Nix: the host is no longer reproducible and a rollback does not roll it back.',
      bad: `serviceConfig.ExecStart = ''\n  \${venv}/bin/pip install litellm\n  \${venv}/bin/litellm --port 4000\n'';`,
      good: `script = ''\n  exec \${pkgs.litellm}/bin/litellm --port 4000\n'';`,
      certainty:
        "Shell syntax in an Exec line (`&&`, `||`, a pipe, a `;` stuck to a word, a second line) and an installer run by an Exec line are certain bugs: systemd runs no shell, and the install happens outside Nix at every start (errors). A lone `;` word is systemd's own, deprecated separator, and an installer in `script`/`preStart`/`postStart` a judgement (warnings). Only reported in NixOS modules.",
    },
    messages: {
      multipleCommands:
        '`{{key}}` of `{{unit}}` holds {{count}} commands on separate lines, but systemd runs one command per Exec line, without a shell.',
      shellOperator:
        '`{{key}}` of `{{unit}}` uses `{{op}}`, which systemd passes to the program as an argument: no shell interprets it.',
      loneSemicolon:
        '`{{key}}` of `{{unit}}` separates commands with a lone `;`: systemd runs them one after another, but the form is deprecated and allowed in `ExecStart` only for `Type = "oneshot"`.',
      installer:
        '`{{key}}` of `{{unit}}` runs {{what}} at every start: the host then depends on the network and on the current upstream version, outside Nix.',
    },
    defaultLevel: 'error',
    certainty: 'mixed',
    scope: 'nixos',
  },
  create(context) {
    const { source } = context.file;
    if (!source.includes('systemd')) return {};
    return {
      // Only keys named like an Exec setting or a start script are looked at: found in the
      // text, then their path is resolved by walking up the tree from them. Visiting every
      // binding, or resolving every path of the file, would cost far more.
      Program(root) {
        for (const { binding, value } of keyBindings(root, source, CANDIDATE_KEY))
          checkBinding(context, binding, value);
      },
    };
  },
};

const CANDIDATE_KEY = /\b(?:Exec[A-Z][A-Za-z]*|script|preStart|postStart)"?\s*=[^=]/g;

/** `value`: the binding's value past mkForce & co. */
function checkBinding(context: Context, node: Node, value: Node): void {
  const attrpath = node.childForFieldName('attrpath');
  const last = attrpath ? attrpathSegments(attrpath).at(-1)?.name : undefined;
  if (!attrpath || !last || !(EXEC_KEYS.has(last) || SCRIPT_KEYS.has(last))) return;
  // Plain text first: a value with no line break, operator or installer in it is fine.
  const expression = node.childForFieldName('expression');
  if (!expression) return;
  const raw = context.file.source.slice(expression.startIndex, expression.endIndex);
  const suspicious = INSTALLERS.some(([re]) => re.test(raw)) || (EXEC_KEYS.has(last) && /[\n&|;]/.test(raw));
  if (!suspicious) return;
  const info = moduleInfo(context.file);
  if (!info.isModule || !info.rootAttrset) return;
  const path = definitionPath(node, info.rootAttrset, info.form === 'explicit');
  if (path?.[0] !== 'systemd') return;
  const services = path[1] === 'user' ? 2 : 1;
  if (path[services] !== 'services') return;
  const unit = path[services + 1];
  const tail = path.slice(services + 2);
  const exec = tail.length === 2 && tail[0] === 'serviceConfig' && EXEC_KEYS.has(tail[1] as string);
  const script = tail.length === 1 && SCRIPT_KEYS.has(tail[0] as string);
  if (!unit || (!exec && !script)) return;
  checkValue(context, attrpath, { key: last, unit }, value, exec);
}

type Context = Parameters<Rule['create']>[0];

function checkValue(
  context: Context,
  keyNode: Node,
  data: { key: string; unit: string },
  value: Node,
  exec: boolean,
): void {
  const { source } = context.file;
  const strings = value.type === 'list_expression' ? value.namedChildren : [value];
  for (const s of strings) {
    // The value as systemd gets it (escapes decoded, indentation stripped), each interpolation
    // as one placeholder character, with the source span of each character for the report.
    const st = s && decodeString(unwrapValue(s), { source, offsets: true });
    if (!st) continue;
    const at = (i: number, j: number) =>
      rangeOfOffsets(source, st.starts[i] ?? s.startIndex, st.ends[j - 1] ?? s.endIndex);
    let installerFound = false;
    for (const [re, what] of INSTALLERS) {
      const m = re.exec(st.text);
      if (!m) continue;
      installerFound = true;
      context.report({
        range: at(m.index, m.index + m[0].length),
        messageId: 'installer',
        data: { ...data, what: what.startsWith('a ') ? what : `\`${what}\`` },
        help: 'Build it with Nix instead (a package from nixpkgs, or a derivation in the fleet) and run it from the store.',
        // A script is a real shell script: the install works there, only outside Nix.
        ...(exec ? {} : { severity: 'warning' as const }),
      });
      break;
    }
    if (!exec) continue;
    const commands = commandLines(st.text);
    if (commands.length > 1) {
      context.report({
        node: keyNode,
        messageId: 'multipleCommands',
        data: { ...data, count: commands.length },
        help: installerFound
          ? "Move the commands to the service's `script = ''…'';` (NixOS runs it with bash), and install nothing at start-up."
          : "Move the commands to the service's `script = ''…'';` (NixOS runs it with bash), or use one ExecStartPre= per preparatory command.",
      });
      continue;
    }
    const only = commands[0];
    const op = only && shellOperator(only.text);
    if (only && op) {
      const i = only.start + op.index;
      context.report({
        range: at(i, i + op.op.length),
        messageId: op.lone ? 'loneSemicolon' : 'shellOperator',
        data: { ...data, op: op.op },
        help: op.lone
          ? 'Give one command per element of a list instead (`ExecStartPre = [ "…" "…" ];`), or use `script`.'
          : "Use `script = ''…'';` for shell syntax, or split the commands into ExecStartPre=/ExecStart=.",
        ...(op.lone ? { severity: 'warning' as const } : {}),
      });
    }
  }
}

export default rule;
