import { describe, expect, it } from 'vitest';
import { slurmJobScripts } from '../../../electron/engine/pipeline/slurm-jobs.js';
import { parseProtocol, slurmSettingsOf } from '../../../electron/engine/signatures/protocol.js';
import { errorOf } from '../../helpers.js';

const study = { manifest: '/data/olnm/cohort.csv', out: "/scratch/olnm study/it's", protocol: '/data/olnm/protocol.yaml', extractOnly: false };
const command = ['/usr/bin/node', '/opt/hilum/bin/hilum.js'];

describe('Slurm job files', () => {
  it("take the array size and every resource from the protocol's slurm section", () => {
    const settings = slurmSettingsOf(
      parseProtocol({
        slurm: {
          shards: 16,
          cpusPerTask: 4,
          mem: '8G',
          time: '1-12:00:00',
          partition: 'cpu',
          account: 'olnm',
          sbatchOptions: ['--constraint=avx2'],
          merge: { cpusPerTask: 2, time: '30' },
        },
      }),
    );
    const { extract, merge } = slurmJobScripts(study, settings, command);
    const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('#SBATCH'));
    expect(lines(extract)).toEqual([
      '#SBATCH --job-name=hilum-extract',
      '#SBATCH --array=1-16',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=8G',
      '#SBATCH --time=1-12:00:00',
      '#SBATCH --partition=cpu',
      '#SBATCH --account=olnm',
      '#SBATCH --constraint=avx2',
      `#SBATCH --output="/scratch/olnm study/it's/slurm/logs/shard-%a-of-16.%A.log"`,
      `#SBATCH --chdir="/scratch/olnm study/it's"`,
    ]);
    expect(extract.trimEnd().split('\n').at(-1)).toBe(
      `exec /usr/bin/node /opt/hilum/bin/hilum.js study --manifest /data/olnm/cohort.csv --out '/scratch/olnm study/it'\\''s' --protocol /data/olnm/protocol.yaml --shard "\${SLURM_ARRAY_TASK_ID}/16" --jobs "\${SLURM_CPUS_PER_TASK:-1}"`,
    );
    // The merge job: its own CPUs and time, the tasks' memory, cancelled by Slurm when a shard fails.
    expect(lines(merge)).toEqual(
      expect.arrayContaining(['#SBATCH --cpus-per-task=2', '#SBATCH --mem=8G', '#SBATCH --time=30', '#SBATCH --kill-on-invalid-dep=yes']),
    );
    expect(merge).toMatch(/--protocol \/data\/olnm\/protocol\.yaml --merge\n$/);
    expect(slurmJobScripts({ ...study, extractOnly: true }, settings, command).merge).toMatch(/--merge --extract-only\n$/);
  });

  it('default to 4 shards of 4 CPUs, 8G and 2 hours when the protocol has no slurm section', () => {
    expect(slurmSettingsOf(parseProtocol({}))).toMatchObject({ shards: 4, cpusPerTask: 4, mem: '8G', time: '02:00:00', merge: { cpusPerTask: 1 } });
    expect(parseProtocol({}).slurm).toBeUndefined();
  });

  it('refuse resources Slurm would not read, naming the field', () => {
    expect(errorOf(() => parseProtocol({ slurm: { mem: '8 GB' } })).message).toMatch(/slurm\.mem: a number with an optional K, M, G or T suffix/);
    expect(errorOf(() => parseProtocol({ slurm: { time: '2h' } })).message).toMatch(/slurm\.time: minutes, MM:SS/);
    expect(errorOf(() => parseProtocol({ slurm: { sbatchOptions: ['--wrap="rm -rf /"\n'] } })).message).toMatch(/slurm\.sbatchOptions\.0/);
    expect(errorOf(() => parseProtocol({ slurm: { nodes: 2 } })).code).toBe('PROTOCOL_INVALID');
  });
});
