// Renders evaluation events while hosts are evaluated and built: on a terminal, a line per
// finished host above one live status line (what runs now, how far along); in CI a collapsed
// group per host; otherwise a plain line per host. The events come from scripts/nixcli.
import type { EvalEvent, HostResult } from '../nixcli/types.js';
import { type Paint, printable } from '../term/colors.js';
import { ciGroup, errorBlock, hostLine } from './eval-report.js';

export type ProgressMode = 'tty' | 'ci' | 'plain' | 'none';

export interface ProgressOptions {
  mode: ProgressMode;
  write: (text: string) => void;
  paint: Paint;
  total: number;
  /** A host is finished when built (true) or when evaluated (false). */
  building: boolean;
}

export interface Progress {
  onEvent: (e: EvalEvent) => void;
  /** Clears the live line. */
  finish: () => void;
}

export function progressMode(opts: {
  isTTY: boolean;
  env: Record<string, string | undefined>;
}): ProgressMode {
  if (opts.env.GITHUB_ACTIONS === 'true') return 'ci';
  return opts.isTTY && opts.env.TERM !== 'dumb' ? 'tty' : 'plain';
}

/** The live status line: `[3/20] evaluating db1 · building web0, cache2`. */
export function statusLine(
  done: number,
  total: number,
  evaluating: string[],
  building: string[],
  width = 100,
): string {
  const parts: string[] = [];
  if (evaluating.length) parts.push(`evaluating ${evaluating.join(', ')}`);
  if (building.length) parts.push(`building ${building.join(', ')}`);
  const line = `[${done}/${total}] ${parts.join(' · ') || 'waiting for nix'}`;
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

export function evalProgress(opts: ProgressOptions): Progress {
  const evaluating = new Set<string>();
  const building = new Set<string>();
  let done = 0;
  let live = false;
  const clear = () => {
    if (live) opts.write('\r\x1b[2K');
    live = false;
  };
  const redraw = () => {
    if (opts.mode !== 'tty') return;
    clear();
    const width = Math.max(40, (process.stderr.columns ?? 100) - 1);
    opts.write(
      opts.paint(
        'gray',
        statusLine(done, opts.total, [...evaluating].map(printable), [...building].map(printable), width),
      ),
    );
    live = true;
  };
  const finished = (r: HostResult) => {
    done++;
    if (opts.mode === 'none') return;
    clear();
    if (opts.mode === 'ci') opts.write(`${ciGroup(r).join('\n')}\n`);
    else opts.write(`${[hostLine(r, opts.paint), ...errorBlock(r)].join('\n')}\n`);
    redraw();
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'eval-start':
          evaluating.add(e.host);
          redraw();
          break;
        case 'evaluated':
          evaluating.delete(e.result.name);
          if (!opts.building || e.result.status !== 'ok') finished(e.result);
          else redraw();
          break;
        case 'build-start':
          building.add(e.host);
          redraw();
          break;
        case 'built':
          building.delete(e.result.name);
          finished(e.result);
          break;
        case 'process':
          if (e.reason !== 'batch') redraw();
          break;
      }
    },
    finish: clear,
  };
}
