// The body of an audio thread (started by audio-pool.ts through media/worker-pool.ts): WAV to
// 8 kHz phone audio, plain resampling and MP3/Ogg encoding, away from the event loop. One job at
// a time.

import { toPhoneAudio } from "../gateway/convert/phone-audio.ts";
import { encodeCompressed } from "../media/compressed.ts";
import { serveJobs } from "../media/worker-thread.ts";
import { resample } from "../speech/resample/resampler.ts";
import type { AudioJob, AudioResult } from "./audio-pool.ts";

serveJobs<null, AudioJob, AudioResult>((job) => {
  switch (job.op) {
    case "phone":
      return toPhoneAudio(job.bytes, resample);
    case "resample":
      return resample(job.samples, job.fromRate, job.toRate);
    case "encode":
      return encodeCompressed(job.bytes, job.format);
  }
});
