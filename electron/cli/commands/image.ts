/**
 * `labvault image ...`: inspect, check and convert disk images (qcow2, vmdk, vdi, vpc,
 * vhdx, raw) with the engine's own readers. Format names follow qemu-img.
 * Exit codes: 0 ok, 3 `image check` found damage; errors are mapped by the entry point.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { DiskFormatSchema, type DiskImageInfoView as DiskImageInfo } from '../../../shared/contract/image-channels.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, cliEvents } from '../cli-context.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';

export const EXIT_IMAGE_DAMAGED = 3;
type DiskFormat = (typeof DiskFormatSchema.options)[number];
const EXPORT_FORMATS: readonly DiskFormat[] = DiskFormatSchema.options;

function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

function describeInfo(info: DiskImageInfo): string {
  const lines = [
    `File:          ${info.path}`,
    `Format:        ${info.format}${info.subformat ? ` (${info.subformat})` : ''}`,
    `Virtual size:  ${formatBytes(info.virtualSize)} (${info.virtualSize} bytes)`,
    `File size:     ${formatBytes(info.fileSize)} (${info.fileSize} bytes)`,
    `Allocated:     ${formatBytes(info.allocatedBytes)} (${info.allocatedBytes} bytes, this file only)`,
  ];
  if (info.clusterSize !== undefined) lines.push(`Cluster size:  ${info.clusterSize}`);
  if (info.backing) lines.push(`Backing file:  ${info.backing.path} (${info.backing.format})`);
  if (info.chain.length > 1) lines.push(`Chain:         ${info.chain.map((link) => `${link.path} (${link.format})`).join(' -> ')}`);
  if (info.snapshots && info.snapshots.length > 0) {
    lines.push('Snapshots:', formatTable(['ID', 'NAME', 'VM STATE', 'DATE'], info.snapshots.map((snapshot) => [
      snapshot.id, snapshot.name, formatBytes(snapshot.vmStateSize ?? 0), snapshot.date ?? '',
    ])));
  }
  return lines.join('\n');
}

async function info(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const facts = await cliClient(io).images.info({ path: positional(args, 1, 'FILE') });
  if (booleanFlag(args, 'json')) printJson(io, facts);
  else io.out(describeInfo(facts));
  return 0;
}

function exportFormat(args: ParsedArgs): DiskFormat {
  const format = stringFlag(args, 'format') ?? 'raw';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format}".`, { field: 'format' });
  }
  return format as DiskFormat;
}

async function exportImage(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['out', 'format', 'subformat', 'progress']);
  const source = positional(args, 1, 'FILE');
  const out = stringFlag(args, 'out', true);
  const format = exportFormat(args);
  const subformat = stringFlag(args, 'subformat');
  const progress = booleanFlag(args, 'progress');
  let lastPercent = -1;
  const stopProgress = progress
    ? cliEvents(io).on('imageExportProgress', ({ out: target, bytesDone: done, bytesTotal: total }) => {
      if (target !== out) return;
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (percent === lastPercent) return;
      lastPercent = percent;
      io.err(`export: ${percent}% (${formatBytes(done)} of ${formatBytes(total)})`);
    })
    : undefined;
  try {
    await cliClient(io).images.export({
      path: source, out, format, ...(subformat !== undefined ? { subformat } : {}), ...(progress ? { progress } : {}),
    });
  } finally {
    stopProgress?.();
  }
  if (booleanFlag(args, 'json')) printJson(io, { source, out, format });
  else io.out(`Exported ${source} to ${out} (${format}).`);
  return 0;
}

async function check(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const result = await cliClient(io).images.check({ path: positional(args, 1, 'FILE') });
  if (booleanFlag(args, 'json')) {
    printJson(io, result);
  } else {
    io.out(result.findings.length === 0 ? `${result.path}: no errors found (${result.format}).` : `${result.path} (${result.format}):`);
    for (const finding of result.findings) io.out(`  ${finding.severity.toUpperCase()} [${finding.kind}] ${finding.message}`);
    if (result.findings.length > 0) io.out(result.clean ? 'No corruption found.' : 'The image is damaged.');
  }
  return result.clean ? 0 : EXIT_IMAGE_DAMAGED;
}

async function map(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const ranges = await cliClient(io).images.map({ path: positional(args, 1, 'FILE') });
  if (booleanFlag(args, 'json')) {
    printJson(io, ranges);
  } else {
    io.out(formatTable(['OFFSET', 'LENGTH', 'KIND'], ranges.map((range) => [String(range.offset), String(range.length), range.zero ? 'zero' : 'data'])));
  }
  return 0;
}

export const imageCommand: CliCommandGroup = {
  name: 'image',
  usage: [
    'image info FILE [--json]                 format, sizes, backing chain, snapshots',
    'image export FILE --out OUT [--format raw|qcow2|vmdk|vdi|vpc|vhdx] [--subformat S] [--progress]',
    'image check FILE [--json]                integrity check (exit 3 when damaged)',
    'image map FILE [--json]                  data and zero ranges of the merged view',
  ],
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const action = args.positionals[0];
    if (action === 'info') return info(args, io);
    if (action === 'export') return exportImage(args, io);
    if (action === 'check') return check(args, io);
    if (action === 'map') return map(args, io);
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown image command "${action ?? ''}": use info, export, check or map.`, { field: 'command' });
  },
};
