/**
 * The small cohort study the tests run (CLI, API, browser): a 56-patient phantom cohort of two
 * centres (seed 11), which gives both outcomes in every split, studied with a light radiomics set
 * (shape + first order) and a protocol loosened for so few patients. The study's default is the
 * full PyRadiomics CT set; this keeps the tests short.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** `hilum phantom` arguments (after `--out <dir>`) of the cohort. */
export const SMALL_COHORT_ARGS = ['--n', '56', '--centres', 'A:40,B:16', '--seed', '11', '--jobs', '2'];
export const SMALL_COHORT_PATIENTS = 56;

const LIGHT_RADIOMICS =
  'imageType:\n  Original: {}\nfeatureClass:\n  shape:\n  firstorder:\nsetting:\n  binWidth: 25\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkBSpline\n  label: 1\n';

/** Writes `light.yaml` and the protocol (named `name`) into `dir`; returns the protocol's path. */
export function writeSmallStudyProtocol(dir: string, name: string, protocolFile = path.join(dir, 'protocol.yaml')): string {
  writeFileSync(path.join(dir, 'light.yaml'), LIGHT_RADIOMICS);
  writeFileSync(
    protocolFile,
    `name: ${name}\ndataSource: synthetic\nradiomics:\n  parameterFile: light.yaml\nclinical:\n  pEnter: 0.3\n  pKeep: 0.3\nselection:\n  pThreshold: 0.3\n  lasso:\n    nFolds: 4\ndeep:\n  pcaComponents: 4\n`,
  );
  return protocolFile;
}
