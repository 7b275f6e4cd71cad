// The allowed-signers file git checks commit signatures against (`gpg.ssh.allowedSignersFile`),
// from the same place as the policy: beside a server-side policy file, or from the repository
// at the policy's revision, written to a temporary file for git and removed after the run.
import type { CatFile } from '../git/cat-file.js';
import type { PolicySource } from './policy-source.js';

export interface AllowedSigners {
  file: string;
  cleanup: () => void;
}

export async function allowedSignersFile(
  cat: CatFile,
  source: PolicySource,
  /** The server-side policy file, when the policy is one. */
  policyFile: string | undefined,
): Promise<AllowedSigners> {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { dirname, join, resolve } = await import('node:path');
  const name = source.policy.signedCommits.allowedSigners;
  if (policyFile) return { file: resolve(dirname(policyFile), name), cleanup: () => {} };
  const blob = cat.contents(`${source.rev}:${name}`);
  cat.flush();
  const data = (await blob)?.data ?? Buffer.alloc(0); // none: no signer is allowed
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-signers-'));
  const file = join(dir, 'allowed_signers');
  writeFileSync(file, data);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
