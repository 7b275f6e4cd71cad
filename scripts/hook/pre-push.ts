// The client-side preview: git's pre-push stdin (`<local ref> <local oid> <remote ref>
// <remote oid>` per line) turned into pre-receive lines (`<remote oid> <local oid> <remote ref>`),
// so the same policy and lint run on a laptop before the push leaves it. Pure.

export function prePushToPreReceive(input: string): string {
  const out: string[] = [];
  for (const line of input.split('\n')) {
    if (!line.trim()) continue;
    const [, localOid, remoteRef, remoteOid] = line.split(' ');
    // Malformed lines pass through as they are, for the pre-receive parser to reject clearly.
    out.push(localOid && remoteRef && remoteOid ? `${remoteOid} ${localOid} ${remoteRef}` : line);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export const PREVIEW_BANNER =
  'tappaas pre-push PREVIEW (advisory: the server pre-receive hook decides; set TAPPAAS_PRE_PUSH_STRICT=1 to stop the push on errors)\n';
