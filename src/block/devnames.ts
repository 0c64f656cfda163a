// Block device numbers and names: the majors the stack gives its disks, and the name of a
// disk by its "major,minor", as blkparse -i names a device and the page labels it.

/** Major of device-mapper devices (drivers/md/dm.c registers "device-mapper" dynamically; 253 here). */
export const DM_MAJOR = 253;
/** Major of NVMe namespaces: BLOCK_EXT_MAJOR, the extended dynamic major (blkext). */
export const BLKEXT_MAJOR = 259;

export const devKey = (major: number, minor: number): string => `${major},${minor}`;

/**
 * Block device names by "major,minor": the numbers the run gives with each disk, or for a run
 * from before it gave them, as the stack gives them: dm-N is 253,N (dm_create), and nvmeXnY is
 * the Y-th namespace disk of controller X, in NSID order, from minor X * 16 (nvme-blk.ts).
 */
export function deviceNames(disks: ReadonlyArray<{ name: string; major?: number; minor?: number }>): Map<string, string> {
  // the namespaces of each controller in NSID order give their minors
  const nsids = new Map<number, number[]>();
  for (const d of disks) {
    const nv = d.major === undefined ? /^nvme(\d+)n(\d+)$/.exec(d.name) : null;
    if (nv) nsids.set(Number(nv[1]), [...(nsids.get(Number(nv[1])) ?? []), Number(nv[2])]);
  }
  for (const l of nsids.values()) l.sort((a, b) => a - b);
  // the map in the order the run lists its disks
  const names = new Map<string, string>();
  for (const d of disks) {
    if (d.major !== undefined && d.minor !== undefined) { names.set(devKey(d.major, d.minor), d.name); continue; }
    const dm = /^dm-(\d+)$/.exec(d.name);
    const nv = /^nvme(\d+)n(\d+)$/.exec(d.name);
    if (dm) names.set(devKey(DM_MAJOR, Number(dm[1])), d.name);
    else if (nv) names.set(devKey(BLKEXT_MAJOR, Number(nv[1]) * 16 + nsids.get(Number(nv[1]))!.indexOf(Number(nv[2]))), d.name);
  }
  return names;
}

/** The name of a device by its numbers (deviceNames), else dm-N for a device-mapper minor, else "major,minor". */
export function deviceNamer(disks: ReadonlyArray<{ name: string; major?: number; minor?: number }>): (major: number, minor: number) => string {
  const names = deviceNames(disks);
  return (major, minor) => names.get(devKey(major, minor)) ?? (major === DM_MAJOR ? `dm-${minor}` : devKey(major, minor));
}
