/**
 * The placeholder grammar of templates, `{{ feeder }}` or `{{ feeder.field }}`: shared by the scenario reader,
 * which checks that every feeder named exists, and the client, which fills them per request.
 */
export const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_$][\w$]*)((?:\.[\w$]+)*)\s*\}\}$/;
export const EMBEDDED_PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*)((?:\.[\w$]+)*)\s*\}\}/g;

/** Names of the feeders a template uses, so a missing one is caught when the scenario is loaded. */
export function feedersUsed(template: unknown, found = new Set<string>()): Set<string> {
  if (typeof template === 'string') {
    for (const match of template.matchAll(EMBEDDED_PLACEHOLDER)) found.add(match[1]!);
  } else if (Array.isArray(template)) {
    for (const item of template) feedersUsed(item, found);
  } else if (template !== null && typeof template === 'object') {
    for (const item of Object.values(template)) feedersUsed(item, found);
  }
  return found;
}
