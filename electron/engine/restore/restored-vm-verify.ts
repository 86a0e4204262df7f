/**
 * Checks a VM restored as a new VM before it is reported done: every disk passes the
 * hypervisor tools' parser where we have it (`qemu-img check`, else our own check), the
 * configuration read back by discovery names the new identity and exactly the restored
 * disks, and a libvirt domain XML passes libvirt's parser (virsh on the test driver,
 * virt-xml-validate) when installed.
 */
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import { checkDiskImage } from '../disk/open-disk-image.ts';
import { findTool } from '../discovery/hypervisor-cli.ts';
import { readVm } from '../discovery/discovery-service.ts';
import { runCommand } from './vm-registration.ts';

/** qemu-img check exit codes that mean "no damage": clean, leaks only, format without a check. */
const QEMU_CHECK_OK = new Set([0, 3, 63]);

function failed(message: string, path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CORRUPT, message, { details: { path } });
}

/** One restored disk through `qemu-img check` (when on PATH) and our own check; a finding in words. */
export async function checkRestoredDisk(path: string, format: string, env: NodeJS.ProcessEnv): Promise<string> {
  const qemuImg = await findTool('qemu-img', env);
  if (qemuImg) {
    const answer = await runCommand(qemuImg, ['check', '-f', format, path], env);
    if (!QEMU_CHECK_OK.has(answer.code)) throw failed(`qemu-img check ${path} found damage (exit ${answer.code}): ${answer.output}`, path);
  }
  const own = await checkDiskImage(path, { format: format as 'raw' });
  const damage = own.findings.filter((finding) => finding.severity === 'corruption');
  if (damage.length > 0) throw failed(`${path} fails its check: ${damage.map((finding) => finding.message).join('; ')}`, path);
  return qemuImg ? 'qemu-img check clean' : 'checked (qemu-img is not on PATH)';
}

/** The restored configuration read back by discovery: new identity, the restored disks, nothing missing. */
export async function checkRestoredConfig(plan: RestoreVmPlan, oldId: string | undefined,
  newId: string): Promise<void> {
  const vm = await readVm(plan.configPath, { env: { PATH: '' } });
  const where = plan.configPath;
  if (vm.hypervisor !== plan.hypervisor) throw failed(`${where} reads back as a ${vm.hypervisor} VM, not ${plan.hypervisor}.`, where);
  if (plan.hypervisor !== 'vmware' && vm.id.toLowerCase() !== newId.toLowerCase()) throw failed(`${where} reads back with id ${vm.id}, not the new ${newId}.`, where);
  if (oldId !== undefined && vm.id.toLowerCase() === oldId.toLowerCase()) throw failed(`${where} still has the point's VM id ${oldId}.`, where);
  if (vm.name !== plan.name) throw failed(`${where} reads back as "${vm.name}", not "${plan.name}".`, where);
  const wanted = plan.disks.map((disk) => resolve(disk.path)).sort();
  const found = vm.disks.map((disk) => resolve(disk.path)).sort();
  if (JSON.stringify(wanted) !== JSON.stringify(found)) throw failed(`${where} names the disks ${found.join(', ') || 'none'}; the restore wrote ${wanted.join(', ')}.`, where);
  const chained = vm.disks.find((disk) => disk.chain.length !== 1 || !disk.backupable);
  if (chained) throw failed(`${where}: disk ${chained.path} ${chained.backupable ? 'still has a chain' : `is not usable: ${chained.reason ?? ''}`}.`, where);
  const missing = vm.missingOnDisk.filter((path) => resolve(path).startsWith(resolve(plan.folder)));
  if (missing.length > 0) throw failed(`${where} names files that are not there: ${missing.join(', ')}.`, where);
}

/**
 * A libvirt domain XML through libvirt's own parser: `virsh define` on the test driver
 * (test:///default, in memory, gone when virsh exits) and virt-xml-validate (the RNG schema)
 * when each is installed and works; what was done, in words.
 */
export async function validateDomainXml(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  const done: string[] = [];
  const virsh = await findTool('virsh', env);
  if (virsh) {
    const answer = await runCommand(virsh, ['-c', 'test:///default', 'define', path], env);
    if (answer.code !== 0) throw failed(`libvirt refuses ${path} (virsh define on test:///default): ${answer.output}`, path);
    done.push('libvirt parses it (virsh define on test:///default)');
  }
  const validator = await findTool('virt-xml-validate', env);
  if (validator) {
    const answer = await runCommand(validator, [path, 'domain'], env);
    // virt-xml-validate is a shell script around xmllint: without xmllint it cannot say anything.
    const broken = /xmllint.*not found|command not found/i.test(answer.output);
    if (answer.code !== 0 && !broken) throw failed(`virt-xml-validate refuses ${path}: ${answer.output}`, path);
    if (!broken) done.push('virt-xml-validate: valid');
  }
  return done.length > 0 ? done.join(', ') : 'not validated (neither virsh nor virt-xml-validate is installed)';
}
