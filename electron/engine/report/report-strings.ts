/**
 * Every label of the per-patient PDF report, in English and Simplified Chinese. Both languages
 * implement the same interface, so a key missing from either is a compile error. Bundle and
 * record data (intended use text, warning messages, protocol labels) come in English; the known
 * protocol fields, values, signatures and risk categories are translated here by their stable
 * names, and anything unknown is printed as the bundle or record gives it.
 *
 * The Chinese font shipped in resources/fonts is a subset: every character used in this file is
 * in it (scripts/subset-fonts.sh reads this file), plus GB 2312 level 1.
 */

export type ReportLang = 'en' | 'zh-CN';

export interface ReportStrings {
  /** BCP 47 tag written into the PDF catalogue. */
  pdfLang: string;
  appName: string;
  title: string;
  subtitle: string;
  syntheticBanner: string;
  syntheticBannerDetail: string;

  // Header / case
  sectionCase: string;
  patient: string;
  studyDate: string;
  seriesDescription: string;
  modalityScanner: string;
  sliceThickness: string;
  pixelSpacing: string;
  contrast: string;
  contrastValues: { yes: string; no: string; unknown: string };
  imageSource: string;
  segmentation: string;
  segmentationMethods: { given: string; click: string };
  /** A mask made in the workstation: how, and a suffix when it was edited by hand. */
  segmentationOrigins: { click: string; imported: string; painted: string };
  segmentationEdited: string;
  tumourVolume: string;
  longestDiameter: string;
  solidDiameter: string;
  ctrShort: string;
  reportId: string;
  generated: string;
  notRecorded: string;

  // Intended use
  sectionIntendedUse: string;
  intendedUseLabel: string;
  exclusionsLabel: string;
  exclusions: string[];
  validatedRange: (sliceMm: string, pixelMm: string, diameterMm: string | null) => string;

  // Result
  sectionResult: string;
  resultHeadline: string;
  probabilityLabel: string;
  interval95: string;
  riskCategory: string;
  categoryCutoffs: (cutoffs: string) => string;
  /** Translations of known English texts a bundle carries (the demonstration bundle's intended use), by their exact text. */
  knownTexts: Record<string, string>;
  thresholdExplain: string;
  refusedHeadline: string;
  refusedExplain: string;

  // Signatures
  sectionSignatures: string;
  colSignature: string;
  colScore: string;
  colReference: string;
  colPercentile: string;
  colProbability: string;
  signatureNames: Record<string, string>;
  signaturesNote: string;
  percentileOrdinal: (p: number) => string;

  // Nomogram
  sectionNomogram: string;
  nomogramPoints: string;
  nomogramTotal: string;
  nomogramRisk: string;
  nomogramPatient: string;
  nomogramNote: string;
  nomogramAxes: Record<string, string>;

  // Images
  sectionImages: string;
  imgLungCrop: (fieldMm: number) => string;
  imgMediastinalCrop: (fieldMm: number) => string;
  imgFullSlice: string;
  imgAxial: string;
  imgCoronal: string;
  imgSagittal: string;
  imgMprTitle: string;
  imgBagTitle: string;
  imgBagSlice: (plane: string, offsetMm: number, probability: string | null) => string;
  imgOutlineNote: string;
  planes: Record<string, string>;

  // Why: class-activation maps and input contributions
  sectionWhy: string;
  camTitle: string;
  camMeaning: (maxAbs: string) => string;
  camSlice: (plane: string, offsetMm: number, logit: string) => string;
  camScaleLow: string;
  camScaleHigh: string;
  camUnavailable: string;
  occlusionTitle: string;
  occlusionMeaning: (maxAbs: string, baselineHu: number) => string;
  camSyntheticNote: string;
  contributionsTitle: (signature: string) => string;
  contributionsNote: (reference: 'training-mean' | 'nomogram-zero') => string;
  colInput: string;
  colCamReference: string;
  colContribution: string;
  /** Marks an input the model takes as its natural log, and the note that explains it. */
  logScale: string;
  contributionsLogNote: string;
  contributionsBaseline: (baseline: string, total: string) => string;

