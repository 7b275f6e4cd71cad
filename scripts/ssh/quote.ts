// POSIX shell quoting for the few places where a command must travel as one string (ssh runs
// the remote command through the login shell of the remote user).

/** Quote one word for POSIX sh: single quotes, with embedded single quotes spliced in. */
export function shq(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Run `script` under `sh -c` whatever the remote login shell is (fish, nushell, …). */
export function shCommand(script: string, args: readonly string[] = []): string {
  return ['sh', '-c', shq(script), 'sh', ...args.map(shq)].join(' ');
}
