/** Debian's Chromium and its flags for these machines (scripts/chromium.mjs, shared with the renderer benchmark). */
export { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
