export { STARTER_SCENARIO } from './starter.js';
export { draftFromOpenApi } from './openapi.js';
export { draftFromHar, HarError } from './har.js';
export { renderDraft, type ScenarioDraft } from './draft.js';
export { checkDraft, DraftInvalidError } from './check.js';
