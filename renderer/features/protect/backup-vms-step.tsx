/**
 * Step 3: the VMs to protect, as discovery lists them (state, disk size, hypervisor).
 * VMs already protected, or whose data is soft-deleted in a vault, are shown but cannot be
 * chosen, with the reason. "Add a folder to scan" looks for VMs in a folder through the
 * in-app file browser; picking files by hand stays possible below, as a second way.
 */
import { useState } from 'react';
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { FileBrowserDialog } from '../../components/file-browser-dialog.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { plural } from '../../format/plural.ts';
import { FileCandidatesTable } from '../items/file-candidates-table.tsx';
import { vmAvailability, vmDiskBytes } from './configure-backup-steps.ts';
import type { DiscoveryProblem } from './discover-vms.ts';
import { HypervisorLabel, VmStateBadge } from './hypervisor-badges.tsx';
import type { VmCandidate } from './vm-candidate.ts';

export interface HandPicked {
  candidates: FileCandidate[] | null;
  error: string | null;
  busy: boolean;
}

export interface BackupVmsStepProps {
  vms: readonly VmCandidate[] | null;
  scanning: boolean;
  scanError: string | null;
  problems: readonly DiscoveryProblem[];
  scannedFolders: readonly string[];
  selected: readonly string[];
  onToggle: (configPath: string) => void;
  onScanFolder: (folder: string) => void;
  handPicked: HandPicked;
  onPickFiles: (paths: string[]) => void;
  onClearPicked: () => void;
}

function VmNotes({ vm }: { vm: VmCandidate }) {
  const notes: string[] = [];
  if (vm.missingOnDisk.length > 0) notes.push(`Missing: ${vm.missingOnDisk.join(', ')}`);
  for (const disk of vm.disks) if (!disk.backupable) notes.push(`Not backed up: ${disk.path} (${disk.reason ?? 'skipped'})`);
  for (const device of vm.ignoredDevices) notes.push(`${device.device}${device.path ? ` ${device.path}` : ''}: ${device.reason}`);
  for (const shared of vm.sharedWith ?? []) notes.push(`Shared with ${shared.vms.join(', ')}: ${shared.path}`);
  if (notes.length === 0) return null;
  return <ul className="vm-notes">{notes.map((note) => <li key={note}>{note}</li>)}</ul>;
}

function VmRow({ vm, checked, onToggle }: { vm: VmCandidate; checked: boolean; onToggle: () => void }) {
  const availability = vmAvailability(vm);
  const size = vmDiskBytes(vm);
  return (
    <label className={`vm-row${checked ? ' is-selected' : ''}${availability.ok ? '' : ' is-disabled'}`}>
      <input type="checkbox" aria-label={`Protect ${vm.name}`} checked={checked} disabled={!availability.ok} onChange={onToggle} />
      <span className="vm-main">
        <span className="cell-title">{vm.name}</span>
        <span className="cell-sub mono">{vm.configPath}</span>
        {availability.ok ? null : <span className="vm-reason">{availability.reason}</span>}
        <VmNotes vm={vm} />
      </span>
      <span className="vm-hv"><HypervisorLabel hypervisor={vm.hypervisor} /></span>
      <span className="vm-state"><VmStateBadge state={vm.state} evidence={vm.stateEvidence} /></span>
      <span className="vm-size">
        {size === null ? '—' : formatBytes(size)}
        <span className="cell-sub">{plural(vm.disks.length, 'disk')} · {plural(vm.files.length, 'file')}</span>
      </span>
    </label>
  );
}

