import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBackbone } from '../../../electron/engine/deep/model-card.js';
import { parseBundle, readBundle, serializeBundle } from '../../../electron/engine/signatures/bundle.js';
import { canonicalJson, sha256Hex } from '../../../electron/engine/signatures/canonical-json.js';
import { ROOT, errorOf } from '../../helpers.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth, writes typed arrays as arrays, drops undefined and round-trips doubles', () => {
    const value = { b: 1, a: { d: [3, { z: 0.1 + 0.2, y: -1e-300 }], c: Float64Array.of(1 / 3, 2) }, u: undefined };
    const text = canonicalJson(value);
    expect(text).toBe('{"a":{"c":[0.3333333333333333,2],"d":[3,{"y":-1e-300,"z":0.30000000000000004}]},"b":1}');
    expect(canonicalJson(JSON.parse(text))).toBe(text);
    expect(sha256Hex(text)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses values JSON cannot carry, naming where they are', () => {
    expect(() => canonicalJson({ metrics: { rows: [{ ppv: NaN }] } })).toThrow(/NaN \(at \$\.metrics\.rows\[0\]\.ppv\)/);
    expect(() => canonicalJson([Infinity])).toThrow(/Infinity/);
  });
});

describe('bundle files', () => {
  it('refuses text that is not a bundle, and a bundle whose content does not hash to its SHA-256', () => {
    expect(errorOf(() => parseBundle('{not json', 'x.json')).code).toBe('BUNDLE_INVALID');
    expect(errorOf(() => parseBundle('{"format":"something-else"}', 'x.json')).message).toMatch(/x\.json is not a Hilum model bundle/);
    const content = { format: 'hilum-model-bundle/1', name: 'n', backbone: { onnxBase64: '', sha256: sha256Hex(new Uint8Array()) } };
    const sealed = { ...content, contentSha256: sha256Hex(canonicalJson(content)) };
    expect(parseBundle(canonicalJson(sealed)).name).toBe('n');
    expect(errorOf(() => parseBundle(canonicalJson(sealed), 'b.json', 'f'.repeat(64))).code).toBe('BUNDLE_MISMATCH');
    expect(errorOf(() => parseBundle(canonicalJson({ ...sealed, name: 'm' }), 'b.json')).code).toBe('BUNDLE_TAMPERED');
    const badBackbone = { ...content, backbone: { onnxBase64: 'AAAA', sha256: sha256Hex(new Uint8Array()) } };
    expect(errorOf(() => parseBundle(canonicalJson({ ...badBackbone, contentSha256: sha256Hex(canonicalJson(badBackbone)) }))).message).toMatch(
      /backbone does not hash/,
    );
  });
});

describe('the shipped demonstration bundle', () => {
  it('verifies, says SYNTHETIC, embeds the backbone trained in its study, and reads back to the same bytes', () => {
    const file = path.join(ROOT, 'models', 'hilum-demo.bundle.json');
    const bundle = readBundle(file);
    expect(serializeBundle(bundle)).toBe(readFileSync(file, 'utf8'));
    expect(bundle.synthetic).toBe(true);
    expect(bundle.notice).toMatch(/^SYNTHETIC/);
    expect(bundle.provenance.dataSource).toBe('synthetic');
    expect(bundle.provenance.cohorts).toMatchObject({
      training: { patients: 547 },
      validation: { patients: 234 },
      external: { patients: 318, centres: ['B'] },
    });
    // The 2.5D backbone was trained in the study on its training split (3 cross-fitted folds, then the final model).
    expect(bundle.provenance.deepOutOfFold).toEqual({ used: true, folds: 3, patients: 547 });
    expect(bundle.backbone.card.training).toMatchObject({ folds: 3, init: 'scratch' });
    expect(bundle.backbone.card.training.data).toMatch(/^the training split \(547 patients\)/);
    expect(bundle.backbone.sha256).not.toBe(loadBackbone(path.join(ROOT, 'models', 'hilum-demo-backbone')).sha256);
    expect(bundle.metrics.rows).toHaveLength(15);
    expect(bundle.metrics.oracle).toHaveLength(3);
  });
});
