/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function ProtectWizard({ initialVault }: { initialVault?: string | undefined }) {
  return <PageHeader title="ProtectWizard" />;
}
