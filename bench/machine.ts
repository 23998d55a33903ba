/** The machine a benchmark ran on: CPU model, cores, memory, OS, Node and tool versions. */
import { cpus, totalmem, release, platform, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';

/** Facts for the RESULTS.md header. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  openssl: string;
  date: string;
  /** 1-minute load average when the run started (other processes compete for the cores). */
  loadStart: number;
}

/** The 1-minute load average now. */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** First line of `cmd args` stdout, or `missing`. */
export function toolVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'missing';
  return (r.stdout || r.stderr).split('\n')[0]!.trim();
}

/** Describe this machine. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    openssl: toolVersion('openssl', ['version']),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadStart: load1(),
  };
}