export function BackupVmsStep(props: BackupVmsStepProps) {
  const { vms, scanning, scanError, problems, scannedFolders, selected, onToggle, onScanFolder } = props;
  const [browsing, setBrowsing] = useState<'folder' | 'files' | null>(null);
  const chosenCount = selected.length + (props.handPicked.candidates ? 1 : 0);
  return (
    <div>
      <h2>Select VMs</h2>
      <p className="step-intro">
        The VMs found on this machine, as their hypervisors list them. Each chosen VM is backed up whole: its
        configuration, every disk with its snapshot layers, firmware and saved state, as they are at each backup.
      </p>
      <div className="row vm-toolbar">
        <Button onClick={() => setBrowsing('folder')}>Add a folder to scan…</Button>
        {scanning ? <span className="muted small">Looking for VMs…</span> : null}
        <span className="spacer" />
        <span className="muted small" aria-live="polite">{plural(chosenCount, 'VM')} chosen</span>
      </div>
      {scannedFolders.length > 0 ? (
        <p className="small muted">Scanned: {scannedFolders.map((folder) => <span key={folder} className="mono scanned-folder">{folder}</span>)}</p>
      ) : null}
      {scanError ? <AlertBanner tone="danger" title="Could not look for VMs.">{scanError}</AlertBanner> : null}
      {problems.length > 0 ? (
        <AlertBanner tone="warn" title={`${plural(problems.length, 'place')} could not be read.`}>
          <ul className="plain-list">{problems.map((problem) => <li key={`${problem.path}-${problem.code}`}>{problem.message}</li>)}</ul>
        </AlertBanner>
      ) : null}
      <div className="vm-list" role="group" aria-label="Discovered VMs">
        <div className="vm-row vm-head" aria-hidden="true">
          <span /><span>VM</span><span>Hypervisor</span><span>State</span><span>Disks</span>
        </div>
        {vms === null ? <p className="muted vm-empty">{scanning ? 'Looking for VMs…' : 'Not scanned yet.'}</p> : null}
        {vms !== null && vms.length === 0 ? (
          <p className="muted vm-empty">No VM found in the usual places. Use "Add a folder to scan" to point at the folder that holds your VMs.</p>
        ) : null}
        {(vms ?? []).map((vm) => (
          <VmRow
            key={vm.configPath} vm={vm} checked={selected.includes(vm.configPath)}
            onToggle={() => onToggle(vm.configPath)}
          />
        ))}
      </div>
      <details className="hand-pick" open={props.handPicked.candidates !== null || props.handPicked.error !== null}>
        <summary>A VM that is not listed? Pick its files by hand</summary>
        <p className="small">
          Choose the configuration file and the disk images (not a folder: open it and choose the VM files inside it).
          Parent images of differencing disks are added automatically.
        </p>
        <div className="row">
          <Button small onClick={() => setBrowsing('files')}>Choose files…</Button>
          {props.handPicked.candidates ? <Button small variant="quiet" onClick={props.onClearPicked}>Remove</Button> : null}
          {props.handPicked.busy ? <span className="muted small">Checking…</span> : null}
        </div>
        {props.handPicked.error ? <AlertBanner tone="danger" title="These files cannot be protected.">{props.handPicked.error}</AlertBanner> : null}
        {props.handPicked.candidates ? <FileCandidatesTable candidates={props.handPicked.candidates} /> : null}
      </details>
      {browsing === 'folder' ? (
        <FileBrowserDialog
          title="Add a folder to scan"
          mode="folder"
          intro="Choose a folder that holds VMs (a VirtualBox VMs folder, a VMware folder, a libvirt domain folder, or a folder of disk images)."
          chooseLabel="Scan this folder"
          initialPath={scannedFolders.at(-1)}
          onClose={() => setBrowsing(null)}
          onChoose={(paths) => { setBrowsing(null); if (paths[0]) onScanFolder(paths[0]); }}
        />
      ) : null}
      {browsing === 'files' ? (
        <FileBrowserDialog
          title="Choose the VM's files"
          mode="files"
          intro="The configuration file (.vbox, .vmx, domain XML) and the disk images."
          chooseLabel="Add files"
          onClose={() => setBrowsing(null)}
          onChoose={(paths) => { setBrowsing(null); props.onPickFiles(paths); }}
        />
      ) : null}
    </div>
  );
}
