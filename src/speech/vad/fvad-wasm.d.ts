// Types for the Emscripten build of libfvad, the WebRTC VAD (@echogarden/fvad-wasm), which ships
// none; only the fvad.h calls omnivox uses, with pointers as wasm32 numbers.

declare module "@echogarden/fvad-wasm" {
  export interface FvadModule {
    HEAP16: Int16Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _fvad_new(): number;
    _fvad_free(inst: number): void;
    _fvad_reset(inst: number): void;
    /** 0..3, more aggressive (fewer frames called speech) as it rises; 0 ok, -1 invalid. */
    _fvad_set_mode(inst: number, mode: number): number;
    /** 8000, 16000, 32000 or 48000; 0 ok, -1 invalid. */
    _fvad_set_sample_rate(inst: number, rate: number): number;
    /** A 10, 20 or 30 ms frame: 1 speech, 0 not, -1 invalid length. */
    _fvad_process(inst: number, frame: number, length: number): number;
  }
  const load: () => Promise<FvadModule>;
  export default load;
}
