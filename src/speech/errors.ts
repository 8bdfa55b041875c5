// Errors of the speech layer (TTS, STT, resampling, VAD), shared by every engine. They live in
// the one error table (core/errors.ts, docs/errors.md); engines import them from here.

export {
  SpeechBusyError,
  SpeechEngineMissingError,
  SpeechFailedError,
  SpeechTimeoutError,
} from "../core/errors.ts";
