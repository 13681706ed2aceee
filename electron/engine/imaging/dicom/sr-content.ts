import type { CodedConcept } from './encapsulated-pdf-write.js';
import { decimalString } from './write-dataset.js';

/**
 * SR content items (PS3.3 C.17.3, the Document Content Macro) as dcmjs naturalized datasets: one
 * builder per value type, so a report template reads as a tree of calls.
 */
export type ContentItem = Record<string, unknown>;
export type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT' | 'HAS PROPERTIES' | 'INFERRED FROM';

/** A coded concept; the scheme `99HILUM` marks Hilum's private codes (PS3.16 8.2, a "99" local scheme). */
export function code(value: string, scheme: string, meaning: string): CodedConcept {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
}

export function container(relationship: Relationship | null, concept: CodedConcept, children: ContentItem[]): ContentItem {
  return {
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [concept],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: children,
  };
}

export function codeItem(relationship: Relationship, concept: CodedConcept, value: CodedConcept): ContentItem {
  return { RelationshipType: relationship, ValueType: 'CODE', ConceptNameCodeSequence: [concept], ConceptCodeSequence: [value] };
}

export function textItem(relationship: Relationship, concept: CodedConcept, text: string): ContentItem {
  return { RelationshipType: relationship, ValueType: 'TEXT', ConceptNameCodeSequence: [concept], TextValue: text };
}

export function uidItem(relationship: Relationship, concept: CodedConcept, uid: string): ContentItem {
  return { RelationshipType: relationship, ValueType: 'UIDREF', ConceptNameCodeSequence: [concept], UID: uid };
}

/** A NUM item (PS3.3 C.18.1): the value as DS with its UCUM unit (PS3.16 CID 7181 style codes). */
export function numItem(relationship: Relationship, concept: CodedConcept, value: number, unit: CodedConcept, children: ContentItem[] = []): ContentItem {
  return {
    RelationshipType: relationship,
    ValueType: 'NUM',
    ConceptNameCodeSequence: [concept],
    MeasuredValueSequence: [{ NumericValue: decimalString(value), MeasurementUnitsCodeSequence: [unit] }],
    ...(children.length ? { ContentSequence: children } : {}),
  };
}

/** An IMAGE item (PS3.3 C.18.4); `segmentNumber` points into a Segmentation instance. */
export function imageItem(
  relationship: Relationship,
  concept: CodedConcept | null,
  ref: { sopClassUid: string; sopInstanceUid: string; segmentNumber?: number },
): ContentItem {
  return {
    RelationshipType: relationship,
    ValueType: 'IMAGE',
    ...(concept ? { ConceptNameCodeSequence: [concept] } : {}),
    ReferencedSOPSequence: [
      {
        ReferencedSOPClassUID: ref.sopClassUid,
        ReferencedSOPInstanceUID: ref.sopInstanceUid,
        ...(ref.segmentNumber !== undefined ? { ReferencedSegmentNumber: ref.segmentNumber } : {}),
      },
    ],
  };
}
