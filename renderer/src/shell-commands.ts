/**
 * The desktop shell's side of the page (Electron's preload adds it to `window.hilum`; a browser has
 * none of it): menu commands, and native save/print of a report. Everything here is optional.
 *
 * `startShellCommands()` (App.vue, once) listens to the menu; any component then uses
 * `useShellCommands().on(command, handler)`, which stops listening when the component unmounts.
 */
import { getCurrentInstance, onBeforeUnmount } from 'vue';

export type ShellCommand =
  | { command: 'open-folder'; path: string }
  | { command: 'open-demo' }
  | { command: 'language'; lang: 'en' | 'zh-CN' }
  | { command: 'report-saved'; file: string };
export type ShellCommandName = ShellCommand['command'];
type CommandOf<N extends ShellCommandName> = Extract<ShellCommand, { command: N }>;

/** The optional desktop parts of `window.hilum` (electron/app/preload.cts). */
export interface DesktopBridge {
  saveReport?: (file: string) => Promise<unknown>;
  printReport?: (file: string) => Promise<unknown>;
  onCommand?: (listener: (command: unknown) => void) => () => void;
  /** A native chooser; the chosen path, or null when cancelled. */
  choosePath?: (kind: 'folder' | 'file', purpose: PathPurpose) => Promise<string | null>;
  /** The path on disk of a dropped file or folder. */
  pathForFile?: (file: File) => string;
}

export type PathPurpose = 'ct' | 'mask' | 'manifest' | 'protocol' | 'study-folder' | 'bundle' | 'export-folder';

export function desktopBridge(): DesktopBridge | null {
  const bridge = (globalThis as { hilum?: unknown }).hilum;
  return bridge && typeof bridge === 'object' ? (bridge as DesktopBridge) : null;
}

const COMMANDS: readonly ShellCommandName[] = ['open-folder', 'open-demo', 'language', 'report-saved'];

/** A menu command as it arrives, checked (anything else is ignored). */
export function parseShellCommand(raw: unknown): ShellCommand | null {
  if (!raw || typeof raw !== 'object') return null;
  const c = raw as Record<string, unknown>;
  if (!COMMANDS.includes(c.command as ShellCommandName)) return null;
  if (c.command === 'open-folder' && typeof c.path !== 'string') return null;
  if (c.command === 'report-saved' && typeof c.file !== 'string') return null;
  if (c.command === 'language' && c.lang !== 'en' && c.lang !== 'zh-CN') return null;
  return c as unknown as ShellCommand;
}

type Listener = (command: ShellCommand) => void;
const listeners = new Map<ShellCommandName, Set<Listener>>();

/** Hands a command to its listeners (the menu's, or one the page raises itself). */
export function dispatchShellCommand(command: ShellCommand): void {
  for (const listener of [...(listeners.get(command.command) ?? [])]) listener(command);
}

let stopBridge: (() => void) | null = null;

/** Starts forwarding the desktop menu's commands (no-op in a browser); returns the function that stops it. */
export function startShellCommands(): () => void {
  if (!stopBridge) {
    const bridge = desktopBridge();
    if (typeof bridge?.onCommand === 'function') {
      const stop = bridge.onCommand((raw) => {
        const command = parseShellCommand(raw);
        if (command) dispatchShellCommand(command);
      });
      stopBridge = () => {
        stop();
        stopBridge = null;
      };
    }
  }
  return () => stopBridge?.();
}

/** Subscribes to shell commands; inside a component's setup the subscriptions end with the component. */
export function useShellCommands() {
  const mine: (() => void)[] = [];
  function on<N extends ShellCommandName>(name: N, handler: (command: CommandOf<N>) => void): () => void {
    const set = listeners.get(name) ?? new Set<Listener>();
    listeners.set(name, set);
    const listener = handler as Listener;
    set.add(listener);
    const off = () => set.delete(listener);
    mine.push(off);
    return off;
  }
  if (getCurrentInstance()) onBeforeUnmount(() => mine.forEach((off) => off()));
  return { on, dispatch: dispatchShellCommand };
}
