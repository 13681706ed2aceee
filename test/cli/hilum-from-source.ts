// Runs the hilum CLI from the TypeScript sources in its own process (tests spawn it with `node --import tsx`).
import { main } from '../../electron/cli/main.js';

process.exitCode = await main(process.argv);
