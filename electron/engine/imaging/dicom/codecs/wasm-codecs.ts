import { createRequire } from 'node:module';

/**
 * Lazily instantiated Emscripten codecs from @cornerstonejs (OpenJPEG, OpenJPH, CharLS,
 * libjpeg-turbo). One instance per thread; their console chatter is silenced.
 */
const require = createRequire(import.meta.url);
const cache = new Map<string, Promise<EmscriptenCodecModule>>();

export type WasmCodecName = 'openjpeg' | 'openjph' | 'charls' | 'libjpeg-turbo-8bit';

export function loadCodec(name: WasmCodecName): Promise<EmscriptenCodecModule> {
  let module = cache.get(name);
  if (!module) {
    const factory = require(`@cornerstonejs/codec-${name}/wasmjs`) as EmscriptenCodecFactory;
    // Emscripten adopts the options object as its Module: each codec needs its own.
    module = factory({ print: () => undefined, printErr: () => undefined });
    cache.set(name, module);
  }
  return module;
}

/** Runs an Emscripten decoder over one compressed frame and returns its raw sample bytes. */
export function runDecoder(Decoder: new () => EmscriptenDecoder, encoded: Uint8Array): { bytes: Uint8Array; info: EmscriptenCodecFrameInfo } {
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const bytes = decoder.getDecodedBuffer().slice(); // copy out of the wasm heap before delete()
    return { bytes, info: { ...info } };
  } finally {
    decoder.delete();
  }
}
