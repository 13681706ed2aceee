/**
 * The per-patient PDF risk report, written for a tumour board that reads it on paper: who and
 * which scan, the estimated risk of occult lymph node metastasis with its interval, category and
 * the decision threshold (or, for a refused case, why no number is given), every signature's
 * score against the training cohort, the nomogram drawn as vectors with this patient's points,
 * the key images with the segmentation outline, the clinical inputs, the model card, quality
 * warnings, the disclaimer, every version and hash needed to reproduce it, and a sign-off line.
 *
 * Layout is explicit (points, top-left origin): each block measures itself and moves to a new page
 * when it does not fit, table rows are never split and a table's header is repeated on the next
 * page. The synthetic-data banner is drawn on every page of a synthetic bundle's report, the footer
 * (disclaimer, report ID, page X of Y) once every page exists.
 *
 * Output is deterministic: CreationDate comes from `generatedAt`, the PDF file ID is derived from
 * the document info, the font subsets are tagged from their resource names, so the same inputs give
 * the same bytes.
 */
import { writeFileAtomically } from '../core/atomic-write.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { HilumError } from '../core/errors.js';
import { shippedDataRoot } from '../core/version.js';
import type { ModelBundle } from '../signatures/bundle.js';
import type { PredictionRecord } from '../signatures/prediction-record.js';
import { camScaleBar } from './cam-images.js';
import type { KeyImage, KeyImages } from './key-images.js';
import { type ReportLang, type ReportStrings, reportStrings, translate } from './report-strings.js';
import { nomogramSignNote, percentText, riskCategoryName, riskWording } from './risk-wording.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';

export type PaperSize = 'A4' | 'Letter';

export interface PatientReportInput {
  record: PredictionRecord;
  bundle: ModelBundle;
  images: KeyImages;
  lang: ReportLang;
  paper: PaperSize;
  reportId: string;
  /** ISO time printed as the generation time and stored as the PDF's CreationDate. Default: now (pass it for reproducible bytes). */
  generatedAt?: string;
  /** Folder holding the report fonts; default `resources/fonts` of the project. */
  fontDir?: string;
}

export interface PatientReportResult {
  sha256: string;
  pages: number;
  bytes: number;
}

export const REPORT_FONT_FILES = { regular: 'NotoSansCJKsc-Regular-subset.otf', bold: 'NotoSansCJKsc-Bold-subset.otf' } as const;

/** The probability as printed on the report (e.g. `26.9%`). */
export function formatPercent(p: number, digits = 1): string {
  return percentText(p, digits);
}

/** The risk category's printed name. */
export function categoryLabel(category: string, lang: ReportLang): string {
  return riskCategoryName(category, lang);
}

/** Renders the report and returns its bytes and page count. */
export function renderPatientReportWithInfo(input: PatientReportInput): { buffer: Buffer; pages: number } {
  return new PatientReportWriter(input).render();
}

/** Renders the report to a PDF in memory. */
export function renderPatientReport(input: PatientReportInput): Buffer {
  return renderPatientReportWithInfo(input).buffer;
}

/** Writes the report atomically (temporary file, then rename) and returns its SHA-256 and page count. */
export function writePatientReport(file: string, input: PatientReportInput): PatientReportResult {
  const { buffer, pages } = renderPatientReportWithInfo(input);
  try {
    writeFileAtomically(file, buffer);
  } catch (error) {
    throw new HilumError({ code: 'REPORT_WRITE_FAILED', message: `could not write the report ${file}: ${(error as Error).message}`, cause: error });
  }
  return { sha256: createHash('sha256').update(buffer).digest('hex'), pages, bytes: buffer.length };
}

// ---------------------------------------------------------------------------------------------

type Align = 'left' | 'right' | 'center';

interface Cell {
  text: string;
  bold?: boolean;
  color?: string;
  align?: Align;
  /** Extra drawing inside the cell after its text (x, y, width, height of the cell). */
  draw?: (x: number, y: number, w: number, h: number) => void;
}

interface Column {
  header: string;
  width: number;
  align?: Align;
}

const C = {
  text: '#1A1A1A',
  muted: '#5B6470',
  accent: '#0B4F8A',
  rule: '#C5CCD6',
  headerFill: '#E9EEF4',
  zebra: '#F7F9FB',
  banner: '#B3261E',
  patient: '#D55E00',
  refusal: '#B3261E',
};

/** Category colours: green, amber, red (more categories interpolate along them). */
const CATEGORY_COLOURS = ['#1E7B48', '#C77700', '#B3261E'];

const MINUS = '\u2212';

function num(v: number, digits = 2): string {
  const s = v.toFixed(digits);
  return s.startsWith('-') ? (Number(s) === 0 ? s.slice(1) : MINUS + s.slice(1)) : s;
}

