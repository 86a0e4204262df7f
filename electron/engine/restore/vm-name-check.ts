/**
 * The names a hypervisor already uses, so a restored VM gets a new one: the VMs discovery
 * finds in the well-known places, and what the hypervisor's own tool lists when it is on
 * PATH (`VBoxManage list vms`, `virsh list --all --name`). Only reads.
 */
import type { RestoreHypervisor } from '../../../shared/contract/restore-vm-channels.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import { findTool, runTool } from '../discovery/hypervisor-cli.ts';

export type WellKnownVms = () => Promise<DiscoveredVm[]>;

/** `"name" {uuid}` lines of `VBoxManage list vms`. */
export function parseVboxListVms(stdout: string): string[] {
  return stdout.split(/\r?\n/).map((line) => /^"(.*)" \{[0-9a-fA-F-]+\}\s*$/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
}

/** The tool that registers VMs of this hypervisor, when it is on PATH (VMware has none: it opens the .vmx). */
export function registerToolName(hypervisor: RestoreHypervisor): string | null {
  if (hypervisor === 'virtualbox') return 'VBoxManage';
  if (hypervisor === 'libvirt-qemu') return 'virsh';
  return null;
}

/** The default libvirt connection: the system one as root, else the user's session. */
export function defaultLibvirtConnection(): string {
  return process.getuid?.() === 0 ? 'qemu:///system' : 'qemu:///session';
}

export async function takenVmNames(hypervisor: RestoreHypervisor, wellKnown: WellKnownVms, env: NodeJS.ProcessEnv,
  connection: string): Promise<string[]> {
  const names = new Set<string>();
  const found = await wellKnown().catch(() => []);
  for (const vm of found) if (vm.hypervisor === hypervisor) names.add(vm.name);
  const toolName = registerToolName(hypervisor);
  const tool = toolName ? await findTool(toolName, env) : null;
  if (tool && hypervisor === 'virtualbox') {
    const answer = await runTool(tool, ['list', 'vms'], env);
    if (answer?.exitCode === 0) for (const name of parseVboxListVms(answer.stdout)) names.add(name);
  }
  if (tool && hypervisor === 'libvirt-qemu') {
    const answer = await runTool(tool, ['-c', connection, 'list', '--all', '--name'], env);
    if (answer?.exitCode === 0) for (const line of answer.stdout.split(/\r?\n/)) if (line.trim() !== '') names.add(line.trim());
  }
  return [...names];
}
