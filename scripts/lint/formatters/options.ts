// What every formatter is told besides the result: where paths are relative to, color, the
// version, the sources for code frames. Its own file, so formatters need not import index.ts.
export interface FixSummary {
  /** Fixes applied, over all passes. */
  fixes: number;
  files: number;
  /** Files with fixable findings that were left alone because they do not parse. */
  skipped: string[];
}

export interface FormatOptions {
  /** Where the command ran; diagnostic paths are relative to it. */
  cwd: string;
  /** The repository root; SARIF and GitHub name files relative to it. */
  root: string;
  color: boolean;
  /** The toolkit's version, for SARIF's tool.driver. */
  version: string;
  /** File texts by diagnostic path, for code frames. Files missing here get no frame. */
  sources?: ReadonlyMap<string, string>;
  /** What `--fix` did, when it ran. */
  fixed?: FixSummary;
  /**
   * Web address of the repository's files at the commit linted, for links in the job
   * summary: `<base>/<repo-relative path>#L<line>`.
   */
  fileLinkBase?: string;
}
