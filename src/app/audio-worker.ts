// The body of an audio thread (started by audio-pool.ts through media/worker-pool.ts): WAV to
// 8 kHz phone audio and plain resampling, away from the event loop. One job at a time.

import { toPhoneAudio } from "../gateway/convert/phone-audio.ts";
import { serveJobs } from "../media/worker-thread.ts";
import { resample } from "../speech/resample/resampler.ts";
import type { AudioJob, AudioResult } from "./audio-pool.ts";

serveJobs<null, AudioJob, AudioResult>((job) =>
  job.op === "phone"
    ? toPhoneAudio(job.bytes, resample)
    : resample(job.samples, job.fromRate, job.toRate),
);
