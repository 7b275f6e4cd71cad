// The few pull-request operations we need, on GitHub or Gitea. Endpoints and fields as the
// public API descriptions give them (GitHub REST docs "pulls" and "issues/comments"; Gitea's
// swagger, templates/swagger/v1_json.tmpl); the contract tests replay their shapes
// (test/fixtures/forge/). The differences that matter:
// - GitHub filters open pulls by `head=owner:branch`; Gitea has no head filter, so we page
//   through `state=open` (`page`/`limit`) and match `head.ref` ourselves.
// - GitHub pages comments with `per_page`/`page`; Gitea's issue-comments list has no paging.
// - Gitea answers a pull edit with 201, GitHub with 200; both return the pull request.
import { type HttpOptions, requestJson } from './http.js';
import { type ForgeConfig, ForgeError, type IssueComment, type PullRequest } from './types.js';

/** Safety stop for paging: no repository we serve has 5,000 open pull requests. */
const MAX_PAGES = 50;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function toPull(raw: unknown, where: string): PullRequest {
  const p = raw as Record<string, unknown> | null;
  const head = (p?.head ?? {}) as Record<string, unknown>;
  const base = (p?.base ?? {}) as Record<string, unknown>;
  if (!p || typeof p.number !== 'number')
    throw new ForgeError('GET', where, undefined, 'the answer is not a pull request (no "number")');
  return {
    number: p.number,
    url: str(p.html_url),
    title: str(p.title),
    body: str(p.body),
    head: str(head.ref),
    base: str(base.ref),
  };
}

function toComment(raw: unknown, where: string): IssueComment {
  const c = raw as Record<string, unknown> | null;
  if (!c || typeof c.id !== 'number')
    throw new ForgeError('GET', where, undefined, 'the answer is not a comment (no "id")');
  return { id: c.id, body: str(c.body), url: str(c.html_url) };
}

function list(data: unknown, where: string): unknown[] {
  if (!Array.isArray(data)) throw new ForgeError('GET', where, undefined, 'the answer is not a list');
  return data;
}

export class ForgeClient {
  constructor(
    readonly cfg: ForgeConfig,
    private readonly http: HttpOptions = {},
  ) {}

  private get repoPath(): string {
    return `/repos/${encodeURIComponent(this.cfg.owner)}/${encodeURIComponent(this.cfg.repo)}`;
  }

  /** The open pull request from branch `head` (of this repository) into `base`, if any. */
  async findOpenPull(head: string, base: string): Promise<PullRequest | undefined> {
    const path = `${this.repoPath}/pulls`;
    const github = this.cfg.kind === 'github';
    const perPage = github ? 100 : 50;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query: Record<string, string | number> = github
        ? { state: 'open', head: `${this.cfg.owner}:${head}`, base, per_page: perPage, page }
        : { state: 'open', page, limit: perPage };
      const res = await requestJson(this.cfg, { method: 'GET', path, query }, this.http);
      const items = list(res.data, path).map((p) => toPull(p, path));
      const match = items.find((p) => p.head === head && p.base === base);
      if (match) return match;
      if (items.length === 0) return undefined;
    }
    return undefined;
  }

  async createPull(spec: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    const path = `${this.repoPath}/pulls`;
    const res = await requestJson(this.cfg, { method: 'POST', path, body: spec }, this.http);
    return toPull(res.data, path);
  }

  async updatePull(number: number, spec: { title?: string; body?: string }): Promise<PullRequest> {
    const path = `${this.repoPath}/pulls/${number}`;
    const res = await requestJson(this.cfg, { method: 'PATCH', path, body: spec }, this.http);
    return toPull(res.data, path);
  }

  async listComments(issue: number): Promise<IssueComment[]> {
    const path = `${this.repoPath}/issues/${issue}/comments`;
    if (this.cfg.kind === 'gitea') {
      const res = await requestJson(this.cfg, { method: 'GET', path }, this.http);
      return list(res.data, path).map((c) => toComment(c, path));
    }
    const out: IssueComment[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await requestJson(
        this.cfg,
        { method: 'GET', path, query: { per_page: 100, page } },
        this.http,
      );
      const items = list(res.data, path).map((c) => toComment(c, path));
      out.push(...items);
      if (items.length < 100) break;
    }
    return out;
  }

  async createComment(issue: number, body: string): Promise<IssueComment> {
    const path = `${this.repoPath}/issues/${issue}/comments`;
    const res = await requestJson(this.cfg, { method: 'POST', path, body: { body } }, this.http);
    return toComment(res.data, path);
  }

  async updateComment(id: number, body: string): Promise<IssueComment> {
    const path = `${this.repoPath}/issues/comments/${id}`;
    const res = await requestJson(this.cfg, { method: 'PATCH', path, body: { body } }, this.http);
    return toComment(res.data, path);
  }
}
