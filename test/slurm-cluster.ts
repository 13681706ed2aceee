/**
 * A one-node Slurm cluster for tests: Debian's munge and slurm-wlm (which .ci/run installs), with
 * every file — munge key, socket and log, slurm.conf, state and spool folders, daemon logs — in one
 * temporary folder, so nothing under /etc or /var is touched. 127.0.0.1 is both the controller and
 * the compute node (2 CPUs; no cgroups: proctrack/linuxproc, task/none). Every Slurm command must
 * get `env` (SLURM_CONF names this cluster's slurm.conf).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SlurmCluster {
  /** The environment for Slurm commands (and the jobs they start): SLURM_CONF set. */
  env: NodeJS.ProcessEnv;
  node: string;
  /** Runs a Slurm command against this cluster. */
  run: (command: string, args: string[]) => { status: number | null; stdout: string; stderr: string };
  /** The tail of every daemon's log, for a failure message. */
  logs: () => string;
  /** Cancels every job, stops slurmd, slurmctld and munged (the processes started here, by their IDs) and removes the cluster's folder. */
  stop: () => Promise<void>;
}

const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

function findCommand(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), ...SBIN]) {
    const file = path.join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => boolean, seconds: number, logs: () => string, daemon: ChildProcess): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!check()) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) throw new Error(`${what}: it exited (${daemon.exitCode ?? daemon.signalCode})\n${logs()}`);
    if (Date.now() > until) throw new Error(`${what} within ${seconds} s\n${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts munged, slurmctld and slurmd in a new temporary folder; throws (with the daemons' logs) when they cannot start. */
export async function startSlurmCluster(): Promise<SlurmCluster> {
  const commands = Object.fromEntries(['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scancel'].map((c) => [c, findCommand(c)]));
  const absent = Object.keys(commands).filter((c) => !commands[c]);
  if (absent.length) throw new Error(`not installed: ${absent.join(', ')} (Debian: apt-get install slurm-wlm munge)`);

  // munged refuses a socket whose folders others cannot search (mkdtemp makes 0700 ones), and a key others can read.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hilum-slurm-cluster-'));
  chmodSync(dir, 0o755);
  for (const d of ['munge', 'state', 'spool']) mkdirSync(path.join(dir, d), { mode: 0o755 });
  const file = (name: string) => path.join(dir, name);
  const socket = file('munge/munge.socket');
  const children: ChildProcess[] = [];
  const logNames = ['munged.log', 'slurmctld.log', 'slurmd.log', 'munged.out', 'slurmctld.out', 'slurmd.out'];
  const logs = () =>
    logNames
      .filter((n) => existsSync(file(n)))
      .map((n) => `--- ${n}\n${readFileSync(file(n), 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('\n');
  const daemon = (command: string, args: string[], out: string, env: NodeJS.ProcessEnv) => {
    const fd = openSync(file(out), 'a');
    const child = spawn(commands[command]!, args, { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', () => undefined);
    children.push(child);
    return child;
  };
  const stopAll = async () => {
    for (const child of children.reverse()) await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const key = spawnSync(commands.mungekey!, ['--create', `--keyfile=${file('munge/munge.key')}`], { encoding: 'utf8' });
    if (key.status !== 0) throw new Error(`mungekey failed: ${key.stderr}`);
    const munged = daemon(
      'munged',
      [
        '--foreground',
        `--socket=${socket}`,
        `--key-file=${file('munge/munge.key')}`,
        `--log-file=${file('munged.log')}`,
        `--pid-file=${file('munge/munged.pid')}`,
        `--seed-file=${file('munge/munged.seed')}`,
      ],
      'munged.out',
      process.env,
    );
    await waitFor('munged did not create its socket', () => existsSync(socket), 15, logs, munged);

    const node = os.hostname().split('.')[0];
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const user = os.userInfo().username;
    const memoryMb = Math.max(1024, Math.floor((os.totalmem() / 2 ** 20) * 0.8));
    writeFileSync(
      file('slurm.conf'),
      [
        'ClusterName=hilumtest',
        `SlurmctldHost=${node}(127.0.0.1)`,
        `SlurmUser=${user}`,
        `SlurmdUser=${user}`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${file('state')}`,
        `SlurmdSpoolDir=${file('spool')}`,
        `SlurmctldPidFile=${file('slurmctld.pid')}`,
        `SlurmdPidFile=${file('slurmd.pid')}`,
        `SlurmctldLogFile=${file('slurmctld.log')}`,
        `SlurmdLogFile=${file('slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_CPU',
        'SchedulerType=sched/backfill',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'JobCompType=jobcomp/none',
        'MpiDefault=none',
        'MailProg=/bin/true',
        'ReturnToService=2',
        // The node is what slurm.conf says (2 CPUs) even on a machine that reports fewer.
        'SlurmdParameters=config_overrides',
        `NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 RealMemory=${memoryMb} State=UNKNOWN`,
        'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: file('slurm.conf') };
    const run = (command: string, args: string[]) => {
      const r = spawnSync(commands[command] ?? command, args, { env, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
    };
    const ctld = daemon('slurmctld', ['-D', '-i'], 'slurmctld.out', env);
    await waitFor('slurmctld did not answer', () => run('sinfo', ['--noheader']).status === 0, 30, logs, ctld);
    const slurmd = daemon('slurmd', ['-D', '-N', node], 'slurmd.out', env);
    await waitFor(
      `node ${node} did not become idle`,
      () => /^idle/.test(run('sinfo', ['--noheader', '--nodes', node, '--format=%T']).stdout.trim()),
      45,
      logs,
      slurmd,
    );
    return {
      env,
      node,
      run,
      logs,
      stop: async () => {
        run('scancel', ['--full', `--user=${user}`]);
        const until = Date.now() + 30_000;
        while (Date.now() < until && run('squeue', ['--noheader']).stdout.trim()) await new Promise((r) => setTimeout(r, 500));
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
