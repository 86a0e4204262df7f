/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function RestoreWizard({ initialItem }: { initialItem?: string | undefined }) {
  return <PageHeader title="RestoreWizard" />;
}
