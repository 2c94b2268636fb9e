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
