/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function PolicyWizard({ vault, editing }: { vault?: string | undefined; editing?: string }) {
  return <PageHeader title="PolicyWizard" />;
}
