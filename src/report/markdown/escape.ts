/**
 * Text from users and servers made inert in Markdown that GitHub renders (PR comments, $GITHUB_STEP_SUMMARY):
 * HTML is entity-escaped (GitHub renders raw HTML), every other ASCII punctuation that Markdown reads is
 * backslash-escaped (links, emphasis, table pipes, @mentions that would ping people), and line breaks become
 * spaces so a value cannot end a table row.
 */
export function escapeMarkdown(text: unknown): string {
  return String(text)
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~@"'=:]/g, (c) => `\\${c}`);
}

/**
 * A fenced code block that no content can close early: the fence is one backtick longer than the longest run
 * of backticks inside (CommonMark closes a fence only with one at least as long). The content stays literal,
 * so it is not entity-escaped: inside a fence GitHub renders no HTML.
 */
export function fencedCode(code: string, language: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language.replace(/[^a-z0-9-]/gi, '')}\n${code.replace(/\n$/, '')}\n${fence}`;
}
