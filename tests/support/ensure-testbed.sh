#!/usr/bin/env bash
# Make sure the real peers used by the integration tests are installed:
#   OpenSSH server + client, xrdp + xfreerdp (FreeRDP 2) under Xvfb, headless Chromium, ss (iproute2),
#   and the other clients the detectors are tested against: Remmina with its RDP plugin (run headless
#   under Xvfb inside dbus-run-session), PuTTY's plink (putty-tools), mosh, autossh and rsync; ffmpeg,
#   xdotool and x11-utils for the RDP window recording.
#
# Idempotent. Installs with apt only when something is missing (needs root; run it as root in CI).
# It never starts or enables a service: the tests start their own servers on 127.0.0.1.
#
# Usage: bash tests/support/ensure-testbed.sh
set -euo pipefail

PACKAGES=(chromium xvfb openssh-server openssh-client xrdp freerdp2-x11 iproute2 procps
  remmina remmina-plugin-rdp putty-tools mosh autossh dbus dbus-daemon rsync
  ffmpeg xdotool x11-utils nats-server)

# binary -> package that provides it
declare -A NEEDED=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/Xvfb]=xvfb
  [/usr/sbin/sshd]=openssh-server
  [/usr/bin/ssh]=openssh-client
  [/usr/bin/ssh-keygen]=openssh-client
  [/usr/bin/sftp]=openssh-client
  [/usr/sbin/xrdp]=xrdp
  [/usr/bin/xrdp-keygen]=xrdp
  [/usr/bin/xfreerdp]=freerdp2-x11
  [/usr/bin/openssl]=openssl
  [/usr/bin/ss]=iproute2
  [/usr/bin/ps]=procps
  [/usr/bin/remmina]=remmina
  [/usr/bin/plink]=putty-tools
  [/usr/bin/mosh]=mosh
  [/usr/bin/mosh-server]=mosh
  [/usr/bin/autossh]=autossh
  [/usr/bin/rsync]=rsync
  [/usr/bin/puttygen]=putty-tools
  [/usr/bin/dbus-run-session]=dbus-daemon
  # the RDP window recording (issue 12): x11grab capture, probing and the pattern window; finding a window
  # by _NET_WM_PID
  [/usr/bin/ffmpeg]=ffmpeg
  [/usr/bin/ffprobe]=ffmpeg
  [/usr/bin/ffplay]=ffmpeg
  [/usr/bin/xdotool]=xdotool
  [/usr/bin/xprop]=x11-utils
  [/usr/bin/xwininfo]=x11-utils
  [/usr/sbin/nats-server]=nats-server
)

# Packages with no binary of their own on a fixed path (the RDP plugin lives under the multiarch
# library folder): checked by dpkg status instead.
NEEDED_PKGS=(remmina-plugin-rdp)

log() { printf 'ensure-testbed: %s\n' "$*"; }

missing_bins() {
  local bin
  for bin in "${!NEEDED[@]}"; do
    [[ -x "$bin" ]] || printf '%s\n' "$bin"
  done
  local pkg
  for pkg in "${NEEDED_PKGS[@]}"; do
    dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root to run: $*" >&2
    exit 1
  fi
}

mapfile -t missing < <(missing_bins | sort)
if ((${#missing[@]} == 0)); then
  log "all peers already installed: nothing to install"
else
  log "missing: ${missing[*]}"

  # Stop apt from starting sshd/xrdp as system services (on 0.0.0.0:22 / :3389) while it installs them.
  # Only if there is no policy already; ours is removed again on exit.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    log "installing a temporary $policy (exit 101: do not start services)"
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 0755 $policy"
    trap 'as_root rm -f "$policy"; log "removed temporary $policy"' EXIT
  fi

  log "apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  log "apt-get install ${PACKAGES[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"

  mapfile -t still < <(missing_bins | sort)
  if ((${#still[@]} > 0)); then
    log "still missing after install: ${still[*]}" >&2
    exit 1
  fi
  log "installed"
fi

# sshd refuses to start without its privilege-separation directory.
if [[ ! -d /run/sshd ]]; then
  as_root mkdir -p /run/sshd
  as_root chmod 0755 /run/sshd
  log "created /run/sshd"
else
  log "/run/sshd exists"
fi

# xrdp's postinst makes these; the tests use their own TLS certificate, but the standard RDP security
# layer (a client that refuses TLS) reads the hard-coded /etc/xrdp/rsakeys.ini.
if [[ ! -s /etc/xrdp/rsakeys.ini ]]; then
  as_root xrdp-keygen xrdp auto >/dev/null
  log "generated /etc/xrdp/rsakeys.ini"
fi

# The tests must never meet a system sshd/xrdp they did not start: report (but do not touch) any.
if command -v ss >/dev/null 2>&1; then
  busy=$(ss -tlnH '( sport = :22 or sport = :3389 )' 2>/dev/null || true)
  if [[ -n $busy ]]; then
    log "note: something already listens on :22/:3389 (not ours; the tests use free ports)"
  fi
fi

log "versions:"
printf '  %s\n' \
  "$(/usr/sbin/sshd -V 2>&1 | head -n1 || true)" \
  "$(/usr/sbin/xrdp --version 2>&1 | head -n1)" \
  "FreeRDP $(dpkg-query -W -f '${Version}' freerdp2-x11 2>/dev/null || echo '?')" \
  "$(/usr/bin/chromium --version 2>/dev/null | head -n1)" \
  "Xvfb $(dpkg-query -W -f '${Version}' xvfb 2>/dev/null || echo '?')" \
  "Remmina $(dpkg-query -W -f '${Version}' remmina 2>/dev/null || echo '?')" \
  "$(/usr/bin/plink -V 2>&1 | head -n1 || true)" \
  "$(/usr/bin/mosh --version 2>&1 | head -n1 || true)" \
  "autossh $(dpkg-query -W -f '${Version}' autossh 2>/dev/null || echo '?')"
