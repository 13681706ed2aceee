import type { Command } from 'commander';
import path from 'node:path';
import { HilumError } from '../../engine/core/errors.js';
import { defaultDataDir, startHost } from '../../host/server.js';

interface ServeOptions {
  port: string;
  data?: string;
  static?: string;
}

/** Resolves once SIGINT or SIGTERM arrives. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the workstation to a browser on this machine: the built renderer and the API over a WebSocket, on 127.0.0.1 only, ' +
        'with a random access token per run (open the printed address; see docs/api.md). Stop with Ctrl-C.',
    )
    .option('--port <n>', 'TCP port on 127.0.0.1 (0: a random free port)', '0')
    .option('--data <dir>', 'folder for the case store (hilum.sqlite) and reports/ (default $HILUM_DATA or ~/.local/share/hilum)')
    .option('--static <dir>', 'serve the renderer from this folder (default dist/renderer)')
    .action(async (opts: ServeOptions) => {
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535)
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: `--port must be a number from 0 to 65535, got '${opts.port}'` });
      const dataDir = path.resolve(opts.data ?? defaultDataDir());
      // Automation (the browser tests) may fix the token through the environment — never on the command line, where other users could read it.
      const token = process.env.HILUM_SERVE_TOKEN;
      if (token !== undefined && !/^[0-9a-f]{64}$/.test(token))
        throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'HILUM_SERVE_TOKEN must be 64 lower-case hex digits (32 random bytes)' });
      const host = await startHost({ dataDir, port, staticDir: opts.static, token });
      process.stdout.write(`Hilum is serving at ${host.url}\n`);
      process.stderr.write(`  data ${dataDir} (case store hilum.sqlite, reports/); loopback only; stop with Ctrl-C\n`);
      const signal = await untilStopped();
      process.stderr.write(`  ${signal}: stopping\n`);
      await host.close();
    });
}
