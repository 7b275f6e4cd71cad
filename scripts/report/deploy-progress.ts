// Renders fleet deploy events. On a terminal: one line per finished host plus a live footer
// naming the hosts in flight and their phase, redrawn in place. In CI and pipes: one plain
// line per event, so a log shows exactly when each host moved on.
import type { RunEvent } from '../deploy/fleet.js';
import type { HostResult } from '../deploy/types.js';
import { oneLine } from '../lint/formatters/plain.js';
import type { Paint } from '../term/colors.js';
import { printable } from '../term/colors.js';

const STATUS_STYLE = {
  deployed: 'green',
  unchanged: 'gray',
  failed: 'red',
  'rolled-back': 'yellow',
  skipped: 'yellow',
} as const;

export function resultLine(r: HostResult, paint: Paint): string {
  const detail = r.error ? ` (${r.phase ? `${r.phase}: ` : ''}${printable(oneLine(r.error))})` : '';
  const secs = r.durationMs !== undefined ? ` in ${(r.durationMs / 1000).toFixed(1)}s` : '';
  return `${r.name}: ${paint(STATUS_STYLE[r.status], r.status)}${secs}${detail}`;
}

export interface ProgressRenderer {
  onEvent(e: RunEvent): void;
  /** Clears the live footer (call before printing anything else). */
  finish(): void;
}

export function plainProgress(write: (t: string) => void, paint: Paint): ProgressRenderer {
  return {
    onEvent(e) {
      if (e.type === 'start') write(`${e.host}: start${e.canary ? ' (canary)' : ''}\n`);
      else if (e.type === 'phase') write(`${e.host}: ${e.phase}\n`);
      else if (e.type === 'done') write(`${resultLine(e.result, paint)}\n`);
      else write(`${paint('red', 'stopping')}: ${e.reason}; no further host starts\n`);
    },
    finish() {},
  };
}

export function liveProgress(write: (t: string) => void, paint: Paint, total: number): ProgressRenderer {
  const active = new Map<string, string>();
  let done = 0;
  let footer = false;
  const clear = () => {
    if (footer) write('\r\x1b[2K');
    footer = false;
  };
  const draw = () => {
    const hosts = [...active].map(([h, p]) => `${h} ${paint('dim', p)}`).join(', ');
    const text = `[${done}/${total}] ${hosts}`;
    // Keep it on one terminal row: a wrapped footer cannot be cleared with \r.
    const cols = process.stdout.columns || 100;
    write(`${text.length > cols - 1 ? `${text.slice(0, cols - 2)}…` : text}`);
    footer = true;
  };
  return {
    onEvent(e) {
      clear();
      if (e.type === 'start') active.set(e.host, e.canary ? 'canary' : 'start');
      else if (e.type === 'phase') active.set(e.host, e.phase);
      else if (e.type === 'done') {
        active.delete(e.result.name);
        done++;
        write(`${resultLine(e.result, paint)}\n`);
      } else write(`${paint('red', 'stopping')}: ${e.reason}; no further host starts\n`);
      if (active.size > 0) draw();
    },
    finish: clear,
  };
}