/** Shortest clean label for an axis value (0.30000000000000004 → 0.3). */
function tickLabel(v: number): string {
  const s = String(Number(v.toPrecision(6)));
  return s.startsWith('-') ? MINUS + s.slice(1) : s;
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const t = d.toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 16)} UTC`;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function mix(hex: string, t: number): string {
  const rgb = hexToRgb(hex).map((c) => Math.round(c + (255 - c) * t));
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

function categoryColour(index: number, count: number): string {
  if (count <= 1) return CATEGORY_COLOURS[1];
  const t = (index / (count - 1)) * (CATEGORY_COLOURS.length - 1);
  const lo = Math.floor(t);
  const hi = Math.min(CATEGORY_COLOURS.length - 1, lo + 1);
  if (lo === hi || t === lo) return CATEGORY_COLOURS[lo];
  const a = hexToRgb(CATEGORY_COLOURS[lo]);
  const b = hexToRgb(CATEGORY_COLOURS[hi]);
  const f = t - lo;
  return (
    '#' +
    a
      .map((c, i) =>
        Math.round(c + (b[i] - c) * f)
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')
  );
}

class PatientReportWriter {
  private readonly doc: PDFKit.PDFDocument;
  private readonly S: ReportStrings;
  private readonly left = 42;
  private readonly right: number;
  private readonly width: number;
  private readonly pageHeight: number;
  private readonly bottom: number;
  private readonly generatedAt: string;
  /** Letter is 50 pt shorter than A4: the figures shrink a little to keep the same pages. */
  private readonly compact: boolean;
  private y = 0;
  private pageNo = 0;

  constructor(private readonly input: PatientReportInput) {
    const { record, bundle, lang, paper, reportId } = input;
    if (record.bundle.contentSha256 !== bundle.contentSha256)
      throw new HilumError({
        code: 'REPORT_BUNDLE_MISMATCH',
        message: `the prediction was made with bundle ${record.bundle.contentSha256.slice(0, 12)}…, not with the bundle given for the report (${bundle.contentSha256.slice(0, 12)}…)`,
      });
    this.S = reportStrings(lang);
    this.generatedAt = input.generatedAt ?? new Date().toISOString();
    const created = new Date(this.generatedAt);
    if (Number.isNaN(created.getTime())) throw new HilumError({ code: 'REPORT_INVALID_TIME', message: `generatedAt ${this.generatedAt} is not a valid time` });
    const fontDir = input.fontDir ?? path.join(shippedDataRoot(), 'resources', 'fonts');
    this.doc = new PDFDocument({
      size: paper === 'A4' ? 'A4' : 'LETTER',
      margins: { top: 20, bottom: 8, left: 42, right: 42 },
      autoFirstPage: false,
      bufferPages: true,
      lang: this.S.pdfLang,
      displayTitle: true,
      info: {
        Title: `${this.S.title} — ${record.case.patientPseudonym}`,
        Author: 'Hilum',
        Subject: `${reportId} · ${record.id}`,
        Keywords: `OLNM; ${bundle.name}; ${bundle.contentSha256}`,
        Creator: `Hilum ${record.engineVersion}`,
        CreationDate: created,
        ModDate: created,
      },
    });
    try {
      this.doc.registerFont('R', path.join(fontDir, REPORT_FONT_FILES.regular));
      this.doc.registerFont('B', path.join(fontDir, REPORT_FONT_FILES.bold));
    } catch (error) {
      throw new HilumError({
        code: 'REPORT_FONT_MISSING',
        message: `the report fonts are missing from ${fontDir}: ${(error as Error).message}`,
        hint: 'Run scripts/subset-fonts.sh to regenerate resources/fonts.',
        cause: error,
      });
    }
    const size = paper === 'A4' ? [595.28, 841.89] : [612, 792];
    this.right = size[0] - 42;
    this.width = this.right - this.left;
    this.pageHeight = size[1];
    this.bottom = size[1] - 58;
    this.compact = size[1] < 800;
  }

  render(): { buffer: Buffer; pages: number } {
    this.newPage();
    this.titleBlock();
    this.caseBlock();
    this.resultBlock();
    this.signatureTable();
    this.warningsBlock();
    this.intendedUseBlock();
    this.nomogramBlock();
    this.imagesBlock();
    this.explanationBlock();
    this.clinicalTable();
    this.modelCardBlock();
    this.disclaimerBlock();
    this.versionsBlock();
    this.signOffBlock();
    const pages = this.doc.bufferedPageRange().count;
    this.footers(pages);
    this.doc.end();
    // pdfkit pushes every chunk synchronously into the (paused) stream: read them all back now.
    const chunks: Buffer[] = [];
    for (let c = this.doc.read() as Buffer | null; c !== null; c = this.doc.read() as Buffer | null) chunks.push(c);
    return { buffer: Buffer.concat(chunks), pages };
  }

  // ---- primitives ---------------------------------------------------------------------------

  private font(bold: boolean, size: number, color = C.text): PDFKit.PDFDocument {
    return this.doc
      .font(bold ? 'B' : 'R')
      .fontSize(size)
      .fillColor(color);
  }

  /** One line of text at (x, y), no wrapping. */
  private line(text: string, x: number, y: number, o: { bold?: boolean; size?: number; color?: string; width?: number; align?: Align } = {}): void {
    this.font(!!o.bold, o.size ?? 9, o.color);
    this.doc.text(text, x, y, { lineBreak: false, width: o.width, align: o.align ?? 'left' });
  }

  /** Wrapped text; returns its height. */
  private para(
    text: string,
    x: number,
    y: number,
    width: number,
    o: { bold?: boolean; size?: number; color?: string; align?: Align; gap?: number } = {},
  ): number {
    this.font(!!o.bold, o.size ?? 9, o.color);
    const opts = { width, align: o.align ?? 'left', lineGap: o.gap ?? 1.5 };
    const h = this.doc.heightOfString(text, opts);
    this.doc.text(text, x, y, opts);
    return h;
  }

  private measure(text: string, width: number, o: { bold?: boolean; size?: number; gap?: number } = {}): number {
    this.font(!!o.bold, o.size ?? 9);
    return this.doc.heightOfString(text, { width, lineGap: o.gap ?? 1.5 });
  }

  private textWidth(text: string, bold: boolean, size: number): number {
    this.font(bold, size);
    return this.doc.widthOfString(text);
  }

  private rule(y: number, color = C.rule, weight = 0.6): void {
    this.doc.save().moveTo(this.left, y).lineTo(this.right, y).lineWidth(weight).strokeColor(color).stroke().restore();
  }

  /** Moves to a new page when `height` does not fit below the cursor. */
  private ensure(height: number): void {
    if (this.y + height > this.bottom) this.newPage();
  }

  private newPage(): void {
    this.doc.addPage();
    this.pageNo++;
    this.y = 26;
    const { record, bundle } = this.input;
    if (bundle.synthetic) {
      const zh = this.input.lang !== 'en';
      const h = zh ? 30 : 21;
      this.doc.save().rect(this.left, this.y, this.width, h).fill(C.banner).restore();
      this.line(this.S.syntheticBanner, this.left, this.y + (zh ? 4 : 5.5), {
        bold: true,
        size: zh ? 10 : 9.5,
        color: '#FFFFFF',
        width: this.width,
        align: 'center',
      });
      if (zh) this.line(REPORT_BANNER_EN, this.left, this.y + 17.5, { bold: false, size: 7, color: '#FFFFFF', width: this.width, align: 'center' });
      this.y += h + 8;
    }
    if (this.pageNo > 1) {
      const head = `${this.S.appName} · ${this.S.title}`;
      const who = `${record.case.patientPseudonym}${record.case.studyDate ? ' · ' + record.case.studyDate : ''} · ${this.input.reportId}`;
      this.line(head, this.left, this.y, { size: 7.5, color: C.muted });
      this.line(who, this.left, this.y, { size: 7.5, color: C.muted, width: this.width, align: 'right' });
      this.y += 12;
      this.rule(this.y);
      this.y += 10;
    }
  }

  private section(title: string, needBelow = 40): void {
    this.ensure(24 + needBelow);
    this.y += 5;
    this.line(title, this.left, this.y, { bold: true, size: 10.5, color: C.accent });
    this.y += 14.5;
    this.doc.save().moveTo(this.left, this.y).lineTo(this.right, this.y).lineWidth(0.9).strokeColor(C.accent).stroke().restore();
    this.y += 5;
  }

  /** Label/value pairs in `cols` columns. */
  private keyValues(items: [string, string][], cols: number, labelWidth: number, size = 8.5): void {
    const colWidth = (this.width - (cols - 1) * 14) / cols;
    const rows = Math.ceil(items.length / cols);
    for (let r = 0; r < rows; r++) {
      const row = Array.from({ length: cols }, (_, c) => items[c * rows + r]).filter((x): x is [string, string] => !!x);
      const h =
        arrayMax(row.map(([l, v]) => Math.max(this.measure(l, labelWidth - 4, { size: size - 0.5 }), this.measure(v, colWidth - labelWidth, { size })))) + 4;
      this.ensure(h);
      row.forEach(([label, value], c) => {
        const x = this.left + c * (colWidth + 14);
        this.para(label, x, this.y, labelWidth - 4, { size: size - 0.5, color: C.muted });
        this.para(value, x + labelWidth, this.y, colWidth - labelWidth, { size });
      });
      this.y += h;
    }
  }

  /** A table whose rows never split across pages; the header is repeated after a page break. */
  private table(columns: Column[], rows: Cell[][], o: { size?: number; title?: string } = {}): void {
    const size = o.size ?? 8.5;
    const pad = 3.5;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const scale = this.width / total;
    const widths = columns.map((c) => c.width * scale);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const headerHeight = arrayMax(columns.map((c, i) => this.measure(c.header, widths[i] - 2 * pad, { bold: true, size: size - 0.5 }))) + 2 * pad;
    const header = () => {
      this.doc.save().rect(this.left, this.y, this.width, headerHeight).fill(C.headerFill).restore();
      columns.forEach((c, i) =>
        this.para(c.header, xs[i] + pad, this.y + pad, widths[i] - 2 * pad, { bold: true, size: size - 0.5, color: C.text, align: c.align ?? 'left' }),
      );
      this.y += headerHeight;
    };
    const rowHeights = rows.map(
      (row) => arrayMax(row.map((cell, i) => this.measure(cell.text || ' ', widths[i] - 2 * pad, { bold: cell.bold, size }))) + 2 * pad,
    );
    this.ensure(headerHeight + (rowHeights[0] ?? 0));
    header();
    rows.forEach((row, r) => {
      const h = rowHeights[r];
      if (this.y + h > this.bottom) {
        this.newPage();
        if (o.title) {
          this.line(`${o.title} ${this.S.continued}`, this.left, this.y, { bold: true, size: 9, color: C.accent });
          this.y += 14;
        }
        header();
      }
      if (r % 2 === 1) this.doc.save().rect(this.left, this.y, this.width, h).fill(C.zebra).restore();
      row.forEach((cell, i) => {
        this.para(cell.text, xs[i] + pad, this.y + pad, widths[i] - 2 * pad, {
          bold: cell.bold,
          size,
          color: cell.color ?? C.text,
          align: cell.align ?? columns[i].align ?? 'left',
        });
        cell.draw?.(xs[i], this.y, widths[i], h);
      });
      this.y += h;
      this.doc.save().moveTo(this.left, this.y).lineTo(this.right, this.y).lineWidth(0.4).strokeColor(C.rule).stroke().restore();
    });
    this.y += 4;
  }

  // ---- blocks -------------------------------------------------------------------------------

  private titleBlock(): void {
    const { S } = this;
    const metaWidth = 150;
    let size = 16;
    while (size > 11 && this.textWidth(S.title, true, size) > this.width - metaWidth - 10) size -= 0.5;
    this.line(S.title, this.left, this.y + (16 - size) / 2, { bold: true, size });
    this.line(`${S.reportId}: ${this.input.reportId}`, this.right - metaWidth, this.y + 1, { size: 8, color: C.muted, width: metaWidth, align: 'right' });
    this.line(`${S.generated}: ${formatTime(this.generatedAt)}`, this.right - metaWidth, this.y + 12, {
      size: 8,
      color: C.muted,
      width: metaWidth,
      align: 'right',
    });
    this.y += 24;
    this.line(`${S.appName} · ${S.subtitle}`, this.left, this.y, { size: 8.5, color: C.muted });
    this.y += 14;
  }

  private caseBlock(): void {
    const { S } = this;
    const { case: c, segmentation: seg } = this.input.record;
    this.section(S.sectionCase, 60);
    const contrast = S.contrastValues[c.contrast] + (c.contrastAgent && c.contrast === 'yes' ? ` (${c.contrastAgent})` : '');
    const items: [string, string][] = [
      [S.patient, c.patientPseudonym],
      [S.studyDate, c.studyDate ?? S.notRecorded],
      [S.seriesDescription, c.seriesDescription ?? S.notRecorded],
      [S.modalityScanner, [c.modality, c.manufacturer].filter(Boolean).join(' · ') || S.notRecorded],
      [S.contrast, contrast],
      [S.sliceThickness, `${c.sliceThicknessMm.toFixed(2)} mm`],
      [S.pixelSpacing, `${c.pixelSpacingMm[0].toFixed(2)} × ${c.pixelSpacingMm[1].toFixed(2)} mm (${c.dims.join(' × ')})`],
      [S.segmentation, `${segmentationText(S, seg)} · ${S.tumourVolume} ${seg.volumeMl.toFixed(2)} mL`],
      [S.longestDiameter, `${seg.longestAxialDiameterMm.toFixed(1)} mm · ${S.solidDiameter} ${seg.solidDiameterMm.toFixed(1)} mm · CTR ${seg.ctr.toFixed(2)}`],
      [S.imageSource, c.imageSource],
    ];
    this.keyValues(items, 2, 92);
    this.y += 2;
  }

  private resultBlock(): void {
    const { S } = this;
    const { record } = this.input;
    const result = record.result;
    this.section(S.sectionResult, 120);
    if (!result) {
      const reasons = record.warnings.filter((w) => w.severity === 'refusal');
      const lines = reasons.length ? reasons.map((w) => `• ${w.message} [${w.code}]`) : [`• ${S.notRecorded}`];
      const body = lines.join('\n');
      const h = 16 + 18 + this.measure(S.refusedExplain, this.width - 24, { size: 9 }) + this.measure(body, this.width - 24, { size: 9 }) + 16;
      this.ensure(h);
      this.doc.save().lineWidth(1.5).roundedRect(this.left, this.y, this.width, h, 4).fillAndStroke(mix(C.refusal, 0.92), C.refusal).restore();
      let y = this.y + 12;
      this.line(S.refusedHeadline, this.left + 12, y, { bold: true, size: 14, color: C.refusal });
      y += 24;
      y += this.para(S.refusedExplain, this.left + 12, y, this.width - 24, { size: 9 }) + 4;
      this.para(body, this.left + 12, y, this.width - 24, { size: 9 });
      this.y += h + 8;
      return;
    }
    const catIndex = Math.max(0, result.categoryNames.indexOf(result.category));
    const colour = categoryColour(catIndex, result.categoryNames.length);
    const h = 112;
    this.ensure(h + 20);
    const top = this.y;
    this.doc.save().lineWidth(1.4).roundedRect(this.left, top, this.width, h, 5).fillAndStroke(mix(colour, 0.93), colour).restore();

    // Left: the probability.
    const lx = this.left + 14;
    const mx = this.left + this.width * 0.4;
    const rx = this.left + this.width * 0.68;
    this.para(S.resultHeadline, lx, top + 9, mx - lx - 12, { bold: true, size: 8.5, color: C.text, gap: 0 });
    this.line(formatPercent(result.probability), lx, top + 30, { bold: true, size: 26, color: colour });
    this.line(`${S.interval95}: ${formatPercent(result.interval95[0])} – ${formatPercent(result.interval95[1])}`, lx, top + 66, { size: 8.5, color: C.text });

    // Middle: the category chip and cut-offs; right: what the category means (risk-wording.ts, as on screen).
    const wording = riskWording(result, this.input.lang);
    this.line(S.riskCategory, mx, top + 10, { size: 8.5, color: C.muted });
    const cat = wording.category;
    const chipW = this.textWidth(cat, true, 13) + 22;
    this.doc
      .save()
      .roundedRect(mx, top + 25, chipW, 24, 12)
      .fill(colour)
      .restore();
    this.line(cat, mx, top + 29, { bold: true, size: 13, color: '#FFFFFF', width: chipW, align: 'center' });
    this.para(S.categoryCutoffs(wording.cutoffs), mx, top + 55, rx - mx - 12, { size: 7.5, color: C.muted, gap: 0 });
    const rw = this.right - 12 - rx;
    this.para(wording.meaning, rx, top + 10, rw, { size: 8.5, color: C.text, gap: 0 });

    // Risk bar 0–100 % with category bands, threshold and the patient's interval.
    const bx = lx;
    const bw = this.width - 28;
    const by = top + 84;
    const X = (p: number) => bx + bw * Math.min(1, Math.max(0, p));
    const edges = [0, ...result.categoryCutoffs, 1];
    result.categoryNames.forEach((_, i) => {
      const c = categoryColour(i, result.categoryNames.length);
      this.doc
        .save()
        .rect(X(edges[i]), by, X(edges[i + 1]) - X(edges[i]), 7)
        .fill(mix(c, 0.45))
        .restore();
    });
    this.doc.save().rect(bx, by, bw, 7).lineWidth(0.5).stroke('#7A828C').restore();
    for (const t of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
      this.doc
        .save()
        .moveTo(X(t), by + 7)
        .lineTo(X(t), by + 10)
        .lineWidth(0.5)
        .stroke('#7A828C')
        .restore();
      this.line(formatPercent(t, 0), X(t) - 15, by + 11, { size: 6.5, color: C.muted, width: 30, align: 'center' });
    }
    const [l95, h95] = result.interval95;
    this.doc
      .save()
      .moveTo(X(l95), by + 3.5)
      .lineTo(X(h95), by + 3.5)
      .lineWidth(2)
      .stroke('#1A1A1A')
      .restore();
    const px = X(result.probability);
    this.doc
      .save()
      .moveTo(px - 5, by - 7)
      .lineTo(px + 5, by - 7)
      .lineTo(px, by + 1)
      .closePath()
      .fill('#1A1A1A')
      .restore();
    this.y = top + h + 4;
    this.y += this.para(S.thresholdExplain, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 4;
  }

  private signatureTable(): void {
    const { S } = this;
    const { record } = this.input;
    this.section(S.sectionSignatures, 60);
    const refused = !record.result;
    const rows: Cell[][] = record.signatures.map((s) => {
      const pct = Math.round(s.scorePercentile);
      // A refused case prints no combined score: it is the logit of the probability that is withheld.
      if (refused && s.name === 'combined')
        return [
          { text: translate(S.signatureNames, s.name, s.label), bold: true },
          { text: S.notRecorded, align: 'right' },
          { text: `${num(s.referenceScoreRange[0])} … ${num(s.referenceScoreRange[1])}`, align: 'center' },
          { text: S.notRecorded },
          { text: S.notRecorded, align: 'right' },
        ];
      return [
        { text: translate(S.signatureNames, s.name, s.label), bold: s.name === 'combined' },
        { text: num(s.score), align: 'right' },
        { text: `${num(s.referenceScoreRange[0])} … ${num(s.referenceScoreRange[1])}`, align: 'center' },
        {
          text: S.percentileOrdinal(pct),
          draw: (x, y, w, h) => {
            // A small bar: 0–100, the P5–P95 band shaded, this patient's percentile marked.
            const bw = Math.min(70, w * 0.45);
            const bx = x + w - bw - 6;
            const by = y + h / 2 - 2.5;
            this.doc.save().rect(bx, by, bw, 5).fill('#E3E7EC').restore();
            this.doc
              .save()
              .rect(bx + bw * 0.05, by, bw * 0.9, 5)
              .fill('#C9D3DE')
              .restore();
            this.doc
              .save()
              .circle(bx + (bw * Math.min(100, Math.max(0, s.scorePercentile))) / 100, by + 2.5, 3)
              .fill(C.accent)
              .restore();
          },
        },
        { text: refused ? S.notRecorded : formatPercent(s.probability), align: 'right' },
      ];
    });
    this.table(
      [
        { header: S.colSignature, width: 30 },
        { header: S.colScore, width: 11, align: 'right' },
        { header: S.colReference, width: 22, align: 'center' },
        { header: S.colPercentile, width: 24 },
        { header: S.colProbability, width: 13, align: 'right' },
      ],
      rows,
      { title: S.sectionSignatures },
    );
    this.y += this.para(S.signaturesNote, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 2;
  }

  private warningsBlock(): void {
    const { S } = this;
    const { warnings } = this.input.record;
    this.section(S.sectionWarnings, 20);
    if (!warnings.length) {
      this.y += this.para(S.noWarnings, this.left, this.y, this.width, { size: 8.5 }) + 2;
      return;
    }
    for (const w of warnings) {
      const tag = S.severityNames[w.severity];
      const tagW = this.textWidth(tag, true, 7.5) + 10;
      const text = `${w.message}  [${w.code}]`;
      const h = this.measure(text, this.width - tagW - 8, { size: 8.5 }) + 5;
      this.ensure(h);
      const colour = w.severity === 'refusal' ? C.refusal : '#C77700';
      this.doc.save().roundedRect(this.left, this.y, tagW, 12, 2).fill(colour).restore();
      this.line(tag, this.left, this.y + 1.5, { bold: true, size: 7.5, color: '#FFFFFF', width: tagW, align: 'center' });
      this.para(text, this.left + tagW + 8, this.y, this.width - tagW - 8, { size: 8.5 });
      this.y += h;
    }
  }

  private intendedUseBlock(): void {
    const { S } = this;
    const { bundle } = this.input;
    this.section(S.sectionIntendedUse, 50);
    const r = bundle.intendedRange;
    const range = (v: [number, number]) => (v[0] === v[1] ? `${v[0]}` : `${v[0]}–${v[1]}`);
    const labelW = 92;
    const w = this.width - labelW;
    const use = `${translate(S.knownTexts, bundle.intendedUse, bundle.intendedUse)} ${S.validatedRange(range(r.sliceThicknessMm), range(r.pixelSpacingMm), r.diameterMm ? range(r.diameterMm) : null)}`;
    this.ensure(this.measure(use, w, { size: 8.5 }));
    this.para(S.intendedUseLabel, this.left, this.y, labelW - 4, { size: 8, color: C.muted });
    this.y += this.para(use, this.left + labelW, this.y, w, { size: 8.5 }) + 4;
    const ex = S.exclusions.map((e) => `• ${e}`).join('\n');
    this.ensure(this.measure(ex, w, { size: 8.5 }));
    this.para(S.exclusionsLabel, this.left, this.y, labelW - 4, { size: 8, color: C.muted });
    this.y += this.para(ex, this.left + labelW, this.y, w, { size: 8.5 }) + 4;
  }

  private nomogramBlock(): void {
    const { S } = this;
    const { bundle, record } = this.input;
    const nomo = bundle.nomogram;
    const showPatient = !!record.result;
    const rowH = this.compact ? 20 : 22;
    const signText = nomogramSignNote(nomo.axes, this.input.lang, (n, l) => translate(S.nomogramAxes, n, l));
    // The note, then any clinically implausible sign of an axis (risk-wording.ts; shown, never hidden).
    const note = signText ? `${S.nomogramNote} ${signText}` : S.nomogramNote;
    const noteH = this.measure(note, this.width, { size: 7.5 });
    const height = rowH * (nomo.axes.length + 3) + 20 + noteH;
    this.section(S.sectionNomogram, height);
    const labelW = 150;
    const x0 = this.left + labelW;
    const x1 = this.right - 14;
    const maxPoints = Math.max(100, arrayMax(nomo.axes.flatMap((a) => a.points)));
    const P = (p: number) => x0 + ((x1 - x0) * p) / maxPoints;
    const totals = nomo.totalPointsAxis;
    const tMin = arrayMin(totals);
    const tMax = arrayMax(totals);
    const T = (t: number) => x0 + ((x1 - x0) * (t - tMin)) / (tMax - tMin || 1);
    const patientAxes = new Map(record.nomogram.axes.map((a) => [a.name, a]));
    const binary = new Set(bundle.protocol.clinical.variables.filter((v) => v.kind === 'binary').map((v) => v.column));

    const axisLine = (y: number, xa: number, xb: number) =>
      this.doc.save().moveTo(Math.min(xa, xb), y).lineTo(Math.max(xa, xb), y).lineWidth(0.8).stroke('#333333').restore();
    const ticks = (y: number, marks: { x: number; label: string }[], up = false) => {
      // Both ends are labelled first, then the inner ticks wherever a label does not touch another.
      const sorted = [...marks].sort((a, b) => a.x - b.x);
      const order = sorted.length > 1 ? [sorted[0], sorted[sorted.length - 1], ...sorted.slice(1, -1)] : sorted;
      const taken: [number, number][] = [];
      for (const m of order) {
        this.doc
          .save()
          .moveTo(m.x, y)
          .lineTo(m.x, up ? y - 4 : y + 4)
          .lineWidth(0.7)
          .stroke('#333333')
          .restore();
        const w = this.textWidth(m.label, false, 7);
        const span: [number, number] = [m.x - w / 2 - 2, m.x + w / 2 + 2];
        if (taken.every(([a, b]) => span[1] < a || span[0] > b)) {
          this.line(m.label, m.x - w / 2 - 2, up ? y - 13 : y + 5, { size: 7, color: C.text, width: w + 4, align: 'center' });
          taken.push(span);
        }
      }
    };
    const label = (text: string, y: number, sub?: string) => {
      this.line(text, this.left, y - (sub ? 9 : 5), { bold: true, size: 8, width: labelW - 10 });
      if (sub) this.line(sub, this.left, y + 2, { size: 7, color: C.patient, width: labelW - 10 });
    };
    const marker = (x: number, y: number) => this.doc.save().circle(x, y, 3.6).fill(C.patient).restore();

    let y = this.y + 14;
    // Points scale.
    label(S.nomogramPoints, y);
    axisLine(y, P(0), P(maxPoints));
    ticks(
      y,
      Array.from({ length: Math.floor(maxPoints / 10) + 1 }, (_, i) => ({ x: P(i * 10), label: String(i * 10) })),
      true,
    );
    for (let i = 0; i <= maxPoints; i += 10) {
      this.doc
        .save()
        .moveTo(P(i), y)
        .lineTo(P(i), y + rowH * (nomo.axes.length + 0.3))
        .lineWidth(0.3)
        .dash(1, { space: 2.5 })
        .stroke('#B8C0CA')
        .restore();
    }
    y += rowH;
    for (const axis of nomo.axes) {
      const pa = patientAxes.get(axis.name);
      const name = translate(S.nomogramAxes, axis.name, axis.label);
      const isBinary = binary.has(axis.name) && axis.values.length === 2 && axis.values.every((v) => v === 0 || v === 1);
      const fmt = (v: number) => (isBinary ? (v ? translate(S.values, 'yes', 'yes') : translate(S.values, 'no', 'no')) : tickLabel(v));
      // The patient's value to three significant digits (a score of −1.98911 reads as −1.99).
      const patientValue = (v: number) => (isBinary ? fmt(v) : tickLabel(Number(v.toPrecision(3))));
      label(name, y, showPatient && pa ? `${patientValue(pa.value)} → ${pa.points.toFixed(1)}` : undefined);
      const xs = axis.points.map(P);
      axisLine(y, arrayMin(xs), arrayMax(xs));
      ticks(
        y,
        axis.values.map((v, i) => ({ x: xs[i], label: fmt(v) })),
      );
      if (showPatient && pa) marker(P(pa.points), y);
      y += rowH;
    }
    // Total points.
    label(S.nomogramTotal, y, showPatient ? record.nomogram.totalPoints.toFixed(1) : undefined);
    axisLine(y, T(tMin), T(tMax));
    ticks(
      y,
      totals.map((t) => ({ x: T(t), label: tickLabel(t) })),
    );
    const totalY = y;
    y += rowH;
    // Risk.
    const risk = nomo.riskAxis;
    label(S.nomogramRisk, y, showPatient && record.result ? formatPercent(record.result.probability) : undefined);
    const rx = risk.points.map(T);
    axisLine(y, arrayMin(rx), arrayMax(rx));
    ticks(
      y,
      risk.risk.map((r, i) => ({ x: rx[i], label: tickLabel(Math.round(r * 1000) / 10) + '%' })),
    );
    if (showPatient) {
      const xt = T(Math.min(tMax, Math.max(tMin, record.nomogram.totalPoints)));
      this.doc.save().moveTo(xt, totalY).lineTo(xt, y).lineWidth(1).dash(3, { space: 2 }).stroke(C.patient).restore();
      marker(xt, totalY);
      marker(xt, y);
    }
    y += 20;
    this.y = y;
    this.y += this.para(note, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 4;
  }

  private image(img: KeyImage, x: number, y: number, w: number, h: number, caption?: string, captionWidth = w): number {
    this.doc.image(img.png, x, y, { width: w, height: h });
    this.doc.save().rect(x, y, w, h).lineWidth(0.5).stroke('#7A828C').restore();
    if (!caption) return h;
    const ch = this.para(caption, x, y + h + 3, captionWidth, { size: 7, color: C.muted, gap: 0.5 });
    return h + 3 + ch;
  }

  private imagesBlock(): void {
    const { S } = this;
    const { images, record } = this.input;
    const gap = 12;
    // Row 1: the two close-ups, and the two full slices stacked.
    const side = Math.min(this.compact ? 124 : 140, (this.width - 2 * gap) * 0.33);
    const fullH = (side - 24) / 2;
    const fullW = Math.min(this.width - 2 * side - 2 * gap, (fullH * images.fullSlice.widthMm) / images.fullSlice.heightMm);
    const fullHh = (fullW * images.fullSlice.heightMm) / images.fullSlice.widthMm;
    const capH = Math.max(
      this.measure(S.imgLungCrop(images.cropFieldMm), side, { size: 7, gap: 0.5 }),
      this.measure(S.imgMediastinalCrop(images.cropFieldMm), side, { size: 7, gap: 0.5 }),
    );
    this.section(S.sectionImages, side + capH + 30);
    this.y += this.para(S.imgOutlineNote, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 4;
    let y = this.y;
    this.image(images.lungCrop, this.left, y, side, side, S.imgLungCrop(images.cropFieldMm));
    this.image(images.mediastinalCrop, this.left + side + gap, y, side, side, S.imgMediastinalCrop(images.cropFieldMm));
    const fx = this.left + 2 * (side + gap);
    const fw = this.right - fx;
    this.image(images.fullSlice, fx, y, fullW, fullHh);
    this.image(images.fullSliceMediastinal, fx, y + fullHh + 4, fullW, fullHh);
    this.para(S.imgFullSlice, fx, y + 2 * fullHh + 7, fw, { size: 7, color: C.muted, gap: 0.5 });
    this.y = y + Math.max(side + 3 + capH, 2 * fullHh + 7 + this.measure(S.imgFullSlice, fw, { size: 7, gap: 0.5 })) + 10;

    // Row 2: multiplanar views on the left, the bag's thumbnails in a grid on the right.
    const mprSide = this.compact ? 92 : 100;
    const mprGap = 10;
    const mprWidth = 3 * mprSide + 2 * mprGap;
    const bx = this.left + mprWidth + 18;
    const bw = this.right - bx;
    const perRow = 4;
    const tgap = 5;
    const tw = (bw - (perRow - 1) * tgap) / perRow;
    const bagTitleH = images.bag.length ? this.measure(S.imgBagTitle, bw, { bold: true, size: 8, gap: 0 }) : 0;
    const bagRows = Math.ceil(images.bag.length / perRow);
    const bagH = images.bag.length ? bagTitleH + 4 + bagRows * (tw + 24) : 0;
    this.ensure(Math.max(mprSide + 36, bagH));
    y = this.y;
    this.para(S.imgMprTitle, this.left, y, mprWidth, { bold: true, size: 8, gap: 0 });
    const views: [KeyImage, string][] = [
      [images.axial, S.imgAxial],
      [images.coronal, S.imgCoronal],
      [images.sagittal, S.imgSagittal],
    ];
    let rowH = 0;
    const my = y + bagTitleH + 4;
    views.forEach(([img, cap], i) => {
      const x = this.left + i * (mprSide + mprGap);
      rowH = Math.max(rowH, this.image(img, x, my, mprSide, (mprSide * img.heightMm) / img.widthMm, `${cap} · ${Math.round(img.widthMm)} mm`));
    });
    let end = my + rowH;
    if (images.bag.length) {
      this.para(S.imgBagTitle, bx, y, bw, { bold: true, size: 8, gap: 0 });
      images.bag.forEach((b, i) => {
        const rec = record.bag[i];
        const prob = rec && record.result ? rec.probability.toFixed(2) : null;
        const cap = S.imgBagSlice(translate(S.planes, b.plane, b.plane), b.offsetMm, prob);
        const x = bx + (i % perRow) * (tw + tgap);
        const ty = my + Math.floor(i / perRow) * (tw + 24);
        end = Math.max(end, ty + this.image(b, x, ty, tw, tw, cap));
      });
    }
    this.y = end + 8;
  }

  /**
   * Why: the bag's class-activation maps (same thumbnails as the key images, the map over them, one
   * colour scale) with what they mean and the synthetic notice, then each input's log-odds
   * contribution to the combined and clinical models, largest first.
   */
  private explanationBlock(): void {
    const { S } = this;
    const { images, record, bundle } = this.input;
    const e = record.explanation;
    if (!e || !record.result) return;
    const perRow = Math.max(1, images.camBag.length);
    const tgap = 5;
    const tw = Math.min(70, (this.width - (perRow - 1) * tgap) / perRow);
    this.section(S.sectionWhy, e.cam ? tw + 60 : 40);
    if (e.cam && images.camBag.length && images.camMaxAbs !== null) {
      const cam = e.cam;
      const occlusion = cam.method === 'occlusion';
      if (e.camUnavailable) this.y += this.para(S.camUnavailable, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 2;
      this.y += this.para(occlusion ? S.occlusionTitle : S.camTitle, this.left, this.y, this.width, { bold: true, size: 8, gap: 0 }) + 4;
      let end = this.y;
      images.camBag.forEach((b, i) => {
        const cap = S.camSlice(translate(S.planes, b.plane, b.plane), b.offsetMm, cam.slices[i].logit.toFixed(2));
        end = Math.max(end, this.y + this.image(b, this.left + i * (tw + tgap), this.y, tw, tw, cap));
      });
      this.y = end + 6;
      // The colour scale: −M (lowers) … 0 … +M (raises), log-odds per cell.
      const m = images.camMaxAbs.toFixed(2);
      const barW = 180;
      const bx = this.left + 40;
      this.doc.image(camScaleBar(), bx, this.y, { width: barW, height: 8 });
      this.doc.save().rect(bx, this.y, barW, 8).lineWidth(0.4).stroke('#7A828C').restore();
      this.line(S.camScaleLow, this.left, this.y, { size: 7, color: C.muted, width: 36, align: 'right' });
      this.line(S.camScaleHigh, bx + barW + 4, this.y, { size: 7, color: C.muted });
      this.line(`\u2212${m}`, bx - 20, this.y + 10, { size: 6.5, color: C.muted, width: 40, align: 'center' });
      this.line('0', bx + barW / 2 - 20, this.y + 10, { size: 6.5, color: C.muted, width: 40, align: 'center' });
      this.line(`+${m}`, bx + barW - 20, this.y + 10, { size: 6.5, color: C.muted, width: 40, align: 'center' });
      this.y += 22;
      const meaning = occlusion ? S.occlusionMeaning(m, cam.baselineHu ?? -1000) : S.camMeaning(m);
      this.y += this.para(meaning, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 2;
      if (bundle.synthetic) this.y += this.para(S.camSyntheticNote, this.left, this.y, this.width, { bold: true, size: 7.5, color: C.banner }) + 4;
    } else
      this.y +=
        this.para(`${S.camUnavailable}${e.camUnavailable ? ` (${e.camUnavailable})` : ''}`, this.left, this.y, this.width, { size: 7.5, color: C.muted }) + 4;

    for (const c of [...e.contributions].reverse()) {
      const title = S.contributionsTitle(translate(S.signatureNames, c.signature, c.signature));
      const largest = arrayMax(c.inputs.map((x) => Math.abs(x.logOdds))) || 1;
      const number = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 3));
      const rows: Cell[][] = c.inputs.map((x) => [
        {
          text: `${translate(S.nomogramAxes, x.term, translate(S.clinicalLabels, x.term, x.label))}${x.scale === 'log' ? ` (${S.logScale})` : ''}`,
          bold: true,
        },
        { text: x.unit === '0/1' ? translate(S.values, x.value ? 'yes' : 'no', x.value ? 'yes' : 'no') : number(x.value) },
        { text: x.unit === 'ratio' ? '' : x.unit },
        { text: x.unit === '0/1' ? translate(S.values, x.reference ? 'yes' : 'no', x.reference ? 'yes' : 'no') : number(x.reference) },
        {
          text: `${x.logOdds > 0 ? '+' : x.logOdds < 0 ? '\u2212' : ''}${Math.abs(x.logOdds).toFixed(3)}`,
          align: 'right',
          draw: (cx, cy, cw, ch) => {
            // A bar from the cell's centre line: right (red) raises, left (blue) lowers the log-odds.
            const half = (cw - 50) / 2;
            const mid = cx + 6 + half;
            const len = (Math.abs(x.logOdds) / largest) * half;
            this.doc
              .save()
              .rect(x.logOdds >= 0 ? mid : mid - len, cy + ch / 2 - 2.5, Math.max(0.5, len), 5)
              .fill(x.logOdds >= 0 ? '#E41A1C' : '#2166FF')
              .restore();
          },
        },
      ]);
      this.ensure(60);
      this.y += this.para(title, this.left, this.y, this.width, { bold: true, size: 8, gap: 0 }) + 3;
      this.table(
        [
          { header: S.colInput, width: 28 },
          { header: S.colValue, width: 10 },
          { header: S.colUnit, width: 8 },
          { header: S.colCamReference, width: 10 },
          { header: S.colContribution, width: 30, align: 'right' },
        ],
        rows,
        { title, size: 7.5 },
      );
      const baseline = c.baselineLogOdds.toFixed(3);
      const logNote = c.inputs.some((x) => x.scale === 'log') ? ` ${S.contributionsLogNote}` : '';
      const note = `${S.contributionsNote(c.reference)}${logNote} ${S.contributionsBaseline(baseline, c.linearPredictor.toFixed(3))}`;
      this.y += this.para(note, this.left, this.y, this.width, { size: 7, color: C.muted }) + 6;
    }
  }

  private clinicalTable(): void {
    const { S } = this;
    const { record } = this.input;
    this.section(S.sectionClinical, 60);
    const cells = (c: PredictionRecord['clinical'][number] | undefined): Cell[] =>
      c
        ? [
            { text: translate(S.clinicalLabels, c.field, c.label) },
            { text: translate(S.values, c.display, c.display), bold: true },
            { text: c.unit ? translate(S.values, c.unit, c.unit) : '' },
            { text: S.sources[c.source], color: c.source === 'measured' ? C.accent : C.muted },
          ]
        : [{ text: '' }, { text: '' }, { text: '' }, { text: '' }];
    // Two tables side by side (as one, so a row pair never splits): the inputs are short.
    const half = Math.ceil(record.clinical.length / 2);
    const rows: Cell[][] = Array.from({ length: half }, (_, i) => [...cells(record.clinical[i]), { text: '' }, ...cells(record.clinical[i + half])]);
    const cols: Column[] = [
      { header: S.colVariable, width: 25 },
      { header: S.colValue, width: 11 },
      { header: S.colUnit, width: 9 },
      { header: S.colSource, width: 12 },
    ];
    this.table([...cols, { header: '', width: 2 }, ...cols], rows, { title: S.sectionClinical, size: 7.5 });
  }

  private modelCardBlock(): void {
    const { S } = this;
    const { bundle } = this.input;
    this.section(S.sectionModel, 110);
    const p = bundle.provenance;
    const card = bundle.backbone.card;
    const items: [string, string][] = [
      [S.modelName, `${bundle.name} · ${S.modelCreated} ${formatTime(bundle.createdAt)}`],
      [
        S.dataSource,
        `${S.dataSources[p.dataSource]} · ${S.centres} ${Object.entries(p.centres)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} · ${S.prevalence} ${formatPercent(p.prevalence)}`,
      ],
      [
        S.backbone,
        `${card.name} (${card.architecture.family}, ${card.architecture.parameters.toLocaleString('en-US')})` +
          (p.deepOutOfFold.used ? ` · ${S.outOfFold(p.deepOutOfFold.folds)}` : ''),
      ],
    ];
    this.keyValues(items, 1, 110);
    this.y += 4;
    const known = ['training', 'validation', 'external'];
    const cohorts = Object.entries(p.cohorts).sort(([a], [b]) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) || a.localeCompare(b));
    const rows: Cell[][] = cohorts.map(([name, c]) => {
      const m = bundle.metrics.rows.find((r) => r.signature === 'combined' && r.split === name);
      return [
        { text: translate(S.cohortNames, name, name) },
        { text: c.centres.join(', ') },
        { text: String(c.patients), align: 'right' },
        { text: `${c.events} (${formatPercent(c.events / c.patients)})`, align: 'right' },
        { text: m ? `${m.auc.toFixed(3)} (${m.aucCi[0].toFixed(3)}–${m.aucCi[1].toFixed(3)})` : S.notRecorded, align: 'right', bold: true },
      ];
    });
    this.table(
      [
        { header: S.colCohort, width: 22 },
        { header: S.colCentres, width: 12 },
        { header: S.colPatients, width: 14, align: 'right' },
        { header: S.colEvents, width: 20, align: 'right' },
        { header: S.colAuc, width: 32, align: 'right' },
      ],
      rows,
      { title: S.sectionModel },
    );
    if (bundle.synthetic) this.y += this.para(bundle.notice, this.left, this.y, this.width, { bold: true, size: 8, color: C.banner }) + 4;
  }

  private disclaimerBlock(): void {
    const { S } = this;
    const h = this.measure(S.disclaimer, this.width - 20, { bold: true, size: 10 }) + this.measure(S.disclaimerDetail, this.width - 20, { size: 8 }) + 15;
    this.section(S.sectionDisclaimer, h);
    this.doc.save().rect(this.left, this.y, this.width, h).fill('#F1F3F6').restore();
    this.doc.save().rect(this.left, this.y, 3, h).fill(C.accent).restore();
    let y = this.y + 5;
    y += this.para(S.disclaimer, this.left + 12, y, this.width - 20, { bold: true, size: 10 }) + 2;
    this.para(S.disclaimerDetail, this.left + 12, y, this.width - 20, { size: 8 });
    this.y += h + 4;
  }

  private versionsBlock(): void {
    const { S } = this;
    const { record, bundle, reportId } = this.input;
    this.section(S.sectionVersions, 100);
    this.keyValues(
      [
        [S.bundleHash, bundle.contentSha256],
        [S.backboneHash, bundle.backbone.sha256],
        [S.inputsHash, record.inputsSha256],
        [S.maskHash, record.segmentation.maskSha256],
        [S.predictionId, `${record.id} · ${S.predictionCreated} ${formatTime(record.createdAt)}`],
      ],
      1,
      120,
      7.5,
    );
    this.keyValues(
      [
        [S.engineVersion, record.engineVersion],
        [S.provider, record.provider],
        [S.reportId, reportId],
      ],
      3,
      80,
      7.5,
    );
  }

  private signOffBlock(): void {
    const { S } = this;
    this.section(S.sectionSignOff, 40);
    const y = this.y + 20;
    const fields: [string, number][] = [
      [S.reviewedBy, 0.42],
      [S.signOffDate, 0.2],
      [S.signature, 0.38],
    ];
    let x = this.left;
    for (const [label, frac] of fields) {
      const w = this.width * frac - 12;
      this.doc
        .save()
        .moveTo(x, y)
        .lineTo(x + w, y)
        .lineWidth(0.7)
        .stroke('#333333')
        .restore();
      this.line(label, x, y + 3, { size: 7.5, color: C.muted });
      x += w + 12;
    }
    this.y = y + 16;
  }

  private footers(pages: number): void {
    const { S } = this;
    for (let i = 0; i < pages; i++) {
      this.doc.switchToPage(i);
      const y = this.pageHeight - 44;
      this.rule(y);
      this.line(S.disclaimer, this.left, y + 5, { size: 7, color: C.muted, width: this.width * 0.7 });
      this.line(`${S.reportId}: ${this.input.reportId}`, this.left, y + 16, { size: 7, color: C.muted, width: this.width * 0.7 });
      this.line(S.pageOf(i + 1, pages), this.left, y + 5, { bold: true, size: 8, color: C.text, width: this.width, align: 'right' });
      if (this.input.bundle.synthetic)
        this.line(this.S.syntheticBanner, this.left, y + 16, { bold: true, size: 6.5, color: C.banner, width: this.width, align: 'right' });
    }
  }
}

/** The banner's English text, printed under the Chinese one so that the warning reads in both. */
const REPORT_BANNER_EN = reportStrings('en').syntheticBanner;

/** How the mask was made, as printed: the method, or for a mask made in the workstation its origin and whether it was edited by hand. */
function segmentationText(S: ReportStrings, seg: PredictionRecord['segmentation']): string {
  if (!seg.origin) return S.segmentationMethods[seg.method];
  return S.segmentationOrigins[seg.origin.origin] + (seg.origin.edited ? S.segmentationEdited : '');
}
