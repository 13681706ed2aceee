/**
 * The Content-Security-Policy of the renderer page, shared by the Electron shell (electron/app,
 * as a response header) and the loopback host (electron/host); free of Electron and Node imports.
 * renderer/index.html carries the same policy as a meta tag (less frame-ancestors).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
