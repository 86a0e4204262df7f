/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function JobsPage() {
  return <PageHeader title="JobsPage" />;
}
