import type { Finding } from '../../core/errors.js';
import type { Vec3 } from '../../imaging/vec.js';
import { PyInt, type PyValue, pyFloat } from '../python-repr.js';
import { type ImageTypeRequest, type ResolvedSettings, type SettingsMap, type SettingsRepr, resolveSettings } from '../settings.js';
import { type BoxResponse, type FilterDomain, domainBox } from './domain.js';
import { gradientResponse } from './gradient.js';
import { type IntensityFilter, intensityResponse } from './intensity.js';
import { lbp2dResponse } from './lbp2d.js';
import { lbp3dResponses } from './lbp3d.js';
import { logApplicable, logMargin, logResponse } from './log.js';
import { type WaveletSpec, waveletBandNames, waveletBands, waveletMargin } from './wavelet.js';

/**
 * The derived images of a parameter set, named as PyRadiomics names them, each with the settings
 * that apply to it (global settings overridden by the image type's own), and how to compute its
 * response on the ROI box from the filter domain.
 */
export type FilterSpec =
  | { kind: 'original' }
  | { kind: 'wavelet'; spec: WaveletSpec }
  | { kind: 'log'; sigmaMm: number }
  | { kind: 'intensity'; filter: IntensityFilter }
  | { kind: 'gradient'; useSpacing: boolean }
  | { kind: 'lbp2d'; radius: number; samples: number; method: ResolvedSettings['lbp2DMethod']; force2Ddimension: number }
  | { kind: 'lbp3d'; levels: number; radius: number; subdivision: number };

export interface DerivedImage {
  /** PyRadiomics image type name: original, wavelet-LLH, log-sigma-1-0-mm-3D, square, lbp-3D-k, … */
  name: string;
  filter: FilterSpec;
  /** Settings for the feature classes of this image (global + image type overrides). */
  settings: ResolvedSettings;
}

/** Expands the requested image types into derived images, in PyRadiomics' order. */
export function planImages(
  requests: readonly ImageTypeRequest[],
  settings: SettingsMap,
  settingsRepr: SettingsRepr,
  domainDims: Vec3,
  spacingMm: Vec3,
): { images: DerivedImage[]; findings: Finding[] } {
  const images: DerivedImage[] = [];
  const findings: Finding[] = [];
  for (const request of requests) {
    const merged = resolveSettings({ ...settings, ...request.setting });
    const repr: SettingsRepr = { ...settingsRepr, ...request.settingRepr };
    switch (request.name) {
      case 'Original':
        images.push({ name: 'original', filter: { kind: 'original' }, settings: merged });
        break;
      case 'Wavelet': {
        const numpyAxes = [2, 1, 0].filter((a) => !(merged.force2D && a === merged.force2Ddimension));
        const spec: WaveletSpec = { wavelet: merged.wavelet, startLevel: merged.startLevel, level: merged.level, axes: numpyAxes };
        for (const name of waveletBandNames(spec)) images.push({ name, filter: { kind: 'wavelet', spec }, settings: merged });
        break;
      }
      case 'LoG': {
        if (domainDims.some((n) => n < 4)) {
          findings.push({
            code: 'RADIOMICS_LOG_SKIPPED',
            severity: 'warning',
            message: `the image (${domainDims.join('×')} voxels) is too small for the LoG filter (4 voxels per axis needed); no LoG features`,
          });
          break;
        }
        const sigmas = merged.sigma;
        const sigmaRepr = Array.isArray(repr.sigma) ? (repr.sigma as PyValue[]) : sigmas;
        sigmas.forEach((sigma, k) => {
          if (!logApplicable(domainDims, spacingMm, sigma)) {
            findings.push({
              code: 'RADIOMICS_LOG_SKIPPED',
              severity: 'warning',
              message: `LoG σ = ${sigma} mm skipped: the image needs at least ⌈σ/spacing⌉ + 1 voxels per axis (PyRadiomics' rule)`,
            });
            return;
          }
          const text = sigmaRepr[k] instanceof PyInt ? String(sigma) : pyFloat(sigma);
          images.push({ name: `log-sigma-${text.replace(/\./g, '-')}-mm-3D`, filter: { kind: 'log', sigmaMm: sigma }, settings: merged });
        });
        break;
      }
      case 'Square':
      case 'SquareRoot':
      case 'Logarithm':
      case 'Exponential': {
        const filter = request.name.toLowerCase() as IntensityFilter;
        images.push({ name: filter, filter: { kind: 'intensity', filter }, settings: merged });
        break;
      }
      case 'Gradient':
        images.push({ name: 'gradient', filter: { kind: 'gradient', useSpacing: merged.gradientUseSpacing }, settings: merged });
        break;
      case 'LBP2D':
        images.push({
          name: 'lbp-2D',
          filter: {
            kind: 'lbp2d',
            radius: merged.lbp2DRadius,
            samples: merged.lbp2DSamples,
            method: merged.lbp2DMethod,
            force2Ddimension: merged.force2Ddimension,
          },
          settings: merged,
        });
        break;
      case 'LBP3D': {
        const filter: FilterSpec = {
          kind: 'lbp3d',
          levels: merged.lbp3DLevels,
          radius: merged.lbp3DIcosphereRadius,
          subdivision: merged.lbp3DIcosphereSubdivision,
        };
        for (let level = 1; level <= merged.lbp3DLevels; level++) images.push({ name: `lbp-3D-m${level}`, filter, settings: merged });
        images.push({ name: 'lbp-3D-k', filter, settings: merged });
        break;
      }
    }
  }
  return { images, findings };
}

