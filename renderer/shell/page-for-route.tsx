/** Picks the page component for the current route. */
import type { Route } from '../stores/route-store.ts';
import { assertNever } from '../assert-never.ts';
import { VaultsPage } from '../features/vaults/vaults-page.tsx';
import { CreateVaultWizard } from '../features/vaults/create-vault-wizard.tsx';
import { VaultDetailsPage } from '../features/vaults/vault-details-page.tsx';
import { DashboardPage } from '../features/dashboard/dashboard-page.tsx';
import { ItemsPage } from '../features/items/items-page.tsx';
import { ItemDetailsPage } from '../features/items/item-details-page.tsx';
import { PointFilesPage } from '../features/files/point-files-page.tsx';
import { ConfigureBackupWizard } from '../features/protect/configure-backup-wizard.tsx';
import { JobsPage } from '../features/jobs/jobs-page.tsx';
import { JobDetailsPage } from '../features/jobs/job-details-page.tsx';
import { RestoreWizard } from '../features/restore/restore-wizard.tsx';
import { PoliciesPage } from '../features/policies/policies-page.tsx';
import { PolicyWizard } from '../features/policies/policy-wizard.tsx';

export function PageForRoute({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard': return <DashboardPage />;
    case 'vaults': return <VaultsPage />;
    case 'vault-create': return <CreateVaultWizard />;
    case 'vault': return <VaultDetailsPage key={route.name} name={route.name} />;
    case 'items': return <ItemsPage />;
    case 'item': return <ItemDetailsPage key={route.item} item={route.item} />;
    case 'point-files': return <PointFilesPage key={`${route.item}/${route.point}`} item={route.item} point={route.point} />;
    case 'protect': return <ConfigureBackupWizard key={route.vault ?? ''} initialVault={route.vault} />;
    case 'jobs': return <JobsPage />;
    case 'job': return <JobDetailsPage key={route.id} id={route.id} />;
    case 'restore': return <RestoreWizard key={route.item ?? ''} initialItem={route.item} />;
    case 'policies': return <PoliciesPage />;
    case 'policy-create': return <PolicyWizard key={`new-${route.vault ?? ''}`} vault={route.vault} />;
    case 'policy-edit': return <PolicyWizard key={`${route.vault}/${route.name}`} vault={route.vault} editing={route.name} />;
    default: return assertNever(route);
  }
}
