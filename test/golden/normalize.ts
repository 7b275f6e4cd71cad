// Turns one CLI run into text that two runs of the same code print byte for byte: what the
// machine chooses (temp dirs, ports, commits of repositories whose content holds those, store
// paths built from them, times, pids) becomes a named placeholder; everything else stays.
import type { CliRun } from '../helpers/run-cli.js';

// A store path's hash in full, or cut to 8 characters and an ellipsis as the tables print it.
const STORE_HASH = /(\/nix\/store\/)([0-9a-df-np-sv-z]{32})-|(?<![0-9a-z])([0-9a-df-np-sv-z]{8})…-/g;

export class Normalizer {
  private readonly literals: [string, string][] = [];
  private readonly numbers: [number, string][] = [];
  private readonly hashes = new Map<string, string>();
  private unknownHashes = false;

  /** Exact text (a directory, a commit) shown as `placeholder`. */
  literal(text: string, placeholder: string): this {
    if (text) this.literals.push([text, placeholder]);
    return this;
  }

  /** A commit id, full or abbreviated to 7 characters or more. */
  commit(sha: string, label: string): this {
    return this.literal(sha, `<commit:${label}>`);
  }

  /** A number the machine picked (a port), wherever it stands alone. */
  number(n: number, placeholder: string): this {
    this.numbers.push([n, placeholder]);
    return this;
  }

  /** A store path whose hash differs between runs (it holds a temp dir): its hash gets a label. */
  storePath(path: string, label: string): this {
    const hash = /^\/nix\/store\/([0-9a-z]{32})-/.exec(path)?.[1];
    if (hash) this.hashes.set(hash, `<hash:${label}>`);
    return this;
  }

  /** Any other store hash is numbered by first appearance (for outputs built from temp dirs). */
  numberUnknownHashes(): this {
    this.unknownHashes = true;
    return this;
  }

  apply(text: string): string {
    let out = text;
    // Longest first, so a directory inside another is replaced before its parent.
    for (const [from, to] of [...this.literals].sort((a, b) => b[0].length - a[0].length))
      out = out.split(from).join(to);
    for (const [from, to] of this.literals.filter(([s]) => /^[0-9a-f]{40}$/.test(s)))
      out = out.replace(new RegExp(`\\b${from.slice(0, 7)}[0-9a-f]{0,33}\\b`, 'g'), (m) =>
        from.startsWith(m) ? to : m,
      );
    const seen = new Map<string, string>();
    const label = (hash: string): string | undefined => {
      for (const [full, known] of this.hashes) if (full.startsWith(hash)) return known;
      if (!this.unknownHashes) return undefined;
      // Keyed by the first 8 characters, so a full hash and its cut form get one number.
      const key = hash.slice(0, 8);
      if (!seen.has(key)) seen.set(key, `<hash#${seen.size + 1}>`);
      return seen.get(key);
    };
    out = out.replace(STORE_HASH, (m, store: string | undefined, full: string | undefined, short: string) => {
      const l = label(full ?? short);
      return l === undefined ? m : store ? `${store}${l}-` : `${l}…-`;
    });
    for (const [n, to] of this.numbers) out = out.replace(new RegExp(`(?<![\\d.])${n}(?![\\d.])`, 'g'), to);
    return (
      out
        // Times: ISO dates, durations of hosts and Nix calls.
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<date>')
        .replace(/ in \d+\.\ds\b/g, ' in <secs>s')
        .replace(/"(durationMs|evalMs|buildMs)": \d+/g, '"$1": <ms>')
        .replace(/\bpid \d+/g, 'pid <pid>')
    );
  }

  /** The text of one recorded case. */
  render(title: string, r: CliRun): string {
    return [
      `$ ${this.apply(title)}`,
      `exit ${r.code}`,
      '--- stdout',
      this.apply(r.stdout),
      '--- stderr',
      this.apply(r.stderr),
    ].join('\n');
  }
}
