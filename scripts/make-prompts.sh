#!/usr/bin/env bash
# Regenerates the voice prompts shipped in assets/prompts/ (8 kHz mono µ-law WAV) with espeak-ng
# and sox from Debian. The prompts are committed so that a fresh `npm install` can answer calls
# without any speech engine; run this only to change their wording or voice.
# `make-prompts.sh NAME` regenerates only that prompt (the others stay byte for byte).
set -euo pipefail
cd "$(dirname "$0")/../assets/prompts"
command -v espeak-ng >/dev/null || { echo "install espeak-ng (Debian package espeak-ng)" >&2; exit 1; }
command -v sox >/dev/null || { echo "install sox (Debian package sox)" >&2; exit 1; }

only="${1:-}"

say() { # name text
  [ -z "$only" ] || [ "$only" = "$1" ] || return 0
  espeak-ng -v en-us -s 150 -w "/tmp/prompt-$1.wav" "$2"
  sox "/tmp/prompt-$1.wav" -r 8000 -c 1 -e u-law -b 8 "$1.wav" norm -3
  rm -f "/tmp/prompt-$1.wav"
}

say greeting "The person you are calling is not available. Please leave a message after the tone. When you are done, hang up or press pound."
say mailbox-full "The mailbox is full. Goodbye."
say enter-pin "Please enter your PIN, followed by pound."
say bad-pin "That PIN is not correct."
say mailbox-locked "This mailbox is locked after too many wrong PINs. Please try again later. Goodbye."
say you-have "You have"
say new-messages "new messages."
say new-message "new message."
say no-new-messages "You have no new messages."
say message-from "Message from"
say unknown-caller "an unknown caller"
say received "received"
say menu "Press 1 to play it again, 2 to save it, 3 to delete it, or 4 for the next message."
say main-menu "Press 1 to hear your messages, 5 to record your greeting, 6 to record your busy greeting, or star to hang up."
say saved "Saved."
say deleted "Deleted."
say no-more "No more messages."
say record-greeting "Record your greeting after the tone. Press pound when you are done."
say record-busy-greeting "Record the greeting callers hear when you are on the phone, after the tone. Press pound when you are done."
say greeting-saved "Your greeting is saved."
say goodbye "Goodbye."
say not-saved "Sorry, your message could not be saved. Please call again later. Goodbye."
for d in 0 1 2 3 4 5 6 7 8 9; do say "digit-$d" "$d"; done
for n in 10 11 12 13 14 15 16 17 18 19 20 30 40 50 60 70 80 90; do say "number-$n" "$n"; done
say hundred "hundred"
say thousand "thousand"
say oclock "o'clock"
say am "A M"
say pm "P M"
echo "prompts written to $(pwd)"
