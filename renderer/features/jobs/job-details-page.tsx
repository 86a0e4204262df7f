/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function JobDetailsPage({ id }: { id: string }) {
  return <PageHeader title="JobDetailsPage" />;
}
