/**
 * Paths from the desktop: a native chooser and the path of a dropped folder (Electron only; a
 * browser can give neither, and the page then asks for the path to be typed). The path is only
 * ever handed to the API, which validates it in the engine.
 */
import { type PathPurpose, desktopBridge } from './shell-commands';

export function canChoosePaths(): boolean {
  return typeof desktopBridge()?.choosePath === 'function';
}

/** The chosen path, or null when cancelled or outside the desktop shell. */
export async function choosePath(kind: 'folder' | 'file', purpose: PathPurpose): Promise<string | null> {
  const bridge = desktopBridge();
  if (typeof bridge?.choosePath !== 'function') return null;
  const chosen = await bridge.choosePath(kind, purpose);
  return typeof chosen === 'string' && chosen ? chosen : null;
}

/** The path on disk of the first dropped item, where the shell can tell it. */
export function droppedPath(files: FileList | null | undefined): string | null {
  const file = files && files.length ? files[0] : null;
  const bridge = desktopBridge();
  if (!file || typeof bridge?.pathForFile !== 'function') return null;
  try {
    const p = bridge.pathForFile(file);
    return typeof p === 'string' && p ? p : null;
  } catch {
    return null;
  }
}
