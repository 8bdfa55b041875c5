#!/usr/bin/env bash
# Installs the real peers the interop tests drive (README "Tests and real peers"), from Debian's
# packages. Idempotent: packages already present are not fetched again; safe to run on every CI
# start.
set -euo pipefail

PACKAGES=(
  sip-tester          # sipp: SIP/RTP load and scenario driver
  baresip             # a real SIP phone: REGISTER, MWI SUBSCRIBE, calls
  prosody             # XMPP server for component tests
  python3-slixmpp     # an independent XMPP client
  swaks               # SMTP client ("Swiss army knife")
  libnet-ssleay-perl  # swaks --tls (STARTTLS)
  libio-socket-ssl-perl # and its TLS socket
  espeak-ng           # text-to-speech (subprocess engine, test speech)
  flite               # second TTS engine (test sentences)
  pocketsphinx        # offline speech-to-text
  pocketsphinx-en-us  # its English model
  sox                 # audio inspection and conversion in tests
  mpg123              # decodes the MP3 voicemail attachments in tests
  vorbis-tools        # oggdec: decodes the Ogg Vorbis ones
  chromium            # browser for the web client tests (driven by playwright-core)
  kamailio            # the PBX proxy in front of omnivox (record-routing, forwarding, trunk carrier)
  kamailio-tls-modules # its TLS transport
  linphone-cli        # a second SIP phone (UDP, TCP, TLS)
  dovecot-imapd       # IMAP server of the single-inbox tests (a user's own mailbox)
  dovecot-lmtpd       # its LMTP delivery, as the MTA in front of it hands mail over
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-peers: all ${#PACKAGES[@]} peer packages are installed"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts prosody, kamailio and dovecot as system services; the tests run their own
# instances, so the packaged ones are stopped and kept from starting again on the standard ports.
for svc in prosody kamailio dovecot; do
  if command -v service >/dev/null 2>&1; then $SUDO service "$svc" stop >/dev/null 2>&1 || true; fi
  if command -v update-rc.d >/dev/null 2>&1; then $SUDO update-rc.d "$svc" disable >/dev/null 2>&1 || true; fi
done
pkill -x kamailio >/dev/null 2>&1 || true
pkill -x dovecot >/dev/null 2>&1 || true
echo "install-peers: done"