  // Clinical inputs
  sectionClinical: string;
  colVariable: string;
  colValue: string;
  colUnit: string;
  colSource: string;
  sources: { entered: string; measured: string };
  clinicalLabels: Record<string, string>;
  values: Record<string, string>;

  // Model card
  sectionModel: string;
  modelName: string;
  modelCreated: string;
  dataSource: string;
  dataSources: { synthetic: string; institutional: string };
  centres: string;
  colCohort: string;
  colCentres: string;
  colPatients: string;
  colEvents: string;
  colAuc: string;
  cohortNames: Record<string, string>;
  prevalence: string;
  backbone: string;
  outOfFold: (folds: number) => string;

  // Warnings
  sectionWarnings: string;
  noWarnings: string;
  severityNames: { warning: string; refusal: string };

  // Disclaimer, versions, sign-off
  sectionDisclaimer: string;
  disclaimer: string;
  disclaimerDetail: string;
  sectionVersions: string;
  bundleHash: string;
  backboneHash: string;
  engineVersion: string;
  provider: string;
  inputsHash: string;
  maskHash: string;
  predictionId: string;
  predictionCreated: string;
  sectionSignOff: string;
  reviewedBy: string;
  signOffDate: string;
  signature: string;
  pageOf: (page: number, pages: number) => string;
  continued: string;
}

function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

