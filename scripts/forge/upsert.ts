// "One PR, one comment": open or update the pull request of a branch, and create or update the
// single comment that carries a hidden marker. A repeated run changes what is there instead of
// adding more. The marker helpers are pure.
import type { ForgeClient } from './client.js';
import { ForgeError, type IssueComment, type PullRequest } from './types.js';

/** `<!-- tappaas:plan -->`: invisible in rendered markdown, stable across runs. */
export function marker(name: string): string {
  if (!/^[a-z0-9][a-z0-9:._/-]*$/.test(name))
    throw new Error(`marker name ${JSON.stringify(name)}: use lower-case letters, digits and : . _ / -`);
  return `<!-- tappaas:${name} -->`;
}

/** The body with the marker on its first line (added once). */
export function markedBody(body: string, mark: string): string {
  return body.startsWith(`${mark}\n`) ? body : `${mark}\n${body}`;
}

export function findMarked(comments: readonly IssueComment[], mark: string): IssueComment | undefined {
  return comments.find((c) => c.body.split('\n', 1)[0]!.trim() === mark || c.body.includes(mark));
}

export type UpsertAction = 'created' | 'updated' | 'unchanged';

export async function upsertPull(
  client: ForgeClient,
  spec: { head: string; base: string; title: string; body: string },
): Promise<{ pull: PullRequest; action: UpsertAction }> {
  const found = await client.findOpenPull(spec.head, spec.base);
  if (found) {
    if (found.title === spec.title && found.body === spec.body) return { pull: found, action: 'unchanged' };
    return {
      pull: await client.updatePull(found.number, { title: spec.title, body: spec.body }),
      action: 'updated',
    };
  }
  try {
    return { pull: await client.createPull(spec), action: 'created' };
  } catch (err) {
    // Another run may have opened it meanwhile (GitHub 422, Gitea 409), or a 5xx may hide a
    // create that happened: look once more before failing.
    if (
      !(err instanceof ForgeError) ||
      !(err.status === 409 || err.status === 422 || (err.status ?? 500) >= 500)
    )
      throw err;
    const again = await client.findOpenPull(spec.head, spec.base);
    if (!again) throw err;
    return {
      pull: await client.updatePull(again.number, { title: spec.title, body: spec.body }),
      action: 'updated',
    };
  }
}

export async function upsertComment(
  client: ForgeClient,
  issue: number,
  markerName: string,
  text: string,
): Promise<{ comment: IssueComment; action: UpsertAction }> {
  const mark = marker(markerName);
  const body = markedBody(text, mark);
  const existing = findMarked(await client.listComments(issue), mark);
  if (existing) {
    if (existing.body === body) return { comment: existing, action: 'unchanged' };
    return { comment: await client.updateComment(existing.id, body), action: 'updated' };
  }
  try {
    return { comment: await client.createComment(issue, body), action: 'created' };
  } catch (err) {
    if (!(err instanceof ForgeError) || (err.status !== undefined && err.status < 500)) throw err;
    const again = findMarked(await client.listComments(issue), mark);
    if (again)
      return {
        comment: again.body === body ? again : await client.updateComment(again.id, body),
        action: 'updated',
      };
    return { comment: await client.createComment(issue, body), action: 'created' };
  }
}
