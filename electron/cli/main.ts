import { Command, CommanderError } from 'commander';
import { engineVersion } from '../engine/core/version.js';
import { registerConvert } from './commands/convert.js';
import { registerDb } from './commands/db.js';
import { registerDeep } from './commands/deep.js';
import { registerDeepBags } from './commands/deep-bags.js';
import { registerDemo } from './commands/demo.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerFit } from './commands/fit.js';
import { registerHarmonise } from './commands/harmonise.js';
import { registerIcc } from './commands/icc.js';
import { registerInspect } from './commands/inspect.js';
import { registerPacs } from './commands/pacs.js';
import { registerPhantom } from './commands/phantom.js';
import { registerPredict } from './commands/predict.js';
import { registerRadiomics } from './commands/radiomics.js';
import { registerRecalibrate } from './commands/recalibrate.js';
import { registerSegment } from './commands/segment.js';
import { registerServe } from './commands/serve.js';
import { registerStudy } from './commands/study.js';
import { formatError } from './output.js';

/** The `hilum` command line: the engine, headless. Exit codes: 0 done, 1 bad input (a named error), 2 usage. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('hilum')
    .description(
      'Hilum — CT-based decision support for occult lymph node metastasis in lung adenocarcinoma.\n' +
        'Decision support, not a diagnosis. The bundled model is a demonstration trained on synthetic data.',
    )
    .version(`hilum ${engineVersion()} (engine ${engineVersion()}, node ${process.version})`, '-v, --version', 'print the version')
    .showHelpAfterError('(run hilum --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerInspect(program);
  registerConvert(program);
  registerSegment(program);
  registerPredict(program);
  registerPhantom(program);
  registerRadiomics(program);
  registerDeep(program);
  registerDeepBags(program);
  registerEvaluate(program);
  registerFit(program);
  registerIcc(program);
  registerHarmonise(program);
  registerRecalibrate(program);
  registerStudy(program);
  registerDb(program);
  registerServe(program);
  registerPacs(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(formatError(error) + '\n');
    return 1;
  }
}