const EN: ReportStrings = {
  pdfLang: 'en',
  appName: 'Hilum',
  title: 'Occult lymph node metastasis — risk report',
  subtitle: 'Lung adenocarcinoma, clinical N0 · CT and clinical data · decision support',
  syntheticBanner: 'DEMONSTRATION MODEL TRAINED ON SYNTHETIC DATA — NOT FOR CLINICAL USE',
  syntheticBannerDetail: 'The model was trained on generated phantom data, not on patients. Its numbers carry no clinical meaning.',

  sectionCase: 'Patient and study',
  patient: 'Patient (pseudonym)',
  studyDate: 'Study date',
  seriesDescription: 'Series',
  modalityScanner: 'Modality / scanner',
  sliceThickness: 'Slice thickness',
  pixelSpacing: 'Pixel spacing',
  contrast: 'Contrast',
  contrastValues: { yes: 'contrast-enhanced', no: 'non-contrast', unknown: 'not recorded' },
  imageSource: 'Image source',
  segmentation: 'Segmentation',
  segmentationMethods: { given: 'mask supplied', click: 'seed click, automatic' },
  segmentationOrigins: { click: 'seed click, automatic', imported: 'mask imported', painted: 'painted by hand' },
  segmentationEdited: ', edited by hand',
  tumourVolume: 'Tumour volume',
  longestDiameter: 'Longest axial diameter',
  solidDiameter: 'Solid component diameter',
  ctrShort: 'CTR',
  reportId: 'Report ID',
  generated: 'Generated',
  notRecorded: '—',

  sectionIntendedUse: 'Intended use',
  intendedUseLabel: 'Intended use',
  exclusionsLabel: 'Not intended for',
  exclusions: [
    'Clinically or radiologically node-positive disease (cN1–N3) or distant metastasis.',
    'Histology other than adenocarcinoma, multiple primary tumours, or prior treatment of lung cancer.',
    'Non-contrast CT, or images outside the validated acquisition range.',
    'Use as the sole basis for omitting or extending lymph node dissection.',
  ],
  validatedRange: (sliceMm, pixelMm, diameterMm) =>
    `Validated acquisition range: slice thickness ${sliceMm} mm, pixel spacing ${pixelMm} mm` + (diameterMm ? `, tumour diameter ${diameterMm} mm.` : '.'),

  sectionResult: 'Result',
  resultHeadline: 'Estimated risk of occult lymph node metastasis',
  probabilityLabel: 'Probability',
  interval95: '95 % interval',
  riskCategory: 'Risk category',
  categoryCutoffs: (cutoffs) => `Cut-offs: ${cutoffs}`,
  knownTexts: {},
  thresholdExplain: 'Combined nomogram model; the interval reflects model uncertainty only (Wald, logit scale).',
  refusedHeadline: 'No probability given for this case',
  refusedExplain: 'The model bundle does not allow a prediction for this case, for the reasons below:',

  sectionSignatures: 'Signature scores',
  colSignature: 'Signature',
  colScore: 'Score',
  colReference: 'Reference range (P5–P95)',
  colPercentile: 'Percentile',
  colProbability: 'Probability',
  signatureNames: {
    clinical: 'Clinical',
    radiomics: 'Radiomics',
    mil: 'MIL (2.5D deep learning)',
    dlrad: 'DLRad (deep learning radiomics)',
    combined: 'Combined (nomogram)',
  },
  signaturesNote: 'Reference range and percentile refer to the training cohort of the model bundle.',
  percentileOrdinal: (p) => `${p}${ordinalSuffix(p)}`,

  sectionNomogram: 'Nomogram',
  nomogramPoints: 'Points',
  nomogramTotal: 'Total points',
  nomogramRisk: 'Risk of OLNM',
  nomogramPatient: 'This patient',
  nomogramNote:
    'Each predictor is read off against the Points scale; the points are added and the total read off against the risk scale. Filled markers show this patient.',
  nomogramAxes: {
    dlrad_score: 'DLRad score',
    cea_ng_ml: 'CEA (ng/mL)',
    cyfra_ng_ml: 'CYFRA 21-1 (ng/mL)',
    diameter_mm: 'Tumour diameter (mm)',
    ctr: 'Consolidation-to-tumour ratio',
    spiculation: 'Spiculation',
    vascular_convergence: 'Vascular convergence',
    lobulation: 'Lobulation',
    pleural_indentation: 'Pleural indentation',
    age_years: 'Age (years)',
    radiomics_score: 'Radiomics score',
    mil_score: 'MIL score',
    clinical_score: 'Clinical score',
  },

  sectionImages: 'Key images',
  imgLungCrop: (fieldMm) => `Largest axial section, lung window (W1500/L−600), ${fieldMm} mm field`,
  imgMediastinalCrop: (fieldMm) => `Same section, mediastinal window (W350/L40), ${fieldMm} mm field`,
  imgFullSlice: 'Full axial slice, lung window; box = field of the close-ups',
  imgAxial: 'Axial',
  imgCoronal: 'Coronal',
  imgSagittal: 'Sagittal',
  imgMprTitle: 'Multiplanar views through the tumour centroid (lung window)',
  imgBagTitle: '2.5D input slices of the deep model (offset mm, slice p)',
  imgBagSlice: (plane, offsetMm, probability) =>
    `${plane} ${offsetMm > 0 ? '+' : offsetMm < 0 ? '\u2212' : ''}${Math.abs(offsetMm)}` + (probability ? `\np ${probability}` : ''),
  imgOutlineNote: 'Yellow outline: the tumour segmentation used for the prediction. Images: patient right on image left.',
  planes: { axial: 'Axial', coronal: 'Coronal', sagittal: 'Sagittal' },

  sectionWhy: 'Why: what the deep model looked at, and what each input contributed',
  camTitle: 'Class-activation maps on the 2.5D input slices (offset mm, slice log-odds)',
  camMeaning: (maxAbs) =>
    `Class-activation map CAM(i,j) = \u2211k wk\u00b7Ak(i,j) of the backbone's last feature maps (Zhou et al. 2016; equal to Grad-CAM for this pooled linear head), in log-odds per cell: red raises, blue lowers the slice's log-odds of nodal metastasis; full colour = \u00b1${maxAbs}. The map's mean plus the head's bias is the slice's logit. A map shows where the model's evidence lies, not why, and is no proof of a lesion.`,
  camSlice: (plane, offsetMm, logit) => `${plane} ${offsetMm > 0 ? '+' : offsetMm < 0 ? '\u2212' : ''}${Math.abs(offsetMm)}\nlogit ${logit}`,
  camScaleLow: 'lowers',
  camScaleHigh: 'raises',
  camUnavailable: 'No class-activation map: the backbone does not end in global average pooling and one linear layer; occlusion sensitivity is shown instead.',
  occlusionTitle: 'Occlusion sensitivity on the 2.5D input slices (offset mm, slice log-odds)',
  occlusionMeaning: (maxAbs, baselineHu) =>
    `Occlusion sensitivity (Zeiler & Fergus 2014): each cell of the crop replaced in turn by air (${baselineHu} HU) and the slice run again; O(i,j) = logit \u2212 logit with the cell occluded, in log-odds: red where the region raised, blue where it lowered the slice's log-odds of nodal metastasis; full colour = \u00b1${maxAbs}. The cells do not add up to the logit. A map shows where the model's evidence lies, not why, and is no proof of a lesion.`,
  camSyntheticNote: 'The maps come from a backbone trained on synthetic phantoms only; they show the demonstration model, not clinical evidence.',
  contributionsTitle: (signature) => `Input contributions to the ${signature} model (log-odds), largest first`,
  contributionsNote: (reference) =>
    reference === 'training-mean'
      ? 'Contribution = \u03b2\u00b7(x \u2212 m), m the input\u2019s mean on the training split; baseline + contributions = the model\u2019s log-odds.'
      : 'Contribution = \u03b2\u00b7(x \u2212 v), v the value at zero points on the nomogram axis (this bundle records no training means); equal to the nomogram points divided by the points per log-odds unit.',
  colInput: 'Input',
  colCamReference: 'Reference',
  colContribution: 'Contribution (log-odds)',
  logScale: 'ln',
  contributionsLogNote:
    'ln: the model takes the input as its natural log; contribution = \u03b2\u00b7(ln x \u2212 mean ln x), and the reference shown is the training geometric mean.',
  contributionsBaseline: (baseline, total) => `Baseline ${baseline} + contributions = ${total} log-odds`,

  sectionClinical: 'Clinical and imaging inputs',
  colVariable: 'Variable',
  colValue: 'Value',
  colUnit: 'Unit',
  colSource: 'Source',
  sources: { entered: 'entered', measured: 'CT-measured' },
  clinicalLabels: {},
  values: { yes: 'yes', no: 'no' },

  sectionModel: 'Model card',
  modelName: 'Model bundle',
  modelCreated: 'Created',
  dataSource: 'Data source',
  dataSources: { synthetic: 'synthetic (generated phantom cohort)', institutional: 'institutional cohort' },
  centres: 'Centres',
  colCohort: 'Cohort',
  colCentres: 'Centres',
  colPatients: 'Patients',
  colEvents: 'OLNM events',
  colAuc: 'Combined model AUC (95 % CI)',
  cohortNames: { training: 'Training', validation: 'Internal validation', external: 'External test' },
  prevalence: 'OLNM prevalence',
  backbone: 'Deep learning backbone',
  outOfFold: (folds) => `training deep features out-of-fold (${folds} folds)`,

  sectionWarnings: 'Quality warnings',
  noWarnings: 'None.',
  severityNames: { warning: 'Warning', refusal: 'Refusal' },

  sectionDisclaimer: 'Disclaimer',
  disclaimer: 'Decision support; does not replace pathological nodal staging.',
  disclaimerDetail:
    'The estimate is to be weighed by the treating team together with PET-CT, EBUS/mediastinoscopy findings and the clinical picture. It describes the risk in a population like the training cohort of the model, not a certainty for this patient.',
  sectionVersions: 'Versions and hashes',
  bundleHash: 'Model bundle SHA-256',
  backboneHash: 'Backbone SHA-256',
  engineVersion: 'Engine version',
  provider: 'Execution provider',
  inputsHash: 'Inputs SHA-256',
  maskHash: 'Mask SHA-256',
  predictionId: 'Prediction ID',
  predictionCreated: 'Prediction made',
  sectionSignOff: 'Review',
  reviewedBy: 'Reviewed by',
  signOffDate: 'Date',
  signature: 'Signature',
  pageOf: (page, pages) => `Page ${page} of ${pages}`,
  continued: '(continued)',
};

