/**
 * The feature classes and feature names Hilum computes, spelled exactly as PyRadiomics 3.1 spells them.
 *
 * `deprecated` features are not enabled when a class is enabled as a whole; they can be named in a
 * parameter file. `computed: false` marks the deprecated features PyRadiomics names but never
 * computes (they equal another feature), so naming them yields no value, as in PyRadiomics.
 */

export type FeatureClassName = 'firstorder' | 'shape' | 'shape2D' | 'glcm' | 'glrlm' | 'glszm' | 'gldm' | 'ngtdm';

export interface FeatureSpec {
  name: string;
  deprecated: boolean;
  computed: boolean;
}

const active = (name: string): FeatureSpec => ({ name, deprecated: false, computed: true });
const deprecatedButComputed = (name: string): FeatureSpec => ({ name, deprecated: true, computed: true });
const deprecatedNoValue = (name: string): FeatureSpec => ({ name, deprecated: true, computed: false });

/** Order within a class follows PyRadiomics' output order (sorted method names). */
function sorted(specs: FeatureSpec[]): FeatureSpec[] {
  const key = (s: FeatureSpec) => `get${s.name}FeatureValue`;
  return [...specs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export const FEATURE_CLASSES: Record<FeatureClassName, readonly FeatureSpec[]> = {
  firstorder: sorted([
    ...[
      '10Percentile',
      '90Percentile',
      'Energy',
      'Entropy',
      'InterquartileRange',
      'Kurtosis',
      'Maximum',
      'MeanAbsoluteDeviation',
      'Mean',
      'Median',
      'Minimum',
      'Range',
      'RobustMeanAbsoluteDeviation',
      'RootMeanSquared',
      'Skewness',
      'TotalEnergy',
      'Uniformity',
      'Variance',
    ].map(active),
    deprecatedButComputed('StandardDeviation'),
  ]),
  shape: sorted([
    ...[
      'MeshVolume',
      'VoxelVolume',
      'SurfaceArea',
      'SurfaceVolumeRatio',
      'Sphericity',
      'Maximum3DDiameter',
      'Maximum2DDiameterSlice',
      'Maximum2DDiameterColumn',
      'Maximum2DDiameterRow',
      'MajorAxisLength',
      'MinorAxisLength',
      'LeastAxisLength',
      'Elongation',
      'Flatness',
    ].map(active),
    ...['Compactness1', 'Compactness2', 'SphericalDisproportion'].map(deprecatedButComputed),
  ]),
  shape2D: sorted([
    ...[
      'MeshSurface',
      'PixelSurface',
      'Perimeter',
      'PerimeterSurfaceRatio',
      'Sphericity',
      'MaximumDiameter',
      'MajorAxisLength',
      'MinorAxisLength',
      'Elongation',
    ].map(active),
    deprecatedButComputed('SphericalDisproportion'),
  ]),
  glcm: sorted([
    ...[
      'Autocorrelation',
      'JointAverage',
      'ClusterProminence',
      'ClusterShade',
      'ClusterTendency',
      'Contrast',
      'Correlation',
      'DifferenceAverage',
      'DifferenceEntropy',
      'DifferenceVariance',
      'JointEnergy',
      'JointEntropy',
      'Imc1',
      'Imc2',
      'Idm',
      'MCC',
      'Idmn',
      'Id',
      'Idn',
      'InverseVariance',
      'MaximumProbability',
      'SumAverage',
      'SumEntropy',
      'SumSquares',
    ].map(active),
    ...['Dissimilarity', 'Homogeneity1', 'Homogeneity2', 'SumVariance'].map(deprecatedNoValue),
  ]),
  glrlm: sorted(
    [
      'ShortRunEmphasis',
      'LongRunEmphasis',
      'GrayLevelNonUniformity',
      'GrayLevelNonUniformityNormalized',
      'RunLengthNonUniformity',
      'RunLengthNonUniformityNormalized',
      'RunPercentage',
      'GrayLevelVariance',
      'RunVariance',
      'RunEntropy',
      'LowGrayLevelRunEmphasis',
      'HighGrayLevelRunEmphasis',
      'ShortRunLowGrayLevelEmphasis',
      'ShortRunHighGrayLevelEmphasis',
      'LongRunLowGrayLevelEmphasis',
      'LongRunHighGrayLevelEmphasis',
    ].map(active),
  ),
  glszm: sorted(
    [
      'SmallAreaEmphasis',
      'LargeAreaEmphasis',
      'GrayLevelNonUniformity',
      'GrayLevelNonUniformityNormalized',
      'SizeZoneNonUniformity',
      'SizeZoneNonUniformityNormalized',
      'ZonePercentage',
      'GrayLevelVariance',
      'ZoneVariance',
      'ZoneEntropy',
      'LowGrayLevelZoneEmphasis',
      'HighGrayLevelZoneEmphasis',
      'SmallAreaLowGrayLevelEmphasis',
      'SmallAreaHighGrayLevelEmphasis',
      'LargeAreaLowGrayLevelEmphasis',
      'LargeAreaHighGrayLevelEmphasis',
    ].map(active),
  ),
  gldm: sorted([
    ...[
      'SmallDependenceEmphasis',
      'LargeDependenceEmphasis',
      'GrayLevelNonUniformity',
      'DependenceNonUniformity',
      'DependenceNonUniformityNormalized',
      'GrayLevelVariance',
      'DependenceVariance',
      'DependenceEntropy',
      'LowGrayLevelEmphasis',
      'HighGrayLevelEmphasis',
      'SmallDependenceLowGrayLevelEmphasis',
      'SmallDependenceHighGrayLevelEmphasis',
      'LargeDependenceLowGrayLevelEmphasis',
      'LargeDependenceHighGrayLevelEmphasis',
    ].map(active),
    ...['GrayLevelNonUniformityNormalized', 'DependencePercentage'].map(deprecatedNoValue),
  ]),
  ngtdm: sorted(['Coarseness', 'Contrast', 'Busyness', 'Complexity', 'Strength'].map(active)),
};

export const FEATURE_CLASS_NAMES = Object.keys(FEATURE_CLASSES) as FeatureClassName[];

export function isFeatureClassName(name: string): name is FeatureClassName {
  return Object.prototype.hasOwnProperty.call(FEATURE_CLASSES, name);
}

/**
 * The features of a class that a request enables: all non-deprecated ones, in class order, when
 * `requested` is null or empty (PyRadiomics' rule); otherwise the named ones that produce a value,
 * in the order they were named (PyRadiomics keeps that order in its output).
 */
export function enabledFeatures(className: FeatureClassName, requested: readonly string[] | null): string[] {
  const specs = FEATURE_CLASSES[className];
  if (!requested || requested.length === 0) return specs.filter((s) => !s.deprecated).map((s) => s.name);
  const computed = new Set(specs.filter((s) => s.computed).map((s) => s.name));
  return [...new Set(requested)].filter((name) => computed.has(name));
}
