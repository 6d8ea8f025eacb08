import os from 'node:os';

/** The machine a benchmark ran on: enough to tell two result files apart. */
export interface MachineInfo {
  /** CPU model as the OS reports it (`os.cpus()[0].model`), or `unknown`. */
  cpu: string;
  /** Logical processors this process may use (`os.availableParallelism()`). */
  cores: number;
  /** Node.js version, e.g. `v20.20.2`. */
  node: string;
  /** V8 version. */
  v8: string;
  /** `process.platform`, e.g. `linux`. */
  platform: string;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
  /** Physical memory in bytes. */
  totalMemory: number;
  /** 1, 5 and 15 minute load averages when described (all 0 on Windows): other work disturbs timings. */
  loadAverage: number[];
}

/** Describes the machine this process runs on. */
export function describeMachine(): MachineInfo {
  // os.cpus() is empty on some platforms and containers.
  const model = os.cpus()[0]?.model.trim();
  return {
    cpu: model === undefined || model === '' ? 'unknown' : model.replace(/\s+/g, ' '),
    cores: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    totalMemory: os.totalmem(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** One line for the foot of a benchmark table: CPU model, cores, Node and V8, platform. */
export function formatMachine(m: MachineInfo): string {
  return `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node} (V8 ${m.v8}), ${m.platform}/${m.arch}`;
}