const ZH: ReportStrings = {
  pdfLang: 'zh-CN',
  appName: 'Hilum',
  title: '隐匿性淋巴结转移风险报告',
  subtitle: '肺腺癌（临床 N0）· CT 影像与临床资料 · 临床决策支持',
  syntheticBanner: '演示模型，基于合成数据训练 — 不得用于临床',
  syntheticBannerDetail: '本模型以计算机生成的模拟数据训练，未使用患者数据；其数值不具有任何临床意义。',

  sectionCase: '患者与检查信息',
  patient: '患者（化名）',
  studyDate: '检查日期',
  seriesDescription: '序列',
  modalityScanner: '检查类型 / 设备',
  sliceThickness: '层厚',
  pixelSpacing: '像素间距',
  contrast: '对比剂',
  contrastValues: { yes: '增强扫描', no: '平扫', unknown: '未记录' },
  imageSource: '影像来源',
  segmentation: '病灶分割',
  segmentationMethods: { given: '导入的分割掩膜', click: '种子点自动分割' },
  segmentationOrigins: { click: '种子点自动分割', imported: '导入的分割掩膜', painted: '手工勾画' },
  segmentationEdited: '，经手工修改',
  tumourVolume: '肿瘤体积',
  longestDiameter: '轴位最长径',
  solidDiameter: '实性成分直径',
  ctrShort: '实性成分占比（CTR）',
  reportId: '报告编号',
  generated: '生成时间',
  notRecorded: '—',

  sectionIntendedUse: '预期用途',
  intendedUseLabel: '预期用途',
  exclusionsLabel: '不适用于',
  exclusions: [
    '临床或影像学提示淋巴结阳性（cN1–N3）或远处转移的患者。',
    '非腺癌病理类型、多原发肿瘤，或既往接受过肺癌治疗的患者。',
    '平扫 CT，或采集参数超出验证范围的影像。',
    '作为决定省略或扩大淋巴结清扫的唯一依据。',
  ],
  validatedRange: (sliceMm, pixelMm, diameterMm) =>
    `已验证的采集范围：层厚 ${sliceMm} mm，像素间距 ${pixelMm} mm` + (diameterMm ? `，肿瘤直径 ${diameterMm} mm。` : '。'),

  sectionResult: '预测结果',
  resultHeadline: '隐匿性淋巴结转移（OLNM）估计风险',
  probabilityLabel: '概率',
  interval95: '95% 置信区间',
  riskCategory: '风险分层',
  categoryCutoffs: (cutoffs) => `界值：${cutoffs}`,
  knownTexts: {
    'Estimate the risk of occult lymph node metastasis before surgery in clinical N0 lung adenocarcinoma from contrast-enhanced CT and clinical data. Decision support; does not replace pathological nodal staging.':
      '术前依据增强 CT 与临床资料估计临床 N0 期肺腺癌隐匿性淋巴结转移的风险。仅为决策支持，不能替代淋巴结病理分期。',
  },
  thresholdExplain: '联合列线图模型；区间仅反映模型参数的不确定性（Wald 法，logit 尺度）。',
  refusedHeadline: '本病例未给出概率',
  refusedExplain: '根据模型包的规定，本病例不能进行预测，原因如下：',

  sectionSignatures: '各模型评分',
  colSignature: '模型',
  colScore: '评分',
  colReference: '参考范围（P5–P95）',
  colPercentile: '百分位',
  colProbability: '概率',
  signatureNames: {
    clinical: '临床模型',
    radiomics: '影像组学',
    mil: '多示例学习（2.5D 深度学习）',
    dlrad: '深度学习影像组学（DLRad）',
    combined: '联合模型（列线图）',
  },
  signaturesNote: '参考范围与百分位均相对于模型包的训练集。',
  percentileOrdinal: (p) => `第 ${p} 百分位`,

  sectionNomogram: '列线图',
  nomogramPoints: '得分',
  nomogramTotal: '总分',
  nomogramRisk: 'OLNM 风险',
  nomogramPatient: '本患者',
  nomogramNote: '每个预测因子在“得分”标尺上读取分值，各项分值相加得总分，再在风险标尺上读取对应风险。实心标记为本患者。',
  nomogramAxes: {
    dlrad_score: 'DLRad 评分',
    cea_ng_ml: 'CEA（ng/mL）',
    cyfra_ng_ml: 'CYFRA 21-1（ng/mL）',
    diameter_mm: '肿瘤直径（mm）',
    ctr: '实性成分占比（CTR）',
    spiculation: '毛刺征',
    vascular_convergence: '血管集束征',
    lobulation: '分叶征',
    pleural_indentation: '胸膜凹陷征',
    age_years: '年龄（岁）',
    radiomics_score: '影像组学评分',
    mil_score: '多示例学习评分',
    clinical_score: '临床评分',
  },

  sectionImages: '关键图像',
  imgLungCrop: (fieldMm) => `肿瘤最大轴位层面，肺窗（W1500/L−600），视野 ${fieldMm} mm`,
  imgMediastinalCrop: (fieldMm) => `同一层面，纵隔窗（W350/L40），视野 ${fieldMm} mm`,
  imgFullSlice: '完整轴位层面，肺窗；方框为局部放大视野',
  imgAxial: '轴位',
  imgCoronal: '冠状位',
  imgSagittal: '矢状位',
  imgMprTitle: '经肿瘤质心的多平面重建（肺窗）',
  imgBagTitle: '深度学习模型的 2.5D 输入层面（偏移 mm，层面概率 p）',
  imgBagSlice: (plane, offsetMm, probability) =>
    `${plane} ${offsetMm > 0 ? '+' : offsetMm < 0 ? '\u2212' : ''}${Math.abs(offsetMm)}` + (probability ? `\np ${probability}` : ''),
  imgOutlineNote: '黄色轮廓：用于本次预测的肿瘤分割。图像方向：患者右侧位于图像左侧。',
  planes: { axial: '轴位', coronal: '冠状位', sagittal: '矢状位' },

  sectionWhy: '依据：深度学习模型关注的区域与各输入的贡献',
  camTitle: '2.5D 输入层面上的类激活图（偏移 mm，层面对数几率）',
  camMeaning: (maxAbs) =>
    `类激活图 CAM(i,j) = \u2211k wk\u00b7Ak(i,j)，由主干网络最后一层特征图计算（Zhou 等，2016；对全局池化加线性输出层与 Grad-CAM 相同），单位为每格对数几率：红色提高、蓝色降低该层面淋巴结转移的对数几率；最深颜色 = \u00b1${maxAbs}。图的均值加输出层偏置即该层面的 logit。类激活图只显示模型依据的位置，不说明原因，也不能证明病变。`,
  camSlice: (plane, offsetMm, logit) => `${plane} ${offsetMm > 0 ? '+' : offsetMm < 0 ? '\u2212' : ''}${Math.abs(offsetMm)}\nlogit ${logit}`,
  camScaleLow: '降低',
  camScaleHigh: '提高',
  camUnavailable: '无类激活图：主干网络并非以全局平均池化加单一线性层结尾；改为显示遮挡敏感度。',
  occlusionTitle: '2.5D 输入层面上的遮挡敏感度（偏移 mm，层面对数几率）',
  occlusionMeaning: (maxAbs, baselineHu) =>
    `遮挡敏感度（Zeiler 与 Fergus，2014）：依次将裁剪区域的每一格替换为空气（${baselineHu} HU）并重新计算该层面；O(i,j) = logit \u2212 遮挡该格后的 logit，单位为对数几率：红色表示该区域提高、蓝色表示降低该层面淋巴结转移的对数几率；最深颜色 = \u00b1${maxAbs}。各格之和不等于 logit。该图只显示模型依据的位置，不说明原因，也不能证明病变。`,
  camSyntheticNote: '类激活图来自仅用合成体模训练的主干网络，仅展示演示模型，不构成临床证据。',
  contributionsTitle: (signature) => `各输入对${signature}的贡献（对数几率），按大小排序`,
  contributionsNote: (reference) =>
    reference === 'training-mean'
      ? '贡献 = \u03b2\u00b7(x \u2212 m)，m 为该输入在训练集上的均值；基线 + 各贡献 = 模型的对数几率。'
      : '贡献 = \u03b2\u00b7(x \u2212 v)，v 为列线图该轴 0 分处的取值（本模型包未记录训练集均值）；等于列线图得分除以每单位对数几率的分数。',
  colInput: '输入',
  colCamReference: '参照值',
  colContribution: '贡献（对数几率）',
  logScale: 'ln',
  contributionsLogNote: 'ln：模型取该输入的自然对数；贡献 = \u03b2\u00b7(ln x \u2212 训练集 ln x 的均值)，参照值为训练集几何均值。',
  contributionsBaseline: (baseline, total) => `基线 ${baseline} + 各贡献 = ${total}（对数几率）`,

  sectionClinical: '临床与影像输入',
  colVariable: '变量',
  colValue: '数值',
  colUnit: '单位',
  colSource: '来源',
  sources: { entered: '人工录入', measured: 'CT 测量' },
  clinicalLabels: {
    age_years: '年龄',
    sex: '男性',
    smoker: '吸烟史',
    cea_ng_ml: '癌胚抗原（CEA）',
    cyfra_ng_ml: 'CYFRA 21-1',
    location: '中央型',
    diameter_mm: '肿瘤直径',
    ctr: '实性成分占比（CTR）',
    lobulation: '分叶征',
    spiculation: '毛刺征',
    pleural_indentation: '胸膜凹陷征',
    vacuole: '空泡征',
    air_bronchogram: '空气支气管征',
    vascular_convergence: '血管集束征',
  },
  values: {
    yes: '是',
    no: '否',
    male: '男',
    female: '女',
    central: '中央型',
    peripheral: '周围型',
    years: '岁',
    unknown: '未知',
  },

  sectionModel: '模型说明',
  modelName: '模型包',
  modelCreated: '创建时间',
  dataSource: '数据来源',
  dataSources: { synthetic: '合成数据（计算机生成的模拟队列）', institutional: '医疗机构队列' },
  centres: '中心',
  colCohort: '队列',
  colCentres: '中心',
  colPatients: '患者数',
  colEvents: 'OLNM 事件数',
  colAuc: '联合模型 AUC（95% CI）',
  cohortNames: { training: '训练集', validation: '内部验证集', external: '外部测试集' },
  prevalence: 'OLNM 患病率',
  backbone: '深度学习骨干网络',
  outOfFold: (folds) => `训练集深度特征为 ${folds} 折折外预测`,

  sectionWarnings: '质量提示',
  noWarnings: '无。',
  severityNames: { warning: '警告', refusal: '拒绝预测' },

  sectionDisclaimer: '免责声明',
  disclaimer: '本结果仅供临床决策支持，不能替代淋巴结病理分期。',
  disclaimerDetail: '诊疗团队应结合 PET-CT、EBUS 或纵隔镜检查结果及临床情况综合判断。该估计描述的是与模型训练队列相似人群中的风险，并非对本患者的确定性结论。',
  sectionVersions: '版本与哈希值',
  bundleHash: '模型包 SHA-256',
  backboneHash: '骨干网络 SHA-256',
  engineVersion: '引擎版本',
  provider: '推理执行设备',
  inputsHash: '输入数据 SHA-256',
  maskHash: '分割掩膜 SHA-256',
  predictionId: '预测编号',
  predictionCreated: '预测时间',
  sectionSignOff: '审核',
  reviewedBy: '审核医师',
  signOffDate: '日期',
  signature: '签名',
  pageOf: (page, pages) => `第 ${page} 页，共 ${pages} 页`,
  continued: '（续）',
};

export const REPORT_STRINGS: Readonly<Record<ReportLang, ReportStrings>> = { en: EN, 'zh-CN': ZH };

export function reportStrings(lang: ReportLang): ReportStrings {
  return REPORT_STRINGS[lang];
}

/** A translated name from a dictionary, or the given fallback (bundle/record text) when the dictionary has none. */
export function translate(dict: Record<string, string>, key: string, fallback: string): string {
  return Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : fallback;
}
