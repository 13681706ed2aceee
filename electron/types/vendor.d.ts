// Minimal typings for packages that ship none. Only what Hilum calls is declared.

interface EmscriptenCodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  isUsingColorTransform?: boolean;
}
interface EmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): EmscriptenCodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
interface EmscriptenEncoder {
  getDecodedBuffer(frameInfo: EmscriptenCodecFrameInfo): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  setQuality?(lossless: boolean, quality: number): void;
  setDecompositions?(n: number): void;
  delete(): void;
}
interface EmscriptenCodecModule {
  J2KDecoder: new () => EmscriptenDecoder;
  J2KEncoder: new () => EmscriptenEncoder;
  HTJ2KDecoder: new () => EmscriptenDecoder;
  HTJ2KEncoder: new () => EmscriptenEncoder;
  JpegLSDecoder: new () => EmscriptenDecoder;
  JpegLSEncoder: new () => EmscriptenEncoder;
  JPEGDecoder: new () => EmscriptenDecoder;
}
type EmscriptenCodecFactory = (options?: { print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<EmscriptenCodecModule>;

declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBufferLike, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array | Int16Array;
  }
}
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(options?: Record<string, unknown>): ArrayBuffer };
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { dict: Record<string, unknown>; meta: Record<string, unknown> } };
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        uid(): string;
      };
    };
  };
  export default dcmjs;
}
