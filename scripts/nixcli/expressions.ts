// The Nix expressions and argv the adapter runs, and the reading of what Nix prints back.
// Pure, so they are unit-tested apart from the processes.

/**
 * A Nix string literal for any text. Not JSON.stringify: Nix knows no `\uXXXX` (other control
 * characters may stand raw in a Nix string), and `${` must be escaped.
 */
export function nixString(text: string): string {
  const body = text
    .replace(/[\\"]/g, '\\$&')
    .replace(/\$\{/g, '\\${')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${body}"`;
}

/** Marks our progress lines among other `trace:` output on stderr. */
export const PROGRESS_TAG = 'tappaas-eval';

/**
 * `--apply` function over `nixosConfigurations` that evaluates the toplevel of each host in
 * turn and reports each start and result as a `trace:` line on stderr while it goes, so that
 * when the process fails, is killed or times out we know which host it was on and keep the
 * results of the hosts before it. (`builtins.tryEval` would keep going after a `throw` or an
 * assertion, but not after most errors, and loses the message; a restart for the rest costs
 * the same one extra process per failing host and works for every kind of failure.)
 */
export function batchApply(hosts: readonly string[]): string {
  const tag = nixString(`${PROGRESS_TAG} `);
  return [
    "cs: builtins.foldl' (n: h:",
    `  builtins.trace (${tag} + builtins.toJSON { start = h; })`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Nix interpolation
    '  (let t = cs.${h}.config.system.build.toplevel; in',
    `   builtins.trace (${tag} + builtins.toJSON { done = h; drv = t.drvPath; out = t.outPath; })`,
    '   (n + 1)))',
    `  0 [ ${hosts.map(nixString).join(' ')} ]`,
  ].join('\n');
}

export function hostsArgv(flakeRef: string, extra: readonly string[] = []): string[] {
  return ['eval', '--json', ...extra, `${flakeRef}#nixosConfigurations`, '--apply', 'builtins.attrNames'];
}

export function batchArgv(
  flakeRef: string,
  hosts: readonly string[],
  extra: readonly string[] = [],
): string[] {
  return [
    'eval',
    '--json',
    '--show-trace',
    ...extra,
    `${flakeRef}#nixosConfigurations`,
    '--apply',
    batchApply(hosts),
  ];
}

export type Progress =
  | { kind: 'start'; host: string }
  | { kind: 'done'; host: string; drvPath: string; outPath: string };

/** One stderr line of a batch: our progress, or undefined for anything else. */
export function parseProgress(line: string): Progress | undefined {
  const m = /^(?:\x1b\[[0-9;]*m)*trace: (?:\x1b\[[0-9;]*m)*tappaas-eval (\{.*\})(?:\x1b\[[0-9;]*m)*\s*$/.exec(
    line,
  );
  if (!m) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(m[1]!);
  } catch {
    return undefined;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.start === 'string') return { kind: 'start', host: o.start };
  // Not `outPath`: toJSON prints a set with an outPath as that path alone.
  if (typeof o.done === 'string' && typeof o.drv === 'string' && typeof o.out === 'string')
    return { kind: 'done', host: o.done, drvPath: o.drv, outPath: o.out };
  return undefined;
}

/** Our progress lines taken out, so an error text is only Nix's. */
export function withoutProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => parseProgress(l) === undefined)
    .join('\n');
}

/** `nix --version` → [major, minor], e.g. "nix (Nix) 2.8.0" → [2, 8]. */
export function parseNixVersion(text: string): [number, number] | undefined {
  const m = /(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * What `nix build` is given to build a derivation's `out`: `drv^out` since Nix 2.13; before
 * that a bare `.drv` path means its outputs (Nix 2.8 knows no `^`).
 */
export function buildInstallable(drvPath: string, version: [number, number] | undefined): string {
  const [major, minor] = version ?? [2, 99];
  return major > 2 || minor >= 13 ? `${drvPath}^out` : drvPath;
}

export function buildArgv(installable: string, extra: readonly string[] = []): string[] {
  return ['build', '--json', '--no-link', ...extra, installable];
}

/** The out path `nix build --json` reports for its one installable. */
export function parseBuildJson(stdout: string): string | undefined {
  try {
    const v = JSON.parse(stdout) as { outputs?: Record<string, string> }[];
    return v[0]?.outputs?.out;
  } catch {
    return undefined;
  }
}
