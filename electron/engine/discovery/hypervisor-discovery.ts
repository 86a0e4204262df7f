/** The one interface every hypervisor's discovery module implements, and what it is given. */
import type { DiscoveredVm, Hypervisor } from './discovered-vm.ts';

export interface DiscoveryContext {
  /** Another machine's disk mounted here: well-known places and absolute config paths are looked for under it. */
  root?: string;
  /** Environment: HOME, VBOX_USER_HOME, XDG_RUNTIME_DIR, APPDATA, PATH (for the confirming tools). */
  env: NodeJS.ProcessEnv;
}

/** A place a module may find VMs in, and what it is. */
export interface WellKnownPlace {
  path: string;
  /** 'virtualbox-home', 'vmware-inventory', 'libvirt-domains', ... for messages. */
  kind: string;
}

export interface HypervisorDiscovery {
  readonly hypervisor: Hypervisor;
  /** Where this hypervisor keeps its VM list on this OS (or under ctx.root). They may not exist. */
  wellKnownPlaces(ctx: DiscoveryContext): Promise<WellKnownPlace[]>;
  /**
   * The config files of the VMs this hypervisor lists at `path` (a registry file, an
   * inventory, a domain folder, or the folder holding one of those); null when `path` is
   * not this hypervisor's.
   */
  configsAt(path: string, ctx: DiscoveryContext): Promise<string[] | null>;
  /** True when `configPath` is one of this hypervisor's VM config files (by name and first bytes). */
  isConfig(configPath: string, head: string): boolean;
  /** One VM from its config file; throws NOT_FOUND / INVALID_INPUT naming the file. */
  readConfig(configPath: string, ctx: DiscoveryContext): Promise<DiscoveredVm>;
}
