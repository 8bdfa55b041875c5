// Types for the Emscripten build of the SpeexDSP resampler (@echogarden/speex-resampler-wasm), which
// ships none; only the speex_resampler.h calls omnivox uses, with pointers as wasm32 numbers.

declare module "@echogarden/speex-resampler-wasm" {
  export interface SpeexResamplerModule {
    HEAP16: Int16Array;
    HEAP32: Int32Array;
    HEAPU32: Uint32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _speex_resampler_init(
      channels: number,
      inRate: number,
      outRate: number,
      quality: number,
      errPtr: number,
    ): number;
    _speex_resampler_process_int(
      state: number,
      channel: number,
      inPtr: number,
      inLenPtr: number,
      outPtr: number,
      outLenPtr: number,
    ): number;
    _speex_resampler_get_input_latency(state: number): number;
    _speex_resampler_skip_zeros(state: number): number;
    _speex_resampler_reset_mem(state: number): number;
    _speex_resampler_destroy(state: number): void;
  }
  const load: () => Promise<SpeexResamplerModule>;
  export default load;
}
