#!/bin/sh
# Mounts the node's data disk at {{dataRoot}}: waits for the device(s), stripes several local disks
# into one RAID0 array, formats only an empty device (never existing data), mounts by UUID.
set -eu
MOUNT="{{dataRoot}}"
LABEL="sovereign-data"
if findmnt -rn "$MOUNT" >/dev/null 2>&1; then exit 0; fi
find_devices() {
  for pattern in {{devicePatterns}}; do
    for path in $pattern; do
      [ -b "$path" ] && readlink -f "$path"
    done
  done | sort -u
}
DEVICES=""
i=0
while [ $i -lt 120 ]; do
  DEVICES=$(find_devices)
  [ -n "$DEVICES" ] && break
  i=$((i + 1)); sleep 5
done
if [ -z "$DEVICES" ]; then echo "sovereign: no data disk matching {{devicePatterns}}" >&2; exit 1; fi
COUNT=$(echo "$DEVICES" | wc -l)
DEV=$(echo "$DEVICES" | head -n 1)
if [ "$COUNT" -gt 1 ]; then
  DEV=/dev/md/sovereign-data
  mdadm --assemble --scan >/dev/null 2>&1 || true
  if [ ! -e "$DEV" ]; then
    # shellcheck disable=SC2086
    mdadm --create "$DEV" --run --level=0 --raid-devices="$COUNT" $DEVICES
    mdadm --detail --scan >> /etc/mdadm/mdadm.conf
    update-initramfs -u || true
  fi
fi
if [ -z "$(blkid -o value -s TYPE "$DEV" || true)" ]; then
  mkfs.ext4 -q -L "$LABEL" -m 0 -E lazy_itable_init=1,discard "$DEV"
fi
UUID=$(blkid -o value -s UUID "$DEV")
mkdir -p "$MOUNT"
grep -q "UUID=$UUID" /etc/fstab || echo "UUID=$UUID $MOUNT ext4 defaults,noatime,nofail 0 2" >> /etc/fstab
systemctl daemon-reload || true
mount "$MOUNT"