/** Voxels per axis and side a filter reads around the ROI box, and the axes along which it may wrap (periodic). */
export function filterReach(filter: FilterSpec, spacingMm: Vec3): { margin: Vec3; wraps: [boolean, boolean, boolean] } {
  switch (filter.kind) {
    case 'original':
    case 'intensity':
      return { margin: [0, 0, 0], wraps: [false, false, false] };
    case 'gradient':
      return { margin: [1, 1, 1], wraps: [false, false, false] };
    case 'log':
      return { margin: logMargin(spacingMm, filter.sigmaMm), wraps: [false, false, false] };
    case 'wavelet': {
      const m = waveletMargin(filter.spec);
      return { margin: m, wraps: [m[0] > 0, m[1] > 0, m[2] > 0] };
    }
    case 'lbp2d': {
      const r = Math.ceil(filter.radius) + 1;
      return { margin: [r, r, r], wraps: [false, false, false] };
    }
    case 'lbp3d': {
      const r = Math.ceil(filter.radius) + 40;
      return { margin: [r, r, r], wraps: [false, false, false] };
    }
  }
}

/**
 * The response of a derived image on the ROI box. `mask` (box-sized) is only used by LBP3D, which
 * PyRadiomics computes for ROI voxels only.
 */
export function computeResponse(domain: FilterDomain, image: DerivedImage, mask: Uint8Array): BoxResponse {
  const f = image.filter;
  switch (f.kind) {
    case 'original':
      return domainBox(domain);
    case 'wavelet': {
      const [band] = waveletBands(domain, f.spec, new Set([image.name]));
      return band.response;
    }
    case 'log':
      return logResponse(domain, f.sigmaMm);
    case 'intensity':
      return intensityResponse(domain, f.filter);
    case 'gradient':
      return gradientResponse(domain, f.useSpacing);
    case 'lbp2d':
      return lbp2dResponse(domain, f.radius, f.samples, f.method, f.force2Ddimension);
    case 'lbp3d': {
      const responses = lbp3dResponses(domain, mask, f.levels, f.radius, f.subdivision);
      const which = image.name === 'lbp-3D-k' ? responses.kurtosis : responses.levels[Number(image.name.slice('lbp-3D-m'.length)) - 1];
      return which;
    }
  }
}
