// The fio setup presets: ready hosts (in the scenario format without steps) for job files that
// name /dev/nvme0n1 (docs/FIO.md). Shared by the CLI and the benchmark.

/** Setup presets: a ready host for a job file that names /dev/nvme0n1. */
export const FIO_SETUPS: Record<string, Record<string, unknown>> = {
  "tlc-970pro": {
    description: "one 4 GiB namespace on a TLC SSD (NVMeVirt's Samsung 970 PRO), 4 CPUs, 4 I/O queues of 1024",
    controller: { namespaces: [{ size: "4G", mssrl: 65535, mcl: 65535, msrc: 127 }] }, cpus: 4, queue_depth: 1024, device: { preset: "tlc-970pro" },
  },
  null_blk: {
    description: "one 4 GiB namespace answering every command after 10 us (null_blk completion_nsec=10000), 4 CPUs",
    controller: { namespaces: [{ size: "4G", mssrl: 65535, mcl: 65535, msrc: 127 }] }, cpus: 4, queue_depth: 1024, device: { preset: "null_blk", completion_us: 10 },
  },
};

