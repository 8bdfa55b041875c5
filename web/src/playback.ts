// Which encoding the page plays a voicemail in: the one the user's voicemail route asks for
// (README "Routes", `audioFormat`), when this browser can play it; else the WAV as recorded,
// which every browser plays.

import { AUDIO_FORMAT_FILES, type AudioFormat, type Profile, routeFor } from "./schemas.ts";

/** `canPlay` is HTMLMediaElement.canPlayType: "" when the browser cannot play the type. */
export function playbackFormat(
  profile: Pick<Profile, "routes">,
  canPlay: (contentType: string) => string,
): AudioFormat {
  const asked = routeFor("voicemail", profile).audioFormat ?? "wav";
  return asked === "wav" || canPlay(AUDIO_FORMAT_FILES[asked].contentType) !== "" ? asked : "wav";
}
