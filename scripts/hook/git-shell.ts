// The forced command for plain git over SSH: `command="tappaas git-shell --as <identity>"`
// in authorized_keys records who pushes (TAPPAAS_PUSHER, read by the pre-receive hook) and
// hands the client's git command to git-shell, which allows nothing but git's own transfers.

export const IDENTITY = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const GIT_COMMAND = /^git[- ](?:receive-pack|upload-pack) \S/;

export type GitShellPlan =
  | { ok: true; argv: string[]; env: Record<string, string | undefined> }
  | { ok: false; message: string };

/** What to run for an SSH session. Pure: the caller spawns it. */
export function planGitShell(
  identity: string,
  original: string | undefined,
  env: Record<string, string | undefined>,
  keyFingerprint?: string,
): GitShellPlan {
  if (!IDENTITY.test(identity))
    return {
      ok: false,
      message: `--as ${JSON.stringify(identity)} is not a valid identity (letters, digits, . _ @ + -)`,
    };
  if (!original)
    return {
      ok: false,
      message: `hello ${identity}: this key is for git only (git push / git fetch), not for a shell`,
    };
  if (/[\r\n\0]/.test(original) || !GIT_COMMAND.test(original))
    return {
      ok: false,
      message: `refused ${JSON.stringify(original.slice(0, 80))}: only git-receive-pack and git-upload-pack are allowed`,
    };
  const next: Record<string, string | undefined> = { ...env, TAPPAAS_PUSHER: identity };
  // Only the forced command speaks for the key: never trust a fingerprint from elsewhere.
  delete next.TAPPAAS_PUSHER_KEY;
  if (keyFingerprint) next.TAPPAAS_PUSHER_KEY = keyFingerprint;
  return { ok: true, argv: ['git-shell', '-c', original], env: next };
}

/** The authorized_keys line that binds a public key to an identity. */
export function authorizedKeysLine(
  node: string,
  toolkit: string,
  identity: string,
  publicKey: string,
): string {
  const q = (s: string) => (/^[A-Za-z0-9/._@+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
  const command = [node, toolkit, 'git-shell', '--as', identity].map(q).join(' ');
  return `command="${command.replaceAll('"', '\\"')}",restrict ${publicKey.trim()}`;
}
