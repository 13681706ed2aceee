import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { HilumError } from '../core/errors.js';
import { parsePacsNode, type PacsNode } from './node.js';

/**
 * The PACS configuration file (JSON or YAML): `nodes`, a list of PACS nodes (see node.ts), and
 * optionally `default`, the name of the one used when none is named.
 */
export interface PacsConfig {
  nodes: PacsNode[];
  default?: string;
}

export function readPacsConfig(file: string): PacsConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HilumError({
      code: 'PACS_CONFIG_INVALID',
      message: `Cannot read the PACS configuration ${file}: ${(error as Error).message}`,
      data: { file },
      cause: error,
    });
  }
  const value = raw as { nodes?: unknown; default?: unknown } | null;
  if (!value || typeof value !== 'object' || !Array.isArray(value.nodes) || value.nodes.length === 0)
    throw new HilumError({ code: 'PACS_CONFIG_INVALID', message: `The PACS configuration ${file} needs a non-empty "nodes" list`, data: { file } });
  const nodes = value.nodes.map((n) => parsePacsNode(n));
  const names = nodes.map((n) => n.name);
  if (new Set(names).size !== names.length)
    throw new HilumError({ code: 'PACS_CONFIG_INVALID', message: `PACS node names must be distinct in ${file}`, data: { names } });
  if (value.default !== undefined && (typeof value.default !== 'string' || !names.includes(value.default)))
    throw new HilumError({
      code: 'PACS_CONFIG_INVALID',
      message: `The default PACS "${String(value.default)}" is not one of the nodes (${names.join(', ')})`,
      data: { names },
    });
  return { nodes, ...(typeof value.default === 'string' ? { default: value.default } : {}) };
}

/** The node named, else the configured default, else the only or first one. */
export function pickPacsNode(config: PacsConfig, name?: string): PacsNode {
  const wanted = name ?? config.default;
  if (wanted === undefined) return config.nodes[0];
  const node = config.nodes.find((n) => n.name === wanted);
  if (!node)
    throw new HilumError({
      code: 'PACS_NODE_UNKNOWN',
      message: `No PACS node named "${wanted}"; configured: ${config.nodes.map((n) => n.name).join(', ')}`,
      data: { name: wanted },
    });
  return node;
}
