import type { ErrorKind } from '../metrics/vocabulary.js';

/** Maps a socket or parser error to the kind a report counts it under. */
export function classifyError(error: NodeJS.ErrnoException): ErrorKind {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || error.message === 'socket hang up') return 'reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  // HTTP parser and WebSocket protocol errors: the target answered something that is not the protocol.
  if (code.startsWith('HPE_') || code.startsWith('WS_ERR_')) return 'garbage';
  if (code === 'EADDRNOTAVAIL' || code === 'EMFILE' || code === 'ENFILE' || code === 'EADDRINUSE') return 'socket';
  if (code === 'ABORT_ERR') return 'aborted';
  return 'other';
}
